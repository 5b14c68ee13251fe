using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Tests.Arithmetic;

public class QuantizedMultiplierTests
{
    [Theory]
    [InlineData(0.5, 1 << 30, 31)]
    [InlineData(0.75, 3 << 29, 31)]
    [InlineData(0.25, 1 << 30, 32)]
    [InlineData(0.0, 0, 62)]
    [InlineData(1e-300, 0, 62)]
    [InlineData(2.3283064365386963e-10, 1 << 30, 62)] // 2^−32: the smallest r with M in [2^30, 2^31)
    [InlineData(1.1641532182693481e-10, 1 << 29, 62)] // 2^−33 keeps n = 62 with a smaller M
    [InlineData(0.99999999953433871, int.MaxValue, 31)] // 1 − 2^−31
    [InlineData(0.99999999976716936, 1 << 30, 30)]  // 1 − 2^−32: r·2^31 rounds up to 2^31, so n drops to 30
    [InlineData(0.99999999999999989, 1 << 30, 30)]  // the largest double below 1
    public void FromReal_picks_the_largest_shift_that_fits(double r, int m, int n)
    {
        var q = QuantizedMultiplier.FromReal(r);
        Assert.Equal(new QuantizedMultiplier(m, n), q);
        Assert.True(q.IsValid);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(1.5)]
    [InlineData(-1e-300)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void FromReal_rejects_values_outside_0_to_1(double r)
        => Assert.Throws<ArgumentOutOfRangeException>(() => QuantizedMultiplier.FromReal(r));

    [Fact]
    public void FromReal_round_trips_within_half_a_step()
    {
        var rng = new Random(7);
        for (int i = 0; i < 20_000; i++)
        {
            double r = i % 2 == 0 ? rng.NextDouble() : Math.ScaleB(1 + rng.NextDouble(), -rng.Next(1, 70)) / 2;
            var q = QuantizedMultiplier.FromReal(r);
            string what = $"r {r:R} → {q}";
            Assert.True(q.Shift is >= 30 and <= 62, what);
            // M is r·2^n rounded: within half a step of 2^−n.
            Assert.True(Math.Abs(q.ToDouble() - r) <= Math.ScaleB(0.5, -q.Shift), what);
            // n is the largest that fits: n = 62, or one more bit would need M ≥ 2^31.
            Assert.True(q.Shift == 62 || Math.Round(Math.ScaleB(r, q.Shift + 1), MidpointRounding.AwayFromZero) >= 2147483648.0, what);
            if (r >= Math.ScaleB(1, -32))
            {
                // Full precision: M in [2^30, 2^31), relative error at most 2^−31.
                Assert.True(q.Multiplier >= 1 << 30, what);
                Assert.True(Math.Abs(q.ToDouble() - r) <= r * Math.ScaleB(1, -31), what);
            }
        }
    }

    [Theory]
    [InlineData(-1, 31, false)]
    [InlineData(5, 0, false)]
    [InlineData(5, 63, false)]
    [InlineData(int.MaxValue, 31, true)]
    [InlineData(1 << 30, 30, true)]
    [InlineData((1 << 30) + 1, 30, false)] // M > 2^n: r > 1, the result could leave int32
    [InlineData(8, 3, true)]
    public void IsValid_requires_a_shift_in_1_to_62_and_r_at_most_1(int m, int n, bool valid)
        => Assert.Equal(valid, new QuantizedMultiplier(m, n).IsValid);
}
