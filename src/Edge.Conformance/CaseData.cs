namespace Edge.Conformance;

/// <summary>Seeded random tensors and parameters for the case families (the xunit suite's TestData, shipped).</summary>
public static class CaseData
{
    /// <summary>Uniform int8 in [−128, 127], or only the extremes −128 and 127 when <paramref name="extreme"/>.</summary>
    public static sbyte[] Activations(Random rng, int length, bool extreme = false)
    {
        var a = new sbyte[length];
        for (int i = 0; i < a.Length; i++) a[i] = extreme ? (rng.Next(2) == 0 ? sbyte.MinValue : sbyte.MaxValue) : (sbyte)rng.Next(-128, 128);
        return a;
    }

    /// <summary>Uniform weights in [−127, 127] (never −128: the contract's weight range), or only ±127 when <paramref name="extreme"/>.</summary>
    public static sbyte[] Weights(Random rng, int length, bool extreme = false)
    {
        var w = new sbyte[length];
        for (int i = 0; i < w.Length; i++) w[i] = extreme ? (sbyte)(rng.Next(2) == 0 ? -127 : 127) : (sbyte)rng.Next(-127, 128);
        return w;
    }

    /// <summary>A value uniform in [lo, hi).</summary>
    public static double Uniform(Random rng, double lo, double hi) => lo + (hi - lo) * rng.NextDouble();

    /// <summary>One of <paramref name="options"/>.</summary>
    public static T Pick<T>(Random rng, params T[] options) => options[rng.Next(options.Length)];

    /// <summary>A positive activation scale spread over four decades, as calibration produces them.</summary>
    public static float Scale(Random rng) => (float)Math.Pow(10, Uniform(rng, -3, 1));

    /// <summary>A zero point: −128, 127 or 0 an eighth of the time each, otherwise uniform.</summary>
    public static int ZeroPoint(Random rng) => rng.Next(8) switch { 0 => -128, 1 => 127, 2 => 0, _ => rng.Next(-128, 128) };
}
