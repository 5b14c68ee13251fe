using Edge.Core.Shapes;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Pool;
using Edge.Runtime.Tests.Support;

namespace Edge.Runtime.Tests.Kernels;

/// <summary>
/// The Vector128 max, average and global average pools held bit-exact to their scalar references: seeded random shapes
/// (odd sizes, asymmetric padding, strides, dilation, ceil mode, both ways of counting padding), families over channels
/// 1..40 (the 16- and 8-channel blocks, the overlapping last block and the sub-8 blocks that read into the next pixel),
/// windows past 256 taps (int32 sums), planes past the float32 division's limit, and the extreme values.
/// </summary>
[Trait("Category", "Conformance")]
public class PoolConformanceTests
{
    public static TheoryData<int> RandomCases => new(Enumerable.Range(1, 60));

    [Theory]
    [MemberData(nameof(RandomCases))]
    public void Random_shapes(int seed)
    {
        var rng = new Random(seed);
        int kh = TestData.Pick(rng, 1, 2, 3, 5, 7), kw = TestData.Pick(rng, 1, 2, 3, 4);
        int dh = TestData.Pick(rng, 1, 1, 1, 2), dw = TestData.Pick(rng, 1, 1, 3);
        var window = new Window2d(kh, kw, rng.Next(1, 4), rng.Next(1, 4), rng.Next(kh / 2 + 1), rng.Next(kw / 2 + 1),
            rng.Next(kh / 2 + 1), rng.Next(kw / 2 + 1), dh, dw, CeilMode: rng.Next(2) == 1);
        int h = ConvGeometry.EffectiveKernel(kh, dh) + rng.Next(9), w = ConvGeometry.EffectiveKernel(kw, dw) + rng.Next(9);
        int channels = TestData.Pick(rng, 1, 3, 5, 6, 7, 8, 9, 13, 15, 16, 17, 24, 31, 32, 33, 48, 64, 70);
        var shape = new Pool2dShape(TestData.Pick(rng, 1, 2), h, w, channels, window);
        var x = TestData.Activations(rng, shape.InputLength, extreme: seed % 7 == 0);
        AssertPoolsAgree(shape, x, zeroPoint: seed % 5 == 0 ? TestData.Pick(rng, -128, 127) : rng.Next(-128, 128), $"seed {seed}");
    }

    public static TheoryData<int, int> Families()
    {
        var data = new TheoryData<int, int>();
        foreach (var k in new[] { 1, 2, 3, 5 })
            for (int c = 1; c <= 40; c++) data.Add(k, c);
        return data;
    }

    /// <summary>Spatial sizes cycle 1..9; strides 1 and 2; padding on one side for odd channel counts; ceil mode for every third.</summary>
    [Theory]
    [MemberData(nameof(Families))]
    public void Kernel_size_and_channel_families(int k, int channels)
    {
        int h = channels % 9 + k, w = (channels * 2 + 3) % 9 + k, stride = 1 + channels % 2;
        int before = channels % 2 == 1 ? k / 2 : 0, after = k / 2 - before;
        var window = new Window2d(k, k, stride, stride, before, after, after, before, CeilMode: channels % 3 == 0);
        var shape = new Pool2dShape(1 + channels % 2, h, w, channels, window);
        var rng = new Random(k * 1000 + channels);
        AssertPoolsAgree(shape, TestData.Activations(rng, shape.InputLength, extreme: channels % 4 == 0), ConvConformanceTests.NonzeroZeroPoint(channels), "family");
    }

    /// <summary>Constant inputs at both ends of the int8 range with both extreme zero points: averages of ±255 saturate.</summary>
    [Theory]
    [InlineData(-128, -128)]
    [InlineData(-128, 127)]
    [InlineData(127, -128)]
    [InlineData(127, 127)]
    public void Extreme_values_saturate_alike(int value, int zeroPoint)
    {
        foreach (int channels in new[] { 3, 8, 13, 16, 21 })
        {
            var shape = new Pool2dShape(1, 7, 6, channels, new Window2d(3, 3, 2, 2, 1, 1, 1, 1, CeilMode: true));
            var x = Enumerable.Repeat((sbyte)value, shape.InputLength).ToArray();
            AssertPoolsAgree(shape, x, zeroPoint, $"constant {value}");
        }
    }

