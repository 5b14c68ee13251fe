using Edge.Core.Graph;
using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Tests.Arithmetic;

public class QuantizationParamsTests
{
    private static readonly QuantizationParams P = new(0.5f, -10);

    [Theory]
    [InlineData(0.0, -10)]
    [InlineData(1.25, -7)]   // 2.5 → 3
    [InlineData(-1.25, -13)] // −2.5 → −3
    [InlineData(1000.0, 127)]
    [InlineData(-1000.0, -128)]
    [InlineData(double.PositiveInfinity, 127)]
    [InlineData(double.NegativeInfinity, -128)]
    [InlineData(double.NaN, -10)]
    public void Quantize_rounds_half_away_then_clamps(double real, int expected) => Assert.Equal(expected, P.Quantize(real));

    [Fact]
    public void Dequantize_is_scale_times_offset()
    {
        Assert.Equal(0.5f * 137, P.Dequantize(127));
        Assert.Equal(-59.0, P.DequantizeDouble(-128));
        for (int q = -128; q < 128; q++) Assert.Equal(q, P.Quantize(P.DequantizeDouble(q)));
    }

    [Theory]
    [InlineData(0f, 0)]
    [InlineData(-1f, 0)]
    [InlineData(float.NaN, 0)]
    [InlineData(0.1f, 128)]
    [InlineData(0.1f, -129)]
    public void Validate_rejects_bad_parameters(float scale, int zeroPoint)
        => Assert.Throws<ArgumentException>(() => new QuantizationParams(scale, zeroPoint).Validate("t"));

    [Fact]
    public void Fused_clamps_quantize_with_the_output_parameters()
    {
        var y = new QuantizationParams(0.05f, -100);
        Assert.Equal(ClampRange.Full, ClampRange.FromFusedClamp(FusedClamp.None, y));
        Assert.Equal(new ClampRange(-100, 127), ClampRange.FromFusedClamp(FusedClamp.Relu, y));
        Assert.Equal(new ClampRange(-100, 20), ClampRange.FromFusedClamp(FusedClamp.Relu6, y)); // −100 + round(6 / 0.05)
        Assert.Equal(new ClampRange(-100, 127), ClampRange.FromFusedClamp(FusedClamp.Relu6, new QuantizationParams(0.01f, -100)));
        Assert.Equal(new ClampRange(-128, -106), ClampRange.FromFusedClamp(new FusedClamp(-100f, -0.3f), y)); // min saturates; max: −100 + round(−0.3 / 0.05)
    }

    /// <summary>
    /// Quantization is monotonic, so clamping the int8 value to the quantized bounds equals quantizing the clamped real:
    /// <c>clamp(q(y), q(min), q(max)) = q(clamp(y, min, max))</c>. The contract relies on this.
    /// </summary>
    [Fact]
    public void Clamping_commutes_with_quantization()
    {
        var rng = new Random(3);
        for (int i = 0; i < 20_000; i++)
        {
            var p = new QuantizationParams((float)(0.001 + rng.NextDouble()), rng.Next(-128, 128));
            float lo = (float)(rng.NextDouble() * 200 - 150) * p.Scale, hi = lo + (float)(rng.NextDouble() * 300) * p.Scale;
            var clamp = new FusedClamp(lo, hi);
            var range = ClampRange.FromFusedClamp(clamp, p);
            double y = (rng.NextDouble() * 400 - 200) * p.Scale;
            if (i % 10 == 0) y = lo; // exactly on a bound
            int viaInt8 = Math.Clamp(p.Quantize(y), range.Min, range.Max);
            Assert.True(p.Quantize(Math.Clamp(y, lo, hi)) == viaInt8, $"{p} clamp {clamp} → {range}, y {y:R}");
        }
    }

    [Theory]
    [InlineData(-129, 0)]
    [InlineData(0, 128)]
    [InlineData(5, 4)]
    public void ClampRange_must_be_an_ordered_int8_range(int min, int max)
        => Assert.Throws<ArgumentOutOfRangeException>(() => new ClampRange(min, max));
}
