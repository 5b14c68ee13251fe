using Edge.Core.Tensors;

namespace Edge.Core.Graph.Nodes;

/// <summary>
/// Inference-mode BatchNormalization over channel axis 1:
/// <c>y = (x − Mean) / √(Variance + Epsilon) · Scale + Bias</c>, each constant of length C.
/// </summary>
public sealed class BatchNormNode : Node
{
    public BatchNormNode(string name, string input, string output,
        ConstantTensor scale, ConstantTensor bias, ConstantTensor mean, ConstantTensor variance, float epsilon)
        : base(name, [input], [output])
    {
        Scale = scale;
        Bias = bias;
        Mean = mean;
        Variance = variance;
        Epsilon = epsilon;
    }

    public override string OpType => "BatchNormalization";
    public ConstantTensor Scale { get; set; }
    public ConstantTensor Bias { get; set; }
    public ConstantTensor Mean { get; set; }
    public ConstantTensor Variance { get; set; }
    public float Epsilon { get; set; }
    public int Channels => Scale.Length;

    public override IEnumerable<ConstantTensor> Constants => [Scale, Bias, Mean, Variance];

    /// <summary>γ and β are parameters; the running mean and variance are buffers.</summary>
    public override long ParameterCount => Scale.Length + Bias.Length;

    public override void Validate()
    {
        foreach (var c in Constants)
        {
            if (c.Length != Channels) throw Invalid($"'{c.Name}' has {c.Length} values, expected {Channels}");
        }
        if (!(Epsilon >= 0)) throw Invalid($"epsilon must be ≥ 0, got {Epsilon}");
        base.Validate();
        for (int c = 0; c < Channels; c++)
        {
            if (Variance.Data[c] < 0) throw Invalid($"variance '{Variance.Name}' is negative ({Variance.Data[c]}) at channel {c}");
        }
    }

    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        ExpectInputs(inputs, 1, 2);
        if (inputs[0][1] != Channels) throw BadShape($"input has {inputs[0][1]} channels, BatchNorm has {Channels}");
        return [inputs[0]];
    }

    public override string DescribeAttributes() => $"eps={Epsilon:g3}";
}
