namespace Edge.Runtime.Arithmetic;

/// <summary>The two rounding rules of the int8 contract (docs/int8-arithmetic.md) that are not requantization.</summary>
public static class Rounding
{
    /// <summary>
    /// <c>round_half_away(x)</c>: nearest integer, ties away from zero, evaluated in double precision
    /// (<see cref="Math.Round(double, MidpointRounding)"/> with <see cref="MidpointRounding.AwayFromZero"/>).
    /// </summary>
    public static double RoundHalfAway(double x) => Math.Round(x, MidpointRounding.AwayFromZero);

    /// <summary>
    /// <c>div_round(sum, count) = sign(sum) × ((2|sum| + count) / (2·count))</c> in truncating integer division:
    /// <c>sum / count</c> rounded to nearest, ties away from zero. <paramref name="count"/> must be positive.
    /// The intermediate runs in int64, so any int32 <paramref name="sum"/> is exact (an average pool sums at most
    /// 255 per counted element, far inside that).
    /// </summary>
    public static int DivRound(int sum, int count)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), count, "the divisor of div_round must be positive");
        long magnitude = (2L * Math.Abs((long)sum) + count) / (2L * count);
        return (int)(sum < 0 ? -magnitude : magnitude);
    }
}
