using Edge.Core.Tensors;

namespace Edge.Core.Graph.Nodes;

/// <summary>
/// An element-wise function of one tensor. <see cref="Evaluate"/> is the single definition of the function: the float
/// reference path applies it, and the quantizer samples it to build int8 lookup tables.
/// </summary>
public abstract class UnaryElementwiseNode : Node
{
    protected UnaryElementwiseNode(string name, string input, string output) : base(name, [input], [output]) { }

    /// <summary>The function, in float32 with PyTorch's formula.</summary>
    public abstract float Evaluate(float x);

    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        ExpectInputs(inputs, 1);
        return [inputs[0]];
    }
}

/// <summary><c>max(x, 0)</c>.</summary>
public sealed class ReluNode(string name, string input, string output) : UnaryElementwiseNode(name, input, output)
{
    public override string OpType => "Relu";
    public override float Evaluate(float x) => x > 0f ? x : 0f;
}

/// <summary><c>min(max(x, Min), Max)</c>; ReLU6 is Clip(0, 6).</summary>
public sealed class ClipNode(string name, string input, string output, float min, float max) : UnaryElementwiseNode(name, input, output)
{
    public override string OpType => "Clip";
    public float Min { get; set; } = min;
    public float Max { get; set; } = max;
    public FusedClamp AsClamp => new(Min, Max);
    public override float Evaluate(float x) => x < Min ? Min : x > Max ? Max : x;

    public override void Validate()
    {
        if (!(Min <= Max)) throw Invalid($"Clip min {Min} is greater than max {Max}");
        base.Validate();
    }

    public override string DescribeAttributes() => $"[{Min}, {Max}]";
}

/// <summary><c>x ≥ 0 ? x : Alpha·x</c>.</summary>
public sealed class LeakyReluNode(string name, string input, string output, float alpha = 0.01f) : UnaryElementwiseNode(name, input, output)
{
    public override string OpType => "LeakyRelu";
    public float Alpha { get; set; } = alpha;
    public override float Evaluate(float x) => x >= 0f ? x : Alpha * x;
    public override string DescribeAttributes() => $"alpha={Alpha}";
}

/// <summary><c>1 / (1 + e^−x)</c>.</summary>
public sealed class SigmoidNode(string name, string input, string output) : UnaryElementwiseNode(name, input, output)
{
    public override string OpType => "Sigmoid";
    public override float Evaluate(float x) => 1f / (1f + MathF.Exp(-x));
}

/// <summary><c>tanh(x)</c>.</summary>
public sealed class TanhNode(string name, string input, string output) : UnaryElementwiseNode(name, input, output)
{
    public override string OpType => "Tanh";
    public override float Evaluate(float x) => MathF.Tanh(x);
}

/// <summary><c>x &gt; 0 ? x : Alpha·(e^x − 1)</c>.</summary>
public sealed class EluNode(string name, string input, string output, float alpha = 1f) : UnaryElementwiseNode(name, input, output)
{
    public override string OpType => "Elu";
    public float Alpha { get; set; } = alpha;
    public override float Evaluate(float x) => x > 0f ? x : Alpha * (MathF.Exp(x) - 1f);
    public override string DescribeAttributes() => $"alpha={Alpha}";
}

/// <summary><c>max(0, min(1, Alpha·x + Beta))</c>; PyTorch's Hardsigmoid is Alpha = 1/6, Beta = 0.5.</summary>
public sealed class HardSigmoidNode(string name, string input, string output, float alpha = 0.2f, float beta = 0.5f) : UnaryElementwiseNode(name, input, output)
{
    public override string OpType => "HardSigmoid";
    public float Alpha { get; set; } = alpha;
    public float Beta { get; set; } = beta;
    public override float Evaluate(float x) => Math.Clamp(Alpha * x + Beta, 0f, 1f);
    public override string DescribeAttributes() => $"alpha={Alpha:g4} beta={Beta:g4}";
}

/// <summary><c>x · min(max(x + 3, 0), 6) / 6</c>, as PyTorch's Hardswish.</summary>
public sealed class HardSwishNode(string name, string input, string output) : UnaryElementwiseNode(name, input, output)
{
    public override string OpType => "HardSwish";
    public override float Evaluate(float x) => x * Math.Clamp(x + 3f, 0f, 6f) / 6f;
}

/// <summary><c>x · sigmoid(x)</c> (SiLU, Swish; EfficientNet), imported from the exporter's <c>Mul(x, Sigmoid(x))</c>.</summary>
public sealed class SiluNode(string name, string input, string output) : UnaryElementwiseNode(name, input, output)
{
    public override string OpType => "Silu";
    public override float Evaluate(float x) => x * (1f / (1f + MathF.Exp(-x))); // as the exported Mul(x, Sigmoid(x))
}
