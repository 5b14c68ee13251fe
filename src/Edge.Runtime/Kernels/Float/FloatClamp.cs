namespace Edge.Runtime.Kernels.Float;

/// <summary>A float operator's fused clamp <c>[Min, Max]</c> (±∞ for none), applied as the float graph applies it.</summary>
internal readonly record struct FloatClamp
{
    public FloatClamp(float min, float max)
    {
        if (float.IsNaN(min) || float.IsNaN(max) || min > max) throw new ArgumentException($"clamp [{min}, {max}] is not an ordered range");
        (Min, Max) = (min, max);
    }

    public float Min { get; }
    public float Max { get; }

    /// <summary><c>y &lt; Min ? Min : y &gt; Max ? Max : y</c> (NaN passes through, as in the float graph).</summary>
    public float Apply(float y) => y < Min ? Min : y > Max ? Max : y;

    public override string ToString() => $"[{Min}, {Max}]";
}
