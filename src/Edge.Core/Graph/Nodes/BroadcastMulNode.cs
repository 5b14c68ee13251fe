using Edge.Core.Tensors;

namespace Edge.Core.Graph.Nodes;

/// <summary>
/// Element-wise product of two data tensors with NumPy broadcasting: the squeeze-excitation gate
/// <c>x · sigmoid(fc(pool(x)))</c> ([N, C, 1, 1] × [N, C, H, W]) of MobileNetV3, EfficientNet, MnasNet-A and RegNetY, or a
/// product of equal shapes. (A product with a constant is a <see cref="MulNode"/>; <c>x · sigmoid(x)</c> is imported as a
/// <see cref="SiluNode"/>.)
/// </summary>
public sealed class BroadcastMulNode(string name, string a, string b, string output) : Node(name, [a, b], [output])
{
    public override string OpType => "Mul";

    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        ExpectInputs(inputs, 2);
        return [Broadcast.Shape(inputs[0], inputs[1]) ?? throw BadShape($"shapes {inputs[0]} and {inputs[1]} do not broadcast")];
    }
}

/// <summary>
/// Addition of a constant that broadcasts onto the input (a scalar or one value per channel): what <c>x + c</c>,
/// <c>x − c</c> (as <c>x + (−c)</c>) and input normalization layers export. The converter makes it a depthwise 1×1 conv.
/// </summary>
public sealed class AddConstantNode(string name, string input, string output, ConstantTensor bias) : Node(name, [input], [output])
{
    public override string OpType => "Add";
    public ConstantTensor Bias { get; set; } = bias;
    public override IEnumerable<ConstantTensor> Constants => [Bias];

    /// <summary>A buffer, not a trained parameter.</summary>
    public override long ParameterCount => 0;

    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        ExpectInputs(inputs, 1);
        var s = Broadcast.Shape(inputs[0], Bias.Shape);
        if (s is null || s != inputs[0]) throw BadShape($"constant {Bias.Shape} does not broadcast onto the input {inputs[0]}");
        return [s];
    }
}
