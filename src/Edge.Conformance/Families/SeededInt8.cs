using Edge.Runtime.Arithmetic;

namespace Edge.Conformance.Families;

/// <summary>Seeded int8 parameters for the depthwise, pool and Add families: output stages, clamps, zero points (tensors from <see cref="CaseData"/>).</summary>
internal static class SeededInt8
{
    /// <summary>An active clamp inside [−128, 127] around <paramref name="zeroPoint"/>, or the full range.</summary>
    public static ClampRange Clamp(Random rng, int zeroPoint, bool active)
    {
        if (!active) return ClampRange.Full;
        int lo = Math.Max(-128, zeroPoint - rng.Next(0, 60)), hi = Math.Min(127, zeroPoint + rng.Next(10, 90));
        return new ClampRange(lo, Math.Max(lo, hi));
    }

    /// <summary>
    /// Per-channel multipliers that map accumulators of <paramref name="taps"/> products to ~±60 LSB (so outputs spread
    /// over the int8 range and the clamp bites), each channel's scale jittered ×[0.5, 2]; every eighth channel gets a tiny
    /// multiplier (a shift of 40 or more) to reach the long shifts, and every eleventh one in [0.5, 0.9] (a shift of 31,
    /// which the depthwise kernels' fast output stage hands to the general one).
    /// </summary>
    public static OutputStage Stage(Random rng, int channels, int taps, int zeroPoint, ClampRange clamp)
    {
        double rms = 74.0 * 73.0 * Math.Sqrt(Math.Max(1, taps));
        var m = new QuantizedMultiplier[channels];
        for (int c = 0; c < channels; c++)
        {
            double real = 60.0 / rms * Math.Pow(2, rng.NextDouble() * 2 - 1);
            if (c % 8 == 7) real = Math.ScaleB(1 + rng.NextDouble(), -rng.Next(10, 30));
            if (c % 11 == 5) real = 0.5 + 0.4 * rng.NextDouble();
            m[c] = QuantizedMultiplier.FromReal(Math.Min(real, 0.9));
        }
        return new OutputStage(m, zeroPoint, clamp);
    }

    /// <summary>A zero point: the extremes and 0 in turn, otherwise random.</summary>
    public static int ZeroPoint(Random rng, int index) => (index % 4) switch
    {
        0 => -128,
        1 => 0,
        2 => 127,
        _ => rng.Next(-128, 128),
    };
}
