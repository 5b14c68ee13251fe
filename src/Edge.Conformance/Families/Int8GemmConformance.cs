using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Gemm;

namespace Edge.Conformance.Families;

/// <summary>
/// <see cref="Int8Gemm"/> on one kernel path against its scalar reference, bit for bit, on seeded shapes around every
/// tile boundary: M (rows) in {1, 2, MR − 1, MR, MR + 1, 2·MR + 1} for the path's tile rows MR, N (outputs) in
/// {1, 2, 15, 16, 17, 33} around the 16-channel panels, K in {1, 2, 7, 8, 9, 17} around the K step of 8 and some long K;
/// input zero points −128, 0 and 127 (and random ones); weights at ±127; active clamps; accumulators that wrap. Each case
/// also runs its work items in random splits (<see cref="Int8Gemm.RunRange"/>), which must give the same bytes.
/// </summary>
public static class Int8GemmConformance
{
    public static IEnumerable<ConformanceCase> Cases(KernelPath path, bool quick)
    {
        string family = $"Int8Gemm/{Int8Gemm.PathFor(path)}";
        int mr = Int8Gemm.TileRows(path);
        int[] ms = Distinct(1, 2, mr - 1, mr, mr + 1, 2 * mr + 1);
        int[] ns = [1, 2, 15, 16, 17, 33];
        int[] ks = quick ? [1, 7, 9, 17] : [1, 2, 7, 8, 9, 17];
        int seed = 0;
        foreach (int m in quick ? Distinct(1, mr, 2 * mr + 1) : ms)
            foreach (int n in quick ? [1, 17, 33] : ns)
                foreach (int k in ks)
                {
                    int s = ++seed;
                    yield return Case(family, path, new GemmParameters(m, k, n, s, ZeroPoint(s), Extreme: s % 3 == 0, Clamped: s % 2 == 0, Wrap: false));
                }
        // Long K (several tiles deep, odd remainders) and the shipped models' layer sizes.
        (int M, int K, int N)[] large = quick
            ? [(1, 400, 120), (3, 1000, 10)]
            : [(1, 400, 120), (2, 120, 84), (1, 84, 10), (3, 1000, 10), (mr + 1, 255, 65), (1, 1024, 1000), (2 * mr + 1, 513, 31)];
        foreach (var (m, k, n) in large)
        {
            int s = ++seed;
            yield return Case(family, path, new GemmParameters(m, k, n, s, ZeroPoint(s), Extreme: s % 2 == 0, Clamped: true, Wrap: false));
        }
        foreach (int zp in new[] { -128, 0, 127 })
        {
            int s = ++seed;
            yield return Case(family, path, new GemmParameters(mr + 1, 37, 19, s, zp, Extreme: true, Clamped: false, Wrap: true));
        }
    }

    /// <summary>One GEMM case's parameters, printed in full on failure.</summary>
    private readonly record struct GemmParameters(int M, int K, int N, int Seed, int InputZeroPoint, bool Extreme, bool Clamped, bool Wrap);

    private static ConformanceCase Case(string family, KernelPath path, GemmParameters p)
        => new(family, $"M {p.M} K {p.K} N {p.N} seed {p.Seed} zp_x {p.InputZeroPoint} extreme {p.Extreme} clamped {p.Clamped} wrapping {p.Wrap}", () =>
        {
            var rng = new Random(p.Seed);
            var input = Data.Activations(rng, p.M * p.K, p.Extreme);
            var weights = Data.Weights(rng, p.N * p.K, p.Extreme);
            var bias = Data.Bias(rng, p.N, p.K, p.Wrap);
            var stage = Data.Stage(rng, p.N, p.K, p.Clamped, p.Wrap);
            var op = Int8Gemm.Prepare(p.M, p.K, p.N, weights, bias, p.InputZeroPoint, stage);
            var reference = new sbyte[op.OutputLength];
            Int8Gemm.RunScalar(op, input, reference, []);
            // The output with a guard after it: a kernel's masked stores must end at the tensor's last byte.
            var guarded = new sbyte[op.OutputLength + OutputGuard.Length];
            OutputGuard.Fill(guarded.AsSpan(op.OutputLength));
            var actual = guarded.AsSpan(0, op.OutputLength);
            var scratch = new byte[op.ScratchLength];
            Int8Gemm.Run(op, input, actual, scratch, path);
            string? locate(int i) => $" (row {i / p.N}, output {i % p.N})";
            var difference = Compare.FirstDifference<sbyte>(reference, actual, i => locate(i)!) ?? OutputGuard.Check(guarded.AsSpan(op.OutputLength));
            if (difference is not null) return difference;
            if (Int8Gemm.PathFor(path) == KernelPath.Scalar) return null;
            foreach (var split in Data.Splits(rng, op.WorkItems))
            {
                var parts = new sbyte[op.OutputLength];
                foreach (var (begin, end) in split) Int8Gemm.RunRange(op, input, parts, scratch, path, begin, end);
                difference = Compare.FirstDifference<sbyte>(reference, parts, i => locate(i)!);
                if (difference is not null) return $"work items split {Data.Show(split)} of {op.WorkItems}: {difference}";
            }
            return null;
        });

