using Edge.Core.Shapes;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Conv;
using Edge.Runtime.Kernels.DepthwiseConv;
using Edge.Runtime.Tests.Support;

namespace Edge.Runtime.Tests.Kernels;

/// <summary>The int8 depthwise convolution against the float oracle within 1 LSB, and against the grouped convolution bit for bit.</summary>
public class DepthwiseConvTests
{
    public static TheoryData<int> RandomCases => new(Enumerable.Range(1, 24));

    /// <summary>
    /// A seeded random depthwise convolution: odd channel counts and ones around the 8/16-channel blocks, rectangular kernels,
    /// strides 1 and 2, asymmetric pads, dilation 1 or 2, batch 1 or 2.
    /// </summary>
    internal static ConvCase RandomCase(int seed)
    {
        var rng = new Random(seed);
        int c = TestData.Pick(rng, 1, 3, 7, 13, 17, 8, 16, 24, 31, 33);
        int kh = TestData.Pick(rng, 1, 3, 5), kw = TestData.Pick(rng, 1, 2, 3, 5);
        int dh = TestData.Pick(rng, 1, 2), dw = TestData.Pick(rng, 1, 2);
        var window = new Window2d(kh, kw, TestData.Pick(rng, 1, 2), TestData.Pick(rng, 1, 2),
            rng.Next(kh), rng.Next(kw), rng.Next(kh), rng.Next(kw), dh, dw);
        int h = ConvGeometry.EffectiveKernel(kh, dh) + rng.Next(6), w = ConvGeometry.EffectiveKernel(kw, dw) + rng.Next(6);
        var shape = new Conv2dShape(TestData.Pick(rng, 1, 2), h, w, c, c, window, c);
        return new ConvCase(shape, seed, clamp: TestData.Pick(rng, Enum.GetValues<ClampKind>()));
    }

    [Theory]
    [MemberData(nameof(RandomCases))]
    public void Random_shapes_match_the_float_oracle(int seed)
    {
        var c = RandomCase(seed);
        var y = new sbyte[c.Shape.OutputLength];
        Int8DepthwiseConv2d.RunScalar(c.Depthwise(), c.Input, y, []);
        Exact.Within(c.Oracle(), y, 1, c.ToString(), c.Locate, maxOffFraction: 0.01);
        Exact.Varied(y, c.ToString(), c.Stage.Clamp.Min, c.Stage.Clamp.Max);
    }

    [Theory]
    [MemberData(nameof(RandomCases))]
    public void Equals_the_grouped_convolution(int seed)
    {
        var c = RandomCase(seed);
        var depthwise = new sbyte[c.Shape.OutputLength];
        var grouped = new sbyte[c.Shape.OutputLength];
        Int8DepthwiseConv2d.RunScalar(c.Depthwise(), c.Input, depthwise, []);
        Int8Conv2d.RunScalar(c.Conv(), c.Input, grouped, []);
        Exact.Equal<sbyte>(grouped, depthwise, c.ToString(), c.Locate);
    }

    [Fact]
    public void Per_channel_affine_is_a_1x1_depthwise_convolution()
    {
        // y = clamp(requantize((x − zp)·w[c] + b[c])): a BatchNorm or a Mul by a per-channel constant.
        var c = new ConvCase(new Conv2dShape(2, 3, 4, 21, 21, new Window2d(1, 1), 21), seed: 5, clamp: ClampKind.None);
        var y = new sbyte[c.Shape.OutputLength];
        Int8DepthwiseConv2d.RunScalar(c.Depthwise(), c.Input, y, []);
        Exact.Within(c.Oracle(), y, 1, c.ToString(), c.Locate, maxOffFraction: 0.01);
    }

    [Fact]
    public void Rejects_a_non_depthwise_shape_and_a_weight_of_minus_128()
    {
        var c = new ConvCase(new Conv2dShape(1, 4, 4, 6, 6, new Window2d(3, 3), 6), seed: 1);
        Assert.Throws<ArgumentException>(() => Int8DepthwiseConv2d.Prepare(new Conv2dShape(1, 4, 4, 6, 6, new Window2d(3, 3), 3), new sbyte[6 * 2 * 9], [], 0, c.Stage));
        c.Weights[17] = sbyte.MinValue;
        var e = Assert.Throws<ArgumentException>(() => c.Depthwise());
        Assert.Contains("weight 17 is −128", e.Message);
    }
}
