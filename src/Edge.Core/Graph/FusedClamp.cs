namespace Edge.Core.Graph;

/// <summary>
/// An activation fused into its producer (Conv, Gemm, Add) as a clamp of the output: ReLU is [0, +∞), ReLU6 is [0, 6],
/// ONNX Clip is [min, max]. <see cref="None"/> is (−∞, +∞).
/// </summary>
public readonly record struct FusedClamp(float Min, float Max)
{
    public static FusedClamp None => new(float.NegativeInfinity, float.PositiveInfinity);
    public static FusedClamp Relu => new(0f, float.PositiveInfinity);
    public static FusedClamp Relu6 => new(0f, 6f);

    public bool IsNone => float.IsNegativeInfinity(Min) && float.IsPositiveInfinity(Max);

    public float Apply(float x) => x < Min ? Min : x > Max ? Max : x;

    /// <summary>The clamp that applying <paramref name="next"/> after this one amounts to.</summary>
    public FusedClamp Then(FusedClamp next)
    {
        float lo = Math.Max(Min, next.Min), hi = Math.Min(Max, next.Max);
        if (lo <= hi) return new FusedClamp(lo, hi);
        float constant = Max < next.Min ? next.Min : next.Max; // the ranges are disjoint: the output is a constant
        return new FusedClamp(constant, constant);
    }

    public override string ToString() => IsNone ? "none"
        : Min == 0 && float.IsPositiveInfinity(Max) ? "relu"
        : Min == 0 && Max == 6 ? "relu6"
        : $"clip[{Min}, {Max}]";
}