    private static int ZeroPoint(int seed) => (seed % 4) switch { 0 => -128, 1 => 0, 2 => 127, _ => seed * 37 % 255 - 128 };

    private static int[] Distinct(params int[] values) => values.Where(v => v >= 1).Distinct().Order().ToArray();
}

/// <summary>Seeded data of the GEMM and convolution families (self-contained: System.Random only).</summary>
internal static class Data
{
    /// <summary>Activations in [−128, 127]; <paramref name="extreme"/> draws mostly −128, 127 and 0.</summary>
    public static sbyte[] Activations(Random rng, int n, bool extreme)
    {
        var x = new sbyte[n];
        for (int i = 0; i < n; i++)
            x[i] = extreme && rng.Next(4) != 0 ? (sbyte)(rng.Next(3) switch { 0 => -128, 1 => 127, _ => 0 }) : (sbyte)rng.Next(-128, 128);
        return x;
    }

    /// <summary>Weights in [−127, 127]; <paramref name="extreme"/> draws mostly ±127.</summary>
    public static sbyte[] Weights(Random rng, int n, bool extreme)
    {
        var w = new sbyte[n];
        for (int i = 0; i < n; i++)
            w[i] = extreme && rng.Next(4) != 0 ? (sbyte)(rng.Next(2) == 0 ? -127 : 127) : (sbyte)rng.Next(-127, 128);
        return w;
    }

    /// <summary>A bias in the accumulators' range, or (<paramref name="wrap"/>) near ±2^31 so that the sums wrap.</summary>
    public static int[] Bias(Random rng, int n, int k, bool wrap)
    {
        var b = new int[n];
        int range = (int)Math.Min(int.MaxValue / 2, 40L * 73 * (long)Math.Sqrt(k) + 100);
        for (int i = 0; i < n; i++) b[i] = wrap ? (i % 2 == 0 ? int.MaxValue - rng.Next(1000) : int.MinValue + rng.Next(1000)) : rng.Next(-range, range + 1);
        return b;
    }

    /// <summary>
    /// Per-channel multipliers that map accumulators of K products to a spread of int8 values (one channel near 1, so that
    /// the clamp bites), a random output zero point, and a clamp that is active (<paramref name="clamped"/>) or full.
    /// <paramref name="allShort"/>: every multiplier below 1/4 (the short stage's range: kernels that run the stage in
    /// generated code only for such layers take their fused path then).
    /// </summary>
    public static OutputStage Stage(Random rng, int n, int k, bool clamped, bool wrap, bool allShort = false)
    {
        var q = new QuantizedMultiplier[n];
        double typical = wrap ? 1e-9 : 45.0 / (73.0 * 73.0 * Math.Sqrt(k) + 1);
        for (int i = 0; i < n; i++)
            q[i] = QuantizedMultiplier.FromReal(i == n / 2 && !allShort ? 0.9 : Math.Min(allShort ? 0.2 : 0.99, typical * (0.5 + 1.5 * rng.NextDouble())));
        int zp = rng.Next(-128, 128);
        var clamp = clamped ? new ClampRange(Math.Max(-128, zp - 30 - rng.Next(40)), Math.Min(127, zp + 30 + rng.Next(40))) : ClampRange.Full;
        if (clamp.Min > clamp.Max) clamp = ClampRange.Full;
        return new OutputStage(q, zp, clamp);
    }

    /// <summary>Three random splits of [0, items) into consecutive ranges, the ranges run in shuffled order.</summary>
    public static IEnumerable<(int Begin, int End)[]> Splits(Random rng, int items)
    {
        for (int t = 0; t < 3; t++)
        {
            var cuts = new List<int> { 0, items };
            int extra = rng.Next(0, Math.Min(items, 5));
            for (int i = 0; i < extra; i++) cuts.Add(rng.Next(0, items + 1));
            var sorted = cuts.Distinct().Order().ToArray();
            var ranges = new (int, int)[sorted.Length - 1];
            for (int i = 0; i + 1 < sorted.Length; i++) ranges[i] = (sorted[i], sorted[i + 1]);
            rng.Shuffle(ranges);
            yield return ranges;
        }
    }

    public static string Show((int Begin, int End)[] split) => string.Join(" ", split.Select(r => $"[{r.Begin}, {r.End})"));
}
