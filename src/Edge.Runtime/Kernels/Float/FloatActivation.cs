using Edge.Runtime.Format;

namespace Edge.Runtime.Kernels.Float;

/// <summary>
/// A float32 element-wise activation (<see cref="EdgeOpType.FloatActivation"/>): the function of <see cref="Kind"/> with
/// its parameters, in float32 with the formulas of the float graph (<c>UnaryElementwiseNode.Evaluate</c>). May run in place.
/// </summary>
public sealed class FloatActivation
{
    private readonly float _p0, _p1;

    private FloatActivation(EdgeActivationKind kind, float p0, float p1) => (Kind, _p0, _p1) = (kind, p0, p1);

    public EdgeActivationKind Kind { get; }

    /// <summary>How many floats <paramref name="kind"/> takes: Clip (min, max) and HardSigmoid (alpha, beta) 2, LeakyRelu and Elu (alpha) 1.</summary>
    public static int ParameterCount(EdgeActivationKind kind) => kind switch
    {
        EdgeActivationKind.Clip or EdgeActivationKind.HardSigmoid => 2,
        EdgeActivationKind.LeakyRelu or EdgeActivationKind.Elu => 1,
        _ => 0,
    };

    public static FloatActivation Prepare(EdgeActivationKind kind, ReadOnlySpan<float> parameters)
    {
        if (!Enum.IsDefined(kind)) throw new ArgumentException($"activation kind {(int)kind} is unknown");
        Guard.SameLength(parameters.Length, ParameterCount(kind), $"{kind} parameters");
        float p0 = parameters.Length > 0 ? parameters[0] : 0f, p1 = parameters.Length > 1 ? parameters[1] : 0f;
        if (kind == EdgeActivationKind.Clip && !(p0 <= p1)) throw new ArgumentException($"Clip min {p0} is greater than max {p1}");
        return new FloatActivation(kind, p0, p1);
    }

    /// <summary>The function at one point.</summary>
    public float Evaluate(float x) => Kind switch
    {
        EdgeActivationKind.Relu => x > 0f ? x : 0f,
        EdgeActivationKind.Clip => x < _p0 ? _p0 : x > _p1 ? _p1 : x,
        EdgeActivationKind.LeakyRelu => x >= 0f ? x : _p0 * x,
        EdgeActivationKind.Sigmoid => 1f / (1f + MathF.Exp(-x)),
        EdgeActivationKind.Tanh => MathF.Tanh(x),
        EdgeActivationKind.Elu => x > 0f ? x : _p0 * (MathF.Exp(x) - 1f),
        EdgeActivationKind.HardSigmoid => Math.Clamp(_p0 * x + _p1, 0f, 1f),
        EdgeActivationKind.Silu => x * (1f / (1f + MathF.Exp(-x))),
        _ => x * Math.Clamp(x + 3f, 0f, 6f) / 6f, // HardSwish
    };

    public static void Run(FloatActivation op, ReadOnlySpan<float> input, Span<float> output)
    {
        Guard.SameLength(input.Length, output.Length, "activation input and output");
        for (int i = 0; i < input.Length; i++) output[i] = op.Evaluate(input[i]);
    }

    public override string ToString() => $"FloatActivation {Kind}";
}
