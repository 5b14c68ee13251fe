namespace Edge.Tests.Shared;

/// <summary>Classic architectures as ONNX models with seeded random weights, built with <see cref="OnnxModelBuilder"/>.</summary>
internal static class ClassicModels
{
    /// <summary>The parameter count of <see cref="LeNet5"/>: 156 + 2,416 + 48,120 + 10,164 + 850.</summary>
    public const long LeNet5Parameters = 61_706;

    /// <summary>
    /// LeCun's LeNet-5 for 28×28 digits: Conv 6@5×5 pad 2 → AveragePool 2 → Sigmoid → Conv 16@5×5 → AveragePool 2 →
    /// Sigmoid → Flatten → Gemm 400→120 → Sigmoid → Gemm 120→84 → Sigmoid → Gemm 84→10. Input "input" is
    /// [batch, 1, 28, 28] with a dynamic batch, output "logits" is [batch, 10]. Gemm weights are [out, in] with
    /// transB = 1, as PyTorch exports nn.Linear.
    /// </summary>
    public static OnnxModelBuilder LeNet5(int seed = 5, int opset = 13)
    {
        var b = new OnnxModelBuilder(opset, "lenet5", seed).Input("input", "batch", 1, 28, 28);
        b.RandomInitializer("conv1.weight", 6, 1, 5, 5).RandomInitializer("conv1.bias", 6)
         .RandomInitializer("conv2.weight", 16, 6, 5, 5).RandomInitializer("conv2.bias", 16)
         .RandomInitializer("fc1.weight", 120, 400).RandomInitializer("fc1.bias", 120)
         .RandomInitializer("fc2.weight", 84, 120).RandomInitializer("fc2.bias", 84)
         .RandomInitializer("fc3.weight", 10, 84).RandomInitializer("fc3.bias", 10);
        var pool = new[] { OnnxAttr.Ints("kernel_shape", 2, 2), OnnxAttr.Ints("strides", 2, 2) };
        var linear = new[] { OnnxAttr.Float("alpha", 1f), OnnxAttr.Float("beta", 1f), OnnxAttr.Int("transB", 1) };
        return b
            .Node("Conv", ["input", "conv1.weight", "conv1.bias"], ["c1"], "conv1", OnnxAttr.Ints("kernel_shape", 5, 5), OnnxAttr.Ints("pads", 2, 2, 2, 2))
            .Node("AveragePool", ["c1"], ["p1"], "pool1", pool)
            .Node("Sigmoid", ["p1"], ["s1"], "sigmoid1")
            .Node("Conv", ["s1", "conv2.weight", "conv2.bias"], ["c2"], "conv2", OnnxAttr.Ints("kernel_shape", 5, 5))
            .Node("AveragePool", ["c2"], ["p2"], "pool2", pool)
            .Node("Sigmoid", ["p2"], ["s2"], "sigmoid2")
            .Node("Flatten", ["s2"], ["f"], "flatten", OnnxAttr.Int("axis", 1))
            .Node("Gemm", ["f", "fc1.weight", "fc1.bias"], ["h1"], "fc1", linear)
            .Node("Sigmoid", ["h1"], ["s3"], "sigmoid3")
            .Node("Gemm", ["s3", "fc2.weight", "fc2.bias"], ["h2"], "fc2", linear)
            .Node("Sigmoid", ["h2"], ["s4"], "sigmoid4")
            .Node("Gemm", ["s4", "fc3.weight", "fc3.bias"], ["logits"], "fc3", linear)
            .Output("logits");
    }
}
