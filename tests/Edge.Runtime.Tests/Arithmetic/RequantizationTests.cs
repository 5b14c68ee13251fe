using System.Numerics;
using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Tests.Arithmetic;

/// <summary><see cref="Requantization.Requantize"/> against an arbitrary-precision reference.</summary>
public class RequantizationTests
{
    /// <summary><c>⌊(acc·M + 2^(n−1)) / 2^n⌋</c> in unbounded integers.</summary>
    internal static BigInteger Reference(int acc, long m, int n)
    {
        var numerator = (BigInteger)acc * m + (BigInteger.One << (n - 1));
        var d = BigInteger.One << n;
        var q = BigInteger.DivRem(numerator, d, out var r);
        return r.Sign < 0 ? q - 1 : q; // floor, not truncation
    }

    public static TheoryData<int, int> EdgeMultipliers => new()
    {
        { 0, 31 }, { 1, 31 }, { 1 << 30, 31 }, { int.MaxValue, 31 }, { int.MaxValue, 32 }, { int.MaxValue, 47 },
        { 1 << 30, 30 }, { 1, 62 }, { 1 << 30, 62 }, { int.MaxValue, 62 }, { int.MaxValue - 1, 61 }, { 1 << 29, 30 },
    };

    [Theory]
    [MemberData(nameof(EdgeMultipliers))]
    public void Extreme_accumulators_and_shifts_match_the_reference(int m, int n)
    {
        var q = new QuantizedMultiplier(m, n);
        Assert.True(q.IsValid);
        foreach (var acc in new[] { int.MinValue, int.MinValue + 1, -(1 << 30), -3, -1, 0, 1, 3, 1 << 30, int.MaxValue - 1, int.MaxValue })
            Assert.True(Reference(acc, m, n) == Requantization.Requantize(acc, q), $"acc {acc}, M {m}, n {n}: reference {Reference(acc, m, n)}, got {Requantization.Requantize(acc, q)}");
    }

    [Theory]
    [InlineData(3, 1 << 30, 31, 2)]            // 1.5 → 2
    [InlineData(-3, 1 << 30, 31, -1)]          // −1.5 → −1: ties go toward +∞, not away from zero
    [InlineData(5, 1 << 30, 31, 3)]            // 2.5 → 3
    [InlineData(-5, 1 << 30, 31, -2)]          // −2.5 → −2
    [InlineData(1, 1 << 30, 31, 1)]            // 0.5 → 1
    [InlineData(-1, 1 << 30, 31, 0)]           // −0.5 → 0
    [InlineData(1 << 30, 1 << 30, 61, 1)]      // 2^60 / 2^61 = 0.5 → 1
    [InlineData(-(1 << 30), 1 << 30, 61, 0)]   // −0.5 → 0
    [InlineData(int.MinValue, 1 << 30, 62, 0)] // −2^61 / 2^62 = −0.5 → 0, at the largest shift
    [InlineData(int.MinValue, 1 << 30, 30, int.MinValue)] // M = 2^n: the identity, even at −2^31
    [InlineData(int.MaxValue, 1 << 30, 30, int.MaxValue)]
    public void Exact_ties_round_toward_positive_infinity(int acc, int m, int n, int expected)
        => Assert.Equal(expected, Requantization.Requantize(acc, new QuantizedMultiplier(m, n)));

    [Fact]
    public void Random_pairs_match_the_reference()
    {
        var rng = new Random(20261121);
        for (int i = 0; i < 100_000; i++)
        {
            int acc = (i % 4) switch
            {
                0 => rng.Next(int.MinValue, int.MaxValue) + rng.Next(2),
                1 => rng.Next(-70000, 70000),
                2 => i % 8 == 2 ? int.MinValue : int.MaxValue - rng.Next(3),
                _ => (rng.Next(-40000, 40000) << rng.Next(0, 16)),
            };
            // Uniform on [0, 1) half the time, log-uniform down to 2^−40 otherwise.
            double r = i % 2 == 0 ? rng.NextDouble() : Math.ScaleB(1 + rng.NextDouble(), -rng.Next(1, 41)) / 2;
            var q = QuantizedMultiplier.FromReal(r);
            var expected = Reference(acc, q.Multiplier, q.Shift);
            int actual = Requantization.Requantize(acc, q);
            if (expected != actual) Assert.Fail($"pair {i}: acc {acc}, r {r:R} → {q}: reference {expected}, got {actual}");
            // And it is acc·r rounded, up to the multiplier's own error.
            double bound = 0.5 + Math.Abs((double)acc) * Math.Abs(q.ToDouble() - r) + 1e-6;
            if (Math.Abs(actual - acc * r) > bound) Assert.Fail($"pair {i}: acc {acc}, r {r:R}: {actual} is {Math.Abs(actual - acc * r)} from acc·r");
        }
    }

    [Fact]
    public void Output_stage_adds_the_zero_point_without_int32_overflow()
    {
        // requantize(int.MaxValue, ~1) ≈ 2^31 − 1; + 127 must clamp to 127, not wrap to a negative number.
        var q = QuantizedMultiplier.FromReal(1 - Math.ScaleB(1, -31));
        Assert.Equal(int.MaxValue - 1, Requantization.Requantize(int.MaxValue, q));
        Assert.Equal(127, Requantization.ToInt8(int.MaxValue, q, 127, ClampRange.Full));
        Assert.Equal(-128, Requantization.ToInt8(int.MinValue, q, -128, ClampRange.Full));
        Assert.Equal(5, Requantization.ToInt8(int.MaxValue, q, 127, new ClampRange(-7, 5)));
    }
}
