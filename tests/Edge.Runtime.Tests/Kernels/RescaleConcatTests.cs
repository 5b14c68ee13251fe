using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels.Elementwise;
using Edge.Runtime.Tests.Support;

namespace Edge.Runtime.Tests.Kernels;

public class RescaleConcatTests
{
    [Theory]
    [InlineData(0.1f, 5, 0.1f, -20)]
    [InlineData(0.1f, 5, 0.3f, 0)]
    [InlineData(0.3f, -128, 0.02f, 17)]
    [InlineData(0.011f, 127, 0.0105f, -128)]
    public void Rescale_matches_the_float_oracle(float sIn, int zpIn, float sOut, int zpOut)
    {
        var from = new QuantizationParams(sIn, zpIn);
        var to = new QuantizationParams(sOut, zpOut);
        var op = Int8Rescale.Prepare(from, to);
        Assert.False(op.IsIdentity);
        var x = Enumerable.Range(-128, 256).Select(i => (sbyte)i).ToArray();
        var y = new sbyte[256];
        Int8Rescale.Run(op, x, y);
        Exact.Within(x.Select(q => to.Quantize(from.DequantizeDouble(q))).ToArray(), y, 1, $"{from} → {to}");
    }

    [Fact]
    public void Rescale_between_equal_parameters_is_a_copy()
    {
        var p = new QuantizationParams(0.1f, 3);
        var op = Int8Rescale.Prepare(p, p);
        Assert.True(op.IsIdentity);
        var x = TestData.Activations(new Random(1), 100);
        var y = new sbyte[100];
        Int8Rescale.Run(op, x, y);
        Assert.Equal(x, y);
    }

    [Fact]
    public void Concat_interleaves_channels_per_pixel_and_rescales_inputs_with_other_parameters()
    {
        var output = new QuantizationParams(0.1f, 0);
        QuantizationParams[] inputs = [output, new(0.05f, 10), new(0.4f, -3)];
        int[] channels = [3, 1, 7];
        int pixels = 2 * 5 * 3;
        var op = Int8Concat.Prepare(pixels, channels, inputs, output);
        Assert.Equal(11, op.OutputChannels);
        Assert.True(op.Rescale(0).IsIdentity);
        var rng = new Random(9);
        var xs = channels.Select(c => TestData.Activations(rng, pixels * c)).ToArray();
        var y = new sbyte[op.OutputLength];
        for (int i = 2; i >= 0; i--) Int8Concat.Run(op, i, xs[i], y); // any order
        int offset = 0;
        for (int i = 0; i < 3; i++)
        {
            for (int p = 0; p < pixels; p++)
                for (int c = 0; c < channels[i]; c++)
                {
                    int actual = y[p * 11 + offset + c], x = xs[i][p * channels[i] + c];
                    int expected = output.Quantize(inputs[i].DequantizeDouble(x));
                    Assert.True(i == 0 ? actual == x : Math.Abs(actual - expected) <= 1, $"input {i} pixel {p} channel {c}: x {x}, expected {expected}, got {actual}");
                }
            offset += channels[i];
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => Int8Concat.Run(op, 3, xs[0], y));
        Assert.Throws<ArgumentException>(() => Int8Concat.Run(op, 1, xs[0].AsSpan(0, pixels - 1), y));
    }
}
