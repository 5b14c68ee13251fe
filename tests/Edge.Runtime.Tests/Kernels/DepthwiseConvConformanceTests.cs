using Edge.Core.Shapes;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.DepthwiseConv;
using Edge.Runtime.Tests.Support;

namespace Edge.Runtime.Tests.Kernels;

/// <summary>
/// The Vector128 and AVX2 depthwise convolutions held bit-exact to the scalar reference: random shapes, and families over
/// channels 1..33 (the 16- and 8-channel blocks, the scalar tail, AVX2's overlapping last block) × kernel sizes 1/3/5/7 ×
/// spatial sizes 1..9. Without AVX2 the AVX2 entry point runs the Vector128 path.
/// </summary>
[Trait("Category", "Conformance")]
public class DepthwiseConvConformanceTests
{
    public static TheoryData<int> RandomCases => new(Enumerable.Range(1, 40));

    [Theory]
    [MemberData(nameof(RandomCases))]
    public void Random_shapes(int seed) => AssertPathsAgree(DepthwiseConvTests.RandomCase(seed));

    public static TheoryData<int, int> Families()
    {
        var data = new TheoryData<int, int>();
        foreach (var k in new[] { 1, 3, 5, 7 })
            for (int c = 1; c <= 33; c++) data.Add(k, c);
        return data;
    }

    /// <summary>Spatial sizes cycle 1..9; strides 1 and 2; dilation 2 on every fourth; padding totalling the window less one, all on one side for odd channel counts.</summary>
    [Theory]
    [MemberData(nameof(Families))]
    public void Kernel_size_and_channel_families(int k, int channels)
    {
        int d = channels % 4 == 0 ? 2 : 1, eff = ConvGeometry.EffectiveKernel(k, d);
        int h = channels % 9 + 1, w = (channels * 2 + 3) % 9 + 1, stride = 1 + channels % 2;
        int before = channels % 2 == 1 ? eff - 1 : eff / 2, after = eff - 1 - before;
        var window = new Window2d(k, k, stride, stride, before, after, after, before, d, d);
        var c = new ConvCase(new Conv2dShape(1 + channels % 2, h, w, channels, channels, window, channels), seed: k * 1000 + channels,
            extreme: channels % 3 == 0, clamp: channels % 2 == 0 ? ClampKind.Clip : ClampKind.Relu6,
            inputZeroPoint: ConvConformanceTests.NonzeroZeroPoint(channels));
        AssertPathsAgree(c);
    }

    private static void AssertPathsAgree(ConvCase c)
    {
        var op = c.Depthwise();
        var scalar = new sbyte[c.Shape.OutputLength];
        var vector = new sbyte[c.Shape.OutputLength];
        Int8DepthwiseConv2d.RunScalar(op, c.Input, scalar, []);
        Int8DepthwiseConv2d.RunVector128(op, c.Input, vector, []);
        Exact.Equal<sbyte>(scalar, vector, $"Vector128 {c}", c.Locate);
        var avx2 = new sbyte[c.Shape.OutputLength];
        Int8DepthwiseConv2d.RunAvx2(op, c.Input, avx2, []);
        Exact.Equal<sbyte>(scalar, avx2, $"AVX2 {c}", c.Locate);
    }
}
