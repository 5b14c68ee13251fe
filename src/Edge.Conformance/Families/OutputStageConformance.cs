using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels;

namespace Edge.Conformance.Families;

/// <summary>
/// The output stage (src/Edge.Runtime/Arithmetic): per-channel requantization, output zero point and clamp.
/// <list type="bullet">
/// <item><c>OutputStage/Scalar</c>: <see cref="Requantization.ToInt8"/> against the contract evaluated in arbitrary
/// precision (<see cref="BigInteger"/>, floor division instead of an arithmetic shift), so the JIT's 64-bit multiply and
/// shift are checked on the device too.</item>
/// <item><c>OutputStage/Vector128</c>: four lanes from channels 0 and 4 (the Vector128 stage's 2^(62−n) split).</item>
/// <item><c>OutputStage/Avx2</c>: eight lanes from every channel, the last blocks reaching into the padding.</item>
/// </list>
/// Multipliers cover the edges of the contract: n = 1, 29, 30, 31 and 62, M = 0 and 2^31 − 1, r ≈ 1, and every other round
/// the AVX2 short stage's (n = 32, 33, 62, M = 0); accumulators include ±2^31 and its neighbours.
/// </summary>
public static class OutputStageConformance
{
    private static readonly int[] Special = [int.MinValue, int.MinValue + 1, -1, 0, 1, int.MaxValue - 1, int.MaxValue];

    public static IEnumerable<ConformanceCase> Cases(KernelPath path, bool quick)
    {
        int rounds = quick ? 200 : 2_000;
        switch (path)
        {
            case KernelPath.Scalar:
                for (int round = 0; round < rounds; round++) yield return ScalarCase(round);
                break;
            case KernelPath.Vector128:
                for (int round = 0; round < rounds; round++) yield return LanesCase("OutputStage/Vector128", 42, round, 4, maxChannels: 8);
                break;
            case KernelPath.Avx2:
                for (int round = 0; round < rounds; round++) yield return LanesCase("OutputStage/Avx2", 43, round, 8, maxChannels: 13);
                break;
        }
    }

    private static QuantizedMultiplier RandomMultiplier(Random rng) => rng.Next(9) switch
    {
        0 => new QuantizedMultiplier(1 << 30, 30),                      // r = 1 with n = 30
        1 => new QuantizedMultiplier(rng.Next(0, (1 << 29) + 1), 29),  // n below 31, M ≤ 2^n
        2 => new QuantizedMultiplier(0, 62),
        3 => new QuantizedMultiplier(int.MaxValue, 62),
        4 => new QuantizedMultiplier(int.MaxValue, 31),
        5 => new QuantizedMultiplier(rng.Next(0, 3), 1),
        _ => QuantizedMultiplier.FromReal(Math.ScaleB(rng.NextDouble(), -rng.Next(0, 34))),
    };

    /// <summary>
    /// A multiplier the AVX2 short stage takes (n ≥ 33 or M = 0), its edges first: n = 33 (the first shift whose rounding
    /// term is a whole multiple of 2^32) with M up to 2^31 − 1, n = 62, M = 0 with a shift below 33; or its neighbour n = 32,
    /// which must go to the general stage.
    /// </summary>
    private static QuantizedMultiplier ShortMultiplier(Random rng) => rng.Next(6) switch
    {
        0 => new QuantizedMultiplier(rng.Next(1 << 30, int.MaxValue) | (rng.Next(2) == 0 ? int.MaxValue : 0), 33),
        1 => new QuantizedMultiplier(rng.Next(), QuantizedMultiplier.MaxShift),
        2 => new QuantizedMultiplier(0, rng.Next(1, 33)),
        3 => new QuantizedMultiplier(rng.Next(1 << 30, int.MaxValue), 32),
        _ => QuantizedMultiplier.FromReal(Math.ScaleB(rng.NextDouble(), -rng.Next(2, 31))),
    };

