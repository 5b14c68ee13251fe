namespace Edge.Runtime.Arithmetic;

/// <summary>The one rounding rule of the int8 contract: <c>requantize(acc, M, n) = (int64(acc)·M + 2^(n−1)) &gt;&gt; n</c>.</summary>
public static class Requantization
{
    /// <summary>
    /// <c>(int64(acc)·M + 2^(n−1)) &gt;&gt; n</c> with an arithmetic shift: <c>acc·M / 2^n</c> rounded to nearest, ties toward +∞.
    /// <para>
    /// Overflow: <c>|acc| ≤ 2^31</c> and <c>M ≤ 2^31</c>, so <c>|acc·M| ≤ 2^62</c>, and the rounding term is at most 2^61: the sum
    /// fits in int64. With <c>M ≤ 2^n</c> (a valid multiplier, <c>r ≤ 1</c>) the result lies between <c>acc</c> and 0 up to the
    /// rounding, so it fits in int32.
    /// </para>
    /// </summary>
    public static int Requantize(int acc, QuantizedMultiplier q)
        => (int)(((long)acc * q.Multiplier + (1L << (q.Shift - 1))) >> q.Shift);

    /// <summary>
    /// The output stage of a convolution, GEMM or rescale, literally as the contract writes it:
    /// <c>clamp(requantize(acc, M, n) + zp_out, q_min, q_max)</c>. The sum is formed in int64: an int32 sum could wrap
    /// when the requantized value is near ±2^31.
    /// </summary>
    public static sbyte ToInt8(int acc, QuantizedMultiplier q, int outputZeroPoint, ClampRange clamp)
        => (sbyte)Math.Clamp((long)Requantize(acc, q) + outputZeroPoint, clamp.Min, clamp.Max);
}
