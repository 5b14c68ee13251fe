using System.Numerics;
using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Tests.Arithmetic;

public class RoundingTests
{
    [Theory]
    [InlineData(2.5, 3)]
    [InlineData(-2.5, -3)]
    [InlineData(0.5, 1)]
    [InlineData(-0.5, -1)]
    [InlineData(0.49999999999999994, 0)]
    [InlineData(1.4999999999999998, 1)]
    [InlineData(-7.2, -7)]
    public void RoundHalfAway_rounds_ties_away_from_zero(double x, double expected) => Assert.Equal(expected, Rounding.RoundHalfAway(x));

    [Theory]
    [InlineData(3, 2, 2)]
    [InlineData(-3, 2, -2)]
    [InlineData(1, 2, 1)]
    [InlineData(-1, 2, -1)]
    [InlineData(1, 3, 0)]
    [InlineData(2, 3, 1)]
    [InlineData(-2, 3, -1)]
    [InlineData(5, 10, 1)]
    [InlineData(-5, 10, -1)]
    [InlineData(0, 7, 0)]
    [InlineData(-255 * 49, 49, -255)]
    public void DivRound_is_nearest_with_ties_away_from_zero(int sum, int count, int expected) => Assert.Equal(expected, Rounding.DivRound(sum, count));

    [Fact]
    public void DivRound_matches_exact_rational_rounding()
    {
        var rng = new Random(11);
        for (int i = 0; i < 50_000; i++)
        {
            int count = i % 3 == 0 ? rng.Next(1, 10) : rng.Next(1, 50_000);
            int sum = rng.Next(-255 * count, 255 * count + 1);
            // Nearest integer to sum/count, ties away from zero: sign(s)·⌊(2|s| + c) / 2c⌋ in unbounded integers.
            var twice = 2 * BigInteger.Abs(sum) + count;
            var expected = BigInteger.Divide(twice, 2 * (BigInteger)count) * Math.Sign(sum);
            Assert.True(expected == Rounding.DivRound(sum, count), $"{sum}/{count}: expected {expected}, got {Rounding.DivRound(sum, count)}");
            Assert.True(Math.Abs(Rounding.DivRound(sum, count) - (double)sum / count) <= 0.5, $"{sum}/{count}");
        }
        Assert.Equal(int.MaxValue / 3 + (int.MaxValue % 3 >= 2 ? 1 : 0), Rounding.DivRound(int.MaxValue, 3));
    }

    [Fact]
    public void DivRound_rejects_a_count_of_zero() => Assert.Throws<ArgumentOutOfRangeException>(() => Rounding.DivRound(1, 0));
}
