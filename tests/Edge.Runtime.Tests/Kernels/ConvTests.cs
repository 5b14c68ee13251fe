using Edge.Core.Shapes;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Conv;
using Edge.Runtime.Tests.Support;

namespace Edge.Runtime.Tests.Kernels;

/// <summary>The int8 convolution against the float oracle (dequantize, compute in double, quantize) within 1 LSB.</summary>
public class ConvTests
{
    /// <summary>Hand-picked shapes: odd channel counts, strides 1 and 2, asymmetric padding, dilation 2, groups 2, batch 2.</summary>
    public static TheoryData<string, int[]> Shapes => new()
    {
        // name, batch, h, w, ic, oc, k, stride, padT, padL, padB, padR, dilation, group
        { "1x1 pointwise", [1, 5, 4, 17, 13, 1, 1, 0, 0, 0, 0, 1, 1] },
        { "3x3 same", [1, 7, 7, 3, 7, 3, 1, 1, 1, 1, 1, 1, 1] },
        { "3x3 stride 2", [2, 9, 8, 7, 13, 3, 2, 1, 1, 1, 1, 1, 1] },
        { "3x3 asymmetric pads", [1, 6, 7, 13, 3, 3, 2, 0, 1, 1, 0, 1, 1] },
        { "5x5 dilation 2", [1, 11, 10, 3, 17, 5, 1, 2, 3, 4, 1, 2, 1] },
        { "3x3 groups 2", [2, 6, 6, 14, 6, 3, 1, 1, 1, 1, 1, 1, 2] },
        { "3x3 groups 2 stride 2 dilation 2", [1, 9, 9, 26, 34, 3, 2, 2, 1, 0, 2, 2, 2] },
        { "depthwise through the grouped path", [2, 7, 5, 13, 13, 3, 2, 1, 0, 1, 1, 1, 13] },
        { "channel multiplier 2", [1, 6, 6, 7, 14, 3, 1, 1, 1, 1, 1, 1, 7] },
        { "7x7 stride 2 first layer", [1, 12, 11, 3, 17, 7, 2, 3, 3, 3, 3, 1, 1] },
        { "1 channel", [2, 5, 5, 1, 1, 3, 1, 1, 1, 1, 1, 1, 1] },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Matches_the_float_oracle(string name, int[] p)
    {
        var (batch, h, w, ic, oc, k, stride) = (p[0], p[1], p[2], p[3], p[4], p[5], p[6]);
        var (padT, padL, padB, padR, dilation, group) = (p[7], p[8], p[9], p[10], p[11], p[12]);
        var window = new Window2d(k, k, stride, stride, padT, padL, padB, padR, dilation, dilation);
        foreach (var clamp in Enum.GetValues<ClampKind>())
        {
            var c = new ConvCase(new Conv2dShape(batch, h, w, ic, oc, window, group), seed: h * 100 + ic + (int)clamp, clamp: clamp);
            Check(c, $"{name} {c}");
        }
    }

    [Theory]
    [MemberData(nameof(RandomCases))]
    public void Random_shapes_match_the_float_oracle(int seed)
    {
        var c = RandomCase(seed);
        Check(c, c.ToString());
    }

    public static TheoryData<int> RandomCases => new(Enumerable.Range(1, 24));

    /// <summary>
    /// A seeded random convolution: odd channel counts, rectangular kernels, independent strides, asymmetric pads
    /// (up to kernel − 1 on each side), dilation 1 or 2, one or two groups, batch 1 or 2.
    /// </summary>
    internal static ConvCase RandomCase(int seed)
    {
        var rng = new Random(seed);
        int group = TestData.Pick(rng, 1, 1, 2);
        int ic = TestData.Pick(rng, 1, 3, 7, 13, 17) * group, oc = TestData.Pick(rng, 1, 3, 7, 13, 17) * group;
        int kh = TestData.Pick(rng, 1, 2, 3, 5), kw = TestData.Pick(rng, 1, 3, 5);
        int dh = TestData.Pick(rng, 1, 2), dw = TestData.Pick(rng, 1, 2);
        var window = new Window2d(kh, kw, TestData.Pick(rng, 1, 2), TestData.Pick(rng, 1, 2),
            rng.Next(kh), rng.Next(kw), rng.Next(kh), rng.Next(kw), dh, dw);
        int h = ConvGeometry.EffectiveKernel(kh, dh) + rng.Next(6), w = ConvGeometry.EffectiveKernel(kw, dw) + rng.Next(6);
        var shape = new Conv2dShape(TestData.Pick(rng, 1, 2), h, w, ic, oc, window, group);
        return new ConvCase(shape, seed, clamp: TestData.Pick(rng, Enum.GetValues<ClampKind>()));
    }

    private static void Check(ConvCase c, string parameters)
    {
        var op = c.Conv();
        var y = new sbyte[c.Shape.OutputLength];
        Int8Conv2d.RunScalar(op, c.Input, y, []);
        Exact.Within(c.Oracle(), y, 1, parameters, c.Locate, maxOffFraction: 0.01);
        Exact.Varied(y, parameters, c.Stage.Clamp.Min, c.Stage.Clamp.Max);
    }
}
