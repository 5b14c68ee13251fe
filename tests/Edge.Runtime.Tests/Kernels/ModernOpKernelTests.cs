using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels.Elementwise;
using Edge.Runtime.Kernels.Float;
using Edge.Runtime.Kernels.Pool;
using Edge.Runtime.Tests.Support;

namespace Edge.Runtime.Tests.Kernels;

/// <summary>
/// The kernels of the modern-CNN operators on seeded random shapes with odd sizes: Int8Mul within 1 LSB of the float
/// oracle (equal shapes, per-channel gate, scalar), GlobalMaxPool, ChannelShuffle, Slice and UpsampleNearest exactly equal
/// to their definitions (int8 and float32), FloatMul, and no allocation in any Run.
/// </summary>
public class ModernOpKernelTests
{
    public static TheoryData<int> Seeds => new(Enumerable.Range(1, 24));

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Int8Mul_matches_the_float_oracle_within_1_lsb(int seed)
    {
        var rng = new Random(seed);
        var a = new QuantizationParams((float)TestData.Uniform(rng, 0.005, 0.3), rng.Next(-128, 128));
        var b = new QuantizationParams((float)TestData.Uniform(rng, 0.002, 0.3), rng.Next(-128, 128));
        double product = (double)a.Scale * b.Scale;
        var y = new QuantizationParams((float)(product * TestData.Uniform(rng, 1.5, 300)), rng.Next(-60, 61));
        var op = Int8Mul.FromScales(a, b, y, ClampRange.Full);
        int pixels = rng.Next(1, 40), channels = TestData.Pick(rng, 1, 3, 7, 13, 16, 33);
        string mode = TestData.Pick(rng, "same", "channel", "scalar");
        int bLength = mode switch { "same" => pixels * channels, "channel" => channels, _ => 1 };
        var xa = TestData.Activations(rng, pixels * channels, extreme: seed % 6 == 0);
        var xb = TestData.Activations(rng, bLength, extreme: seed % 6 == 0);
        var output = new sbyte[xa.Length];
        Int8Mul.Run(op, xa, xb, output);
        var oracle = new sbyte[xa.Length];
        for (int i = 0; i < xa.Length; i++) oracle[i] = y.Quantize(a.DequantizeDouble(xa[i]) * b.DequantizeDouble(xb[i % bLength]));
        Exact.Within(oracle, output, 1, $"seed {seed}: {mode}, {pixels} px × {channels} ch, a {a}, b {b}, y {y}; {op}");
        if (mode != "scalar" && seed % 6 != 0) Exact.Varied(output, $"seed {seed}: {mode}"); // a scalar or ±extreme inputs give few products
    }

