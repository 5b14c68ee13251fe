using Edge.Core.Shapes;
using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Pool;
using Edge.Runtime.Tests.Support;

namespace Edge.Runtime.Tests.Kernels;

/// <summary>The int8 pools against the float oracle (dequantize, pool in double, quantize).</summary>
public class PoolTests
{
    public static TheoryData<int> RandomCases => new(Enumerable.Range(1, 30));

    /// <summary>Kernel 1..5, stride 1..3, pads up to half the kernel on each side independently, dilation 1 or 2, ceil mode, batch 1 or 2.</summary>
    private static (Pool2dShape Shape, QuantizationParams P, sbyte[] Input) RandomCase(int seed)
    {
        var rng = new Random(seed);
        int kh = TestData.Pick(rng, 1, 2, 3, 5), kw = TestData.Pick(rng, 1, 2, 3);
        int dh = TestData.Pick(rng, 1, 1, 2), dw = TestData.Pick(rng, 1, 2);
        var window = new Window2d(kh, kw, rng.Next(1, 4), rng.Next(1, 4), rng.Next(kh / 2 + 1), rng.Next(kw / 2 + 1),
            rng.Next(kh / 2 + 1), rng.Next(kw / 2 + 1), dh, dw, CeilMode: rng.Next(2) == 1);
        int h = ConvGeometry.EffectiveKernel(kh, dh) + rng.Next(7), w = ConvGeometry.EffectiveKernel(kw, dw) + rng.Next(7);
        var shape = new Pool2dShape(TestData.Pick(rng, 1, 2), h, w, TestData.Pick(rng, 1, 3, 7, 13, 17), window);
        var p = new QuantizationParams((float)TestData.Uniform(rng, 0.01, 0.5), rng.Next(-128, 128));
        return (shape, p, TestData.Activations(rng, shape.InputLength));
    }

    [Theory]
    [MemberData(nameof(RandomCases))]
    public void MaxPool_matches_the_float_oracle(int seed)
    {
        var (s, p, x) = RandomCase(seed);
        var y = new sbyte[s.OutputLength];
        Int8MaxPool.RunScalar(Int8MaxPool.Prepare(s), x, y);
        var oracle = Oracle(s, x, (taps, _) => taps.Count == 0 ? double.NegativeInfinity : taps.Max(q => p.DequantizeDouble(q)), p);
        Exact.Within(oracle, y, 0, $"{s} {p} seed {seed}", Exact.Nhwc(s.OutH, s.OutW, s.Channels));
    }

    [Theory]
    [MemberData(nameof(RandomCases))]
    public void AveragePool_matches_the_float_oracle_both_ways_of_counting_padding(int seed)
    {
        var (s, p, x) = RandomCase(seed);
        foreach (var includePad in new[] { false, true })
        {
            var y = new sbyte[s.OutputLength];
            Int8AveragePool.RunScalar(Int8AveragePool.Prepare(s, includePad, p.ZeroPoint), x, y);
            var oracle = Oracle(s, x, (taps, padded) => taps.Sum(q => p.DequantizeDouble(q)) / (includePad ? padded : taps.Count), p);
            Exact.Within(oracle, y, 1, $"{s} {p} seed {seed} count_include_pad {includePad}", Exact.Nhwc(s.OutH, s.OutW, s.Channels), maxOffFraction: 0.02);
        }
    }

    [Fact]
    public void Ceil_mode_window_past_the_padding_counts_only_the_padded_input()
    {
        // Width 6, kernel 3, stride 2, pad 1, ceil mode: the last window covers columns 5 (real), 6 (padding), 7 (past it),
        // so it divides by 2 with count_include_pad and by 1 without.
        var s = new Pool2dShape(1, 1, 6, 1, new Window2d(1, 3, 1, 2, 0, 1, 0, 1, CeilMode: true));
        Assert.Equal(4, s.OutW);
        sbyte[] x = [0, 0, 0, 0, 0, 11];
        var y = new sbyte[4];
        Int8AveragePool.RunScalar(Int8AveragePool.Prepare(s, true, 1), x, y);
        Assert.Equal(6, y[3]);  // div_round(10, 2) + 1
        Int8AveragePool.RunScalar(Int8AveragePool.Prepare(s, false, 1), x, y);
        Assert.Equal(11, y[3]); // div_round(10, 1) + 1
    }

    [Fact]
    public void A_window_on_padding_alone_gives_minus_128_and_the_zero_point()
    {
        // Kernel 2 with dilation 5 and one pixel of padding on a 4-wide input: taps at −1 and 4, both outside.
        var s = new Pool2dShape(1, 1, 4, 2, new Window2d(1, 2, PadLeft: 1, PadRight: 1, DilationW: 5));
        Assert.Equal(1, s.OutW);
        var x = new sbyte[8];
        x.AsSpan().Fill(100);
        var y = new sbyte[2];
        Int8MaxPool.RunScalar(Int8MaxPool.Prepare(s), x, y);
        Assert.Equal([-128, -128], y);
        Int8AveragePool.RunScalar(Int8AveragePool.Prepare(s, false, -7), x, y);
        Assert.Equal([-7, -7], y);
    }

    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(2, 7, 7, 13)]
    [InlineData(1, 3, 5, 17)]
    [InlineData(2, 13, 13, 3)]
    public void GlobalAveragePool_matches_the_float_oracle(int n, int h, int w, int c)
    {
        var rng = new Random(h * w + c);
        var p = new QuantizationParams(0.1f, rng.Next(-128, 128));
        var x = TestData.Activations(rng, n * h * w * c);
        var y = new sbyte[n * c];
        Int8GlobalAveragePool.RunScalar(Int8GlobalAveragePool.Prepare(n, h, w, c, p.ZeroPoint), x, y);
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
            {
                double mean = 0;
                for (int i = 0; i < h * w; i++) mean += p.DequantizeDouble(x[(b * h * w + i) * c + ch]);
                int expected = p.Quantize(mean / (h * w));
                Assert.True(Math.Abs(expected - y[b * c + ch]) <= 1, $"n {b} c {ch}: oracle {expected}, got {y[b * c + ch]}");
            }
    }

    /// <summary>Pools every output with <paramref name="pool"/>(real taps' int8 values, taps inside the padded input), then quantizes.</summary>
    private static sbyte[] Oracle(Pool2dShape s, sbyte[] x, Func<List<sbyte>, int, double> pool, QuantizationParams p)
    {
        var win = s.Window;
        var y = new sbyte[s.OutputLength];
        var taps = new List<sbyte>();
        for (int n = 0; n < s.Batch; n++)
            for (int oh = 0; oh < s.OutH; oh++)
                for (int ow = 0; ow < s.OutW; ow++)
                    for (int c = 0; c < s.Channels; c++)
                    {
                        taps.Clear();
                        int padded = 0;
                        for (int i = 0; i < win.KernelH; i++)
                            for (int j = 0; j < win.KernelW; j++)
                            {
                                int ih = oh * win.StrideH - win.PadTop + i * win.DilationH, iw = ow * win.StrideW - win.PadLeft + j * win.DilationW;
                                if (ih < s.InH + win.PadBottom && iw < s.InW + win.PadRight) padded++; // the tap lies in the padded input
                                if (ih >= 0 && ih < s.InH && iw >= 0 && iw < s.InW) taps.Add(x[((n * s.InH + ih) * s.InW + iw) * s.Channels + c]);
                            }
                        y[((n * s.OutH + oh) * s.OutW + ow) * s.Channels + c] = p.Quantize(pool(taps, padded));
                    }
        return y;
    }
}