    /// <summary>A 17×17 window (289 taps, past the int16 sums) and a 1×300 one, with padding.</summary>
    [Theory]
    [InlineData(17, 17, 5)]
    [InlineData(17, 17, 16)]
    [InlineData(1, 300, 19)]
    public void Windows_past_256_taps(int kh, int kw, int channels)
    {
        var window = new Window2d(kh, kw, 2, 3, kh / 2, kw / 3, kh / 2, kw / 3);
        var shape = new Pool2dShape(1, kh + 3, kw + 4, channels, window);
        var rng = new Random(kh * kw + channels);
        foreach (bool extreme in new[] { false, true })
            AssertPoolsAgree(shape, TestData.Activations(rng, shape.InputLength, extreme), extreme ? -128 : 37, $"extreme {extreme}");
    }

    [Fact]
    public void Windows_on_padding_alone()
    {
        // Kernel 2 with dilation 5 and one pixel of padding on a 4-wide input: taps at −1 and 4, both outside.
        foreach (int channels in new[] { 2, 9, 17 })
        {
            var shape = new Pool2dShape(1, 2, 4, channels, new Window2d(1, 2, PadLeft: 1, PadRight: 1, DilationW: 5));
            AssertPoolsAgree(shape, TestData.Activations(new Random(channels), shape.InputLength), -7, "padding alone");
        }
    }

    public static TheoryData<int, int, int, int> GlobalCases()
    {
        var data = new TheoryData<int, int, int, int>();
        for (int c = 1; c <= 40; c++) data.Add(1 + c % 2, c % 5 + 1, c % 7 + 1, c);
        data.Add(1, 7, 7, 256);
        data.Add(2, 17, 19, 24);   // 323 pixels: the int16 sums flush into int32
        data.Add(1, 181, 181, 16); // 32,761 pixels: past the float32 division, lane by lane
        return data;
    }

    [Theory]
    [MemberData(nameof(GlobalCases))]
    public void Global_average_pool(int n, int h, int w, int c)
    {
        var rng = new Random(n * 10_000 + h * 100 + w + c);
        foreach (var (zp, extreme) in new[] { (rng.Next(-128, 128), false), (-128, true), (127, true) })
        {
            var op = Int8GlobalAveragePool.Prepare(n, h, w, c, zp);
            var x = TestData.Activations(rng, op.InputLength, extreme);
            var scalar = new sbyte[op.OutputLength];
            var vector = new sbyte[op.OutputLength];
            Int8GlobalAveragePool.RunScalar(op, x, scalar);
            Int8GlobalAveragePool.RunVector128(op, x, vector);
            Exact.Equal<sbyte>(scalar, vector, $"{op}, extreme {extreme}", i => $" (n {i / c}, c {i % c})");
        }
    }

    /// <summary>
    /// Runs max pool and both average pools on both paths. The vector outputs are written into buffers longer than the
    /// tensor, filled with a sentinel, which must survive: the 8-lane blocks may write past a pixel but never past the tensor.
    /// </summary>
    private static void AssertPoolsAgree(Pool2dShape s, sbyte[] x, int zeroPoint, string what)
    {
        var locate = Exact.Nhwc(s.OutH, s.OutW, s.Channels);
        Check($"max {s}; {what}", y => Int8MaxPool.RunScalar(Int8MaxPool.Prepare(s), x, y), y => Int8MaxPool.RunVector128(Int8MaxPool.Prepare(s), x, y));
        foreach (bool includePad in new[] { false, true })
        {
            var op = Int8AveragePool.Prepare(s, includePad, zeroPoint);
            Check($"{op}; {what}", y => Int8AveragePool.RunScalar(op, x, y), y => Int8AveragePool.RunVector128(op, x, y));
        }

        void Check(string parameters, Action<sbyte[]> scalar, Action<sbyte[]> vector)
        {
            var expected = new sbyte[s.OutputLength];
            scalar(expected);
            var actual = new sbyte[s.OutputLength + 16];
            actual.AsSpan().Fill(99);
            vector(actual);
            Exact.Equal<sbyte>(expected, actual.AsSpan(0, s.OutputLength), parameters, locate);
            Assert.True(actual.AsSpan(s.OutputLength).IndexOfAnyExcept((sbyte)99) < 0, $"{parameters}: wrote past the output tensor");
        }
    }
}