    [Fact]
    public void Int8Mul_runs_in_place_and_applies_its_clamp()
    {
        var p = new QuantizationParams(0.1f, 0);
        var y = new QuantizationParams(0.05f, -10);
        var op = Int8Mul.FromScales(p, p, y, new ClampRange(-10, 127)); // a ReLU-like clamp at the output zero point
        sbyte[] a = [10, -10, 20, 0], b = [10];
        Int8Mul.Run(op, a, b, a);
        // 1.0 · 1.0 = 1 → 20 + (−10); −1 → clamped to −10; 2 → 30; 0 → −10
        Assert.Equal([10, -10, 30, -10], a.Select(v => (int)v));
        Assert.Throws<ArgumentException>(() => Int8Mul.Run(op, new sbyte[6], new sbyte[4], new sbyte[6]));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void GlobalMaxPool_is_the_maximum_of_each_channel(int seed)
    {
        var rng = new Random(seed);
        int n = rng.Next(1, 3), h = rng.Next(1, 9), w = rng.Next(1, 10), c = rng.Next(1, 21);
        var op = GlobalMaxPool.Prepare(n, h, w, c);
        var x = TestData.Activations(rng, n * h * w * c);
        var y = new sbyte[n * c];
        GlobalMaxPool.RunInt8(op, x, y);
        var xf = x.Select(v => v * 0.5f).ToArray();
        var yf = new float[n * c];
        GlobalMaxPool.RunFloat(op, xf, yf);
        for (int b = 0; b < n; b++)
            for (int k = 0; k < c; k++)
            {
                int max = -129;
                for (int p = 0; p < h * w; p++) max = Math.Max(max, x[(b * h * w + p) * c + k]);
                Assert.True(max == y[b * c + k], $"seed {seed} {n}x{h}x{w}x{c} item {b} channel {k}: expected {max}, got {y[b * c + k]}");
                Assert.Equal(max * 0.5f, yf[b * c + k]);
            }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void ChannelShuffle_permutes_channels_as_torchvision_does(int seed)
    {
        var rng = new Random(seed);
        int groups = rng.Next(1, 5), perGroup = rng.Next(1, 8), c = groups * perGroup, pixels = rng.Next(1, 30);
        var op = ChannelShuffle.Prepare(pixels, c, groups);
        var x = TestData.Activations(rng, pixels * c);
        var y = new sbyte[x.Length];
        ChannelShuffle.Run<sbyte>(op, x, y);
        var yf = new float[x.Length];
        ChannelShuffle.Run<float>(op, x.Select(v => (float)v).ToArray(), yf);
        // torchvision: view(g, C/g) → transpose → flatten, so output channel j·g + i is input channel i·(C/g) + j
        for (int p = 0; p < pixels; p++)
            for (int i = 0; i < groups; i++)
                for (int j = 0; j < perGroup; j++)
                {
                    sbyte want = x[p * c + i * perGroup + j];
                    int at = p * c + j * groups + i;
                    Assert.True(want == y[at] && want == yf[at], $"seed {seed} g {groups} C {c} pixel {p} out channel {j * groups + i}: expected {want}, got {y[at]} / {yf[at]}");
                }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void TensorSlice_copies_the_box(int seed)
    {
        var rng = new Random(seed);
        int rank = seed % 4 == 0 ? 2 : 4;
        var shape = Enumerable.Range(0, rank).Select(a => a == 0 ? 1 : rng.Next(1, 9)).ToArray();
        var begin = shape.Select(d => rng.Next(0, d)).ToArray();
        var size = shape.Select((d, a) => rng.Next(1, d - begin[a] + 1)).ToArray();
        var op = TensorSlice.Prepare(shape, size, begin);
        var x = TestData.Activations(rng, shape.Aggregate(1, (p, d) => p * d));
        var y = new sbyte[size.Aggregate(1, (p, d) => p * d)];
        TensorSlice.Run<sbyte>(op, x, y);
        var yf = new float[y.Length];
        TensorSlice.Run<float>(op, x.Select(v => (float)v).ToArray(), yf);
        var s4 = Pad4(shape, 1);
        var b4 = Pad4(begin, 0);
        var o4 = Pad4(size, 1);
        int k = 0;
        for (int i0 = 0; i0 < o4[0]; i0++)
            for (int i1 = 0; i1 < o4[1]; i1++)
                for (int i2 = 0; i2 < o4[2]; i2++)
                    for (int i3 = 0; i3 < o4[3]; i3++, k++)
                    {
                        sbyte want = x[(((b4[0] + i0) * s4[1] + b4[1] + i1) * s4[2] + b4[2] + i2) * s4[3] + b4[3] + i3];
                        Assert.True(want == y[k] && want == yf[k], $"seed {seed} shape [{string.Join(",", shape)}] begin [{string.Join(",", begin)}] size [{string.Join(",", size)}] index {k}: expected {want}, got {y[k]} / {yf[k]}");
                    }
        Assert.Throws<ArgumentException>(() => TensorSlice.Prepare(shape, shape.Select(d => d + 1).ToArray(), new int[rank]));
    }

    private static int[] Pad4(int[] v, int fill) => [.. Enumerable.Repeat(fill, 4 - v.Length), .. v];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void UpsampleNearest_repeats_each_pixel(int seed)
    {
        var rng = new Random(seed);
        int n = rng.Next(1, 3), h = rng.Next(1, 7), w = rng.Next(1, 8), c = rng.Next(1, 6), sh = rng.Next(1, 4), sw = rng.Next(1, 4);
        var op = UpsampleNearest.Prepare(n, h, w, c, sh, sw);
        var x = TestData.Activations(rng, n * h * w * c);
        var y = new sbyte[n * h * sh * w * sw * c];
        UpsampleNearest.Run<sbyte>(op, x, y);
        var yf = new float[y.Length];
        UpsampleNearest.Run<float>(op, x.Select(v => (float)v).ToArray(), yf);
        int oh = h * sh, ow = w * sw;
        for (int b = 0; b < n; b++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                    for (int k = 0; k < c; k++)
                    {
                        sbyte want = x[((b * h + i / sh) * w + j / sw) * c + k];
                        int at = ((b * oh + i) * ow + j) * c + k;
                        Assert.True(want == y[at] && want == yf[at], $"seed {seed} {n}x{h}x{w}x{c} ×{sh}x{sw} at ({b},{i},{j},{k}): expected {want}, got {y[at]} / {yf[at]}");
                    }
    }

    [Fact]
    public void FloatMul_broadcasts_b_over_a()
    {
        float[] a = [1, 2, 3, 4, 5, 6], b = [10, 100, 1000], y = new float[6];
        FloatMul.Run(a, b, y);
        Assert.Equal([10f, 200f, 3000f, 40f, 500f, 6000f], y);
    }

    [Fact]
    public void No_run_allocates()
    {
        var rng = new Random(5);
        var p = new QuantizationParams(0.05f, 3);
        var mul = Int8Mul.FromScales(p, p, new QuantizationParams(0.01f, 0), ClampRange.Full);
        var a = TestData.Activations(rng, 7 * 5 * 13);
        var gate = TestData.Activations(rng, 13);
        var output = new sbyte[a.Length];
        Allocations.AssertNone("Int8Mul", () => Int8Mul.Run(mul, a, gate, output));
        var af = new float[a.Length];
        var gf = new float[13];
        var of = new float[a.Length];
        Allocations.AssertNone("FloatMul", () => FloatMul.Run(af, gf, of));
        var pool = GlobalMaxPool.Prepare(1, 7, 5, 13);
        var pooled = new sbyte[13];
        Allocations.AssertNone("GlobalMaxPool", () => GlobalMaxPool.RunInt8(pool, a, pooled));
        var shuffle = ChannelShuffle.Prepare(35, 13, 13);
        Allocations.AssertNone("ChannelShuffle", () => ChannelShuffle.Run<sbyte>(shuffle, a, output));
        var slice = TensorSlice.Prepare([1, 7, 5, 13], [1, 3, 5, 6], [0, 2, 0, 7]);
        var sliced = new sbyte[90];
        Allocations.AssertNone("TensorSlice", () => TensorSlice.Run<sbyte>(slice, a, sliced));
        var up = UpsampleNearest.Prepare(1, 7, 5, 13, 2, 2);
        var upsampled = new sbyte[a.Length * 4];
        Allocations.AssertNone("UpsampleNearest", () => UpsampleNearest.Run<sbyte>(up, a, upsampled));
    }
}
