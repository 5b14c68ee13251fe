using Edge.Core.Tensors;
using Edge.Quantization.Calibration;
using Edge.Quantization.Quantizer;
using Edge.Runtime.Arithmetic;

namespace Edge.Quantization.Tests.Quantizer;

/// <summary>Activation, weight and bias parameters, and the requantization multipliers the converter emits.</summary>
public class ParameterTests
{
    [Fact]
    public void A_symmetric_range_gets_scale_2_over_255_and_zero_exactly_representable()
    {
        var p = ActivationQuantization.FromRange(new TensorRange(-1, 1));
        Assert.Equal((float)(2.0 / 255), p.Scale);
        Assert.Equal(-1, p.ZeroPoint); // round_half_away(−128 + 127.5) = round(−0.5) = −1
        Assert.Equal(0f, p.Dequantize(p.ZeroPoint));
        Assert.Equal(p.ZeroPoint, p.Quantize(0));
    }

    [Theory]
    [InlineData(0.0, 6.0, -128)]
    [InlineData(-6.0, 0.0, 127)]
    [InlineData(-1.0, 3.0, -64)]
    public void The_zero_point_puts_the_range_on_the_int8_grid(double min, double max, int zeroPoint)
    {
        var p = ActivationQuantization.FromRange(new TensorRange(min, max));
        Assert.Equal(zeroPoint, p.ZeroPoint);
        Assert.True(Math.Abs(p.DequantizeDouble(-128) - min) <= p.Scale && Math.Abs(p.DequantizeDouble(127) - max) <= p.Scale);
    }

    [Fact]
    public void A_range_that_excludes_zero_is_widened_to_include_it()
    {
        var p = ActivationQuantization.FromRange(new TensorRange(2, 5));
        Assert.Equal(-128, p.ZeroPoint);
        Assert.Equal((float)(5.0 / 255), p.Scale);
    }

    [Fact]
    public void A_zero_width_range_gets_0_to_1()
        => Assert.Equal(new QuantizationParams(1f / 255, -128), ActivationQuantization.FromRange(new TensorRange(0, 0)));

    [Fact]
    public void Weights_are_symmetric_per_output_channel_and_a_zero_channel_gets_scale_1()
    {
        // Channel maxima of 127/64 and 127/32 give scales of exactly 1/64 and 1/32; 32.5 and −16.25 steps round to 33 and −16.
        var w = new ConstantTensor("w", new TensorShape(3, 2), [0.5078125f, -1.984375f, 0f, 0f, -0.5078125f, 3.96875f]);
        var q = QuantizedWeights.PerChannel(w, "conv");
        Assert.Equal([1f / 64, 1f, 1f / 32], q.Scales);
        Assert.Equal(new sbyte[] { 33, -127, 0, 0, -16, 127 }, q.Values);
    }

    [Fact]
    public void A_non_finite_weight_names_the_node_and_the_index()
    {
        var w = new ConstantTensor("w", new TensorShape(2, 2), [0.5f, 1f, float.NaN, 0f]);
        var e = Assert.Throws<ConversionException>(() => QuantizedWeights.PerChannel(w, "conv1"));
        Assert.Equal("node 'conv1': weight 'w' holds a non-finite value NaN at flat index 2", e.Message);
    }

    [Fact]
    public void Bias_is_quantized_with_the_input_times_weight_scale_and_saturates()
    {
        var w = QuantizedWeights.PerChannel(new ConstantTensor("w", new TensorShape(2, 1), [1.27f, 0.127f]), "fc");
        var bias = new ConstantTensor("b", new TensorShape(2), [0.5f, 1e9f]);
        var q = w.QuantizeBias(bias, inputScale: 0.1f);
        Assert.Equal((int)Math.Round(0.5 / (0.1f * (double)w.Scales[0]), MidpointRounding.AwayFromZero), q[0]);
        Assert.Equal(int.MaxValue, q[1]);
        Assert.Equal(new int[2], w.QuantizeBias(null, 0.1f));
    }

    [Theory]
    [InlineData(0.5, 1 << 30, 31)]
    [InlineData(0.25, 1 << 30, 32)]
    [InlineData(0.0, 0, 62)]
    public void Multipliers_follow_the_contract(double real, int m, int n)
    {
        var q = Multipliers.For(real, "test");
        Assert.Equal(new QuantizedMultiplier(m, n), q);
    }

    [Fact]
    public void A_tiny_multiplier_keeps_shift_62_with_a_small_m()
    {
        var q = Multipliers.For(1e-12, "test");
        Assert.Equal(62, q.Shift);
        Assert.Equal((int)Math.Round(1e-12 * Math.Pow(2, 62)), q.Multiplier);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(1.5)]
    [InlineData(1 - 1e-11)] // rounds to 2^31 at n = 31: would need n = 30
    public void A_multiplier_that_is_not_below_1_is_refused(double real)
    {
        Assert.False(Multipliers.Fits(real));
        Assert.Throws<InvalidOperationException>(() => Multipliers.For(real, "test"));
    }

    [Theory]
    [InlineData(1.0, 0.5f)]
    [InlineData(3.0, 3.0f)]
    [InlineData(0.25, 1.0f)]
    public void Widen_returns_the_smallest_fitting_scale(double numerator, float scale)
    {
        float widened = Multipliers.Widen(numerator, scale);
        Assert.True(Multipliers.Fits(numerator / widened));
        Assert.True(widened >= scale);
        if (widened != scale) Assert.False(Multipliers.Fits(numerator / MathF.BitDecrement(widened)));
    }
}
