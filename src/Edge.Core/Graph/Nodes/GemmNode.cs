using Edge.Core.Tensors;

namespace Edge.Core.Graph.Nodes;

/// <summary>
/// Fully connected layer: <c>Y = X·Wᵀ + b</c> with X [N, K], <see cref="Weight"/> [outFeatures = M, K], bias [M].
/// ONNX Gemm (alpha, beta, transA = 0, transB) and MatMul by a constant are normalized to this form at import.
/// </summary>
public sealed class GemmNode : Node
{
    public GemmNode(string name, string input, string output, ConstantTensor weight, ConstantTensor? bias)
        : base(name, [input], [output])
    {
        Weight = weight;
        Bias = bias;
    }

    public override string OpType => "Gemm";
    public ConstantTensor Weight { get; set; }
    public ConstantTensor? Bias { get; set; }
    public FusedClamp Clamp { get; set; } = FusedClamp.None;
    public int OutFeatures => Weight.Shape[0];
    public int InFeatures => Weight.Shape[1];

    public override IEnumerable<ConstantTensor> Constants => Bias is null ? [Weight] : [Weight, Bias];

    public override void Validate()
    {
        if (Weight.Shape.Rank != 2) throw Invalid($"weight '{Weight.Name}' must be [out, in], got {Weight.Shape}");
        if (Bias is not null && Bias.Length != OutFeatures)
            throw Invalid($"bias '{Bias.Name}' must have {OutFeatures} values, got {Bias.Shape}");
        base.Validate();
    }

    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        ExpectInputs(inputs, 1, 2);
        var x = inputs[0];
        if (x.Rank != 2) throw BadShape($"Gemm expects a [N, K] input, got {x}");
        if (x[1] != InFeatures) throw BadShape($"input has {x[1]} features, the weight {Weight.Shape} expects {InFeatures}");
        return [new TensorShape(x[0], OutFeatures)];
    }

    public override long CountMacs(IReadOnlyList<TensorShape> inputs, IReadOnlyList<TensorShape> outputs)
        => outputs[0].ElementCount * InFeatures;

    public override string DescribeAttributes() => Clamp.IsNone ? "" : $"+{Clamp}";
}