    private static int RandomAccumulator(Random rng) => rng.Next(4) == 0 ? Special[rng.Next(Special.Length)] : rng.Next(int.MinValue, int.MaxValue);

    private static ClampRange RandomClamp(Random rng, int round)
    {
        int lo = rng.Next(-128, 128), hi = rng.Next(lo, 128);
        return round % 3 == 0 ? ClampRange.Full : new ClampRange(lo, hi);
    }

    private static ConformanceCase ScalarCase(int round)
    {
        var rng = new Random(41 * 1_000_003 + round);
        var q = RandomMultiplier(rng);
        int zp = CaseData.ZeroPoint(rng);
        var clamp = RandomClamp(rng, round);
        var acc = new int[16];
        for (int i = 0; i < acc.Length; i++) acc[i] = RandomAccumulator(rng);
        return new ConformanceCase("OutputStage/Scalar", $"round {round}: {q}, zp {zp}, clamp {clamp}, acc [{string.Join(", ", acc)}]", () =>
        {
            foreach (int a in acc)
            {
                int actual = Requantization.ToInt8(a, q, zp, clamp);
                int expected = (int)BigInteger.Clamp(Contract(a, q) + zp, clamp.Min, clamp.Max);
                if (actual != expected) return $"acc {a}: contract {expected}, scalar {actual}";
            }
            return null;
        });
    }

    /// <summary><c>⌊(acc·M + 2^(n−1)) / 2^n⌋</c> in arbitrary precision: round to nearest, ties toward +∞.</summary>
    private static BigInteger Contract(int acc, QuantizedMultiplier q)
    {
        var numerator = (BigInteger)acc * q.Multiplier + (BigInteger.One << (q.Shift - 1));
        var divisor = BigInteger.One << q.Shift;
        var quotient = BigInteger.DivRem(numerator, divisor, out var remainder);
        return remainder.Sign < 0 ? quotient - 1 : quotient;
    }

    private static ConformanceCase LanesCase(string family, int seed, int round, int lanes, int maxChannels)
    {
        var rng = new Random(seed * 1_000_003 + round);
        var multipliers = new QuantizedMultiplier[lanes == 4 ? 8 : 1 + rng.Next(maxChannels - 1)];
        // Every other round on the short stage's multipliers (and its n = 32 neighbour), so whole 8-lane blocks take it.
        bool shortRound = round % 2 == 1;
        for (int c = 0; c < multipliers.Length; c++) multipliers[c] = shortRound ? ShortMultiplier(rng) : RandomMultiplier(rng);
        int zp = CaseData.ZeroPoint(rng);
        var clamp = RandomClamp(rng, round);
        int blocks = lanes == 4 ? 2 : multipliers.Length;
        var acc = new int[blocks * lanes];
        for (int i = 0; i < acc.Length; i++) acc[i] = RandomAccumulator(rng);
        string parameters = $"round {round}: multipliers [{string.Join(", ", multipliers)}], zp {zp}, clamp {clamp}";
        return new ConformanceCase(family, parameters, () =>
        {
            var stage = new OutputStage(multipliers, zp, clamp);
            Span<int> vector = stackalloc int[lanes];
            for (int b = 0; b < blocks; b++)
            {
                int first = lanes == 4 ? 4 * b : b;
                var block = acc.AsSpan(b * lanes, lanes);
                if (lanes == 4) stage.Apply(Vector128.Create<int>(block), first).CopyTo(vector);
                else if (Avx2.IsSupported) stage.Apply(Vector256.Create<int>(block), first).CopyTo(vector);
                else return "AVX2 is not supported here; the AVX2 stage cannot run";
                for (int i = 0; i < lanes && first + i < multipliers.Length; i++)
                {
                    int scalar = stage.Apply(block[i], first + i);
                    if (scalar != vector[i])
                        return $"channel {first + i} (lane {i} of the block at {first}): acc {block[i]}, {multipliers[first + i]}: scalar {scalar}, vector {vector[i]}";
                }
            }
            return null;
        });
    }
}
