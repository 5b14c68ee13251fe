using Edge.Quantization.Calibration;

namespace Edge.Quantization.Tests.Calibration;

/// <summary>The calibrators on synthetic distributions with known answers, and their determinism.</summary>
public class CalibratorTests
{
    /// <summary>Statistics of <paramref name="values"/> as the two calibration passes collect them.</summary>
    internal static TensorStatistics Statistics(float[] values, int bins = SignedHistogram.DefaultBins)
    {
        double min = Math.Min(0, values.Min()), max = Math.Max(0, values.Max());
        var s = new TensorStatistics("t", min, max, values.Length) { Histogram = new SignedHistogram(min, max, bins) };
        s.Histogram.Add(values);
        return s;
    }

    private static float[] Gaussian(int n, int seed, double sigma = 1)
    {
        var r = new Random(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)(sigma * Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble()));
        return v;
    }

    private static float[] Uniform(int n, int seed, float lo, float hi) => Graphs.Random(n, seed, lo, hi);

    /// <summary>100,000 N(0, 1) values and one outlier at +100.</summary>
    private static float[] GaussianWithOutlier() => [.. Gaussian(100_000, 3), 100f];

    [Fact]
    public void MinMax_keeps_the_outlier()
    {
        var r = new MinMaxCalibrator().Choose(Statistics(GaussianWithOutlier()));
        Assert.Equal(100, r.Max);
        Assert.InRange(r.Min, -5.5, -3.5);
    }

    [Fact]
    public void Percentile_clips_the_outlier_at_about_3_7_sigma()
    {
        // N(0,1): the 99.99th percentile is 3.719. The outlier is one value in 100,001: inside the clipped 0.01 %.
        var r = new PercentileCalibrator(99.99).Choose(Statistics(GaussianWithOutlier()));
        Assert.InRange(r.Max, 3.4, 4.1);
        Assert.InRange(r.Min, -4.1, -3.4);
    }

    [Fact]
    public void Percentile_100_is_minmax()
    {
        var s = Statistics(GaussianWithOutlier());
        Assert.Equal(new MinMaxCalibrator().Choose(s), new PercentileCalibrator(100).Choose(s));
    }

    [Fact]
    public void Entropy_clips_the_outlier_on_its_side_only()
    {
        var r = new EntropyCalibrator().Choose(Statistics(GaussianWithOutlier()));
        Assert.InRange(r.Max, 2.5, 8);
        Assert.InRange(r.Min, -8, -2.5);
    }

    [Fact]
    public void Mse_finds_the_known_clipping_of_a_gaussian()
    {
        // The MSE-optimal uniform 256-level quantizer of N(0, 1) clips near ±3.9σ (step ≈ 0.03σ).
        var r = new MseCalibrator().Choose(Statistics(Gaussian(200_000, 10)));
        Assert.InRange(r.Max, 3.3, 4.6);
        Assert.InRange(r.Min, -4.6, -3.3);
    }

    [Fact]
    public void Mse_keeps_a_far_outlier_because_clipping_it_costs_more_squared_error()
    {
        // One value at 100 clipped to ~4 costs ~9,200 in squared error; the coarser step that keeps it costs ~1,400
        // over 100,000 values. MSE keeps (most of) it; the negative side is chosen on its own and stays near −4σ.
        var r = new MseCalibrator().Choose(Statistics(GaussianWithOutlier()));
        Assert.InRange(r.Max, 50, 100);
        Assert.InRange(r.Min, -5.5, -2.5);
    }

    [Fact]
    public void Entropy_and_mse_keep_nearly_all_of_a_uniform_distribution()
    {
        var s = Statistics(Uniform(50_000, 4, -1, 3));
        foreach (var c in new Calibrator[] { new EntropyCalibrator(), new MseCalibrator(), new PercentileCalibrator() })
        {
            var r = c.Choose(s);
            Assert.InRange(r.Max, 2.8, 3.0);
            Assert.InRange(r.Min, -1.0, -0.93);
        }
    }

    [Fact]
    public void Ranges_always_include_zero()
    {
        var positive = Statistics(Uniform(10_000, 5, 2, 5));
        var negative = Statistics(Uniform(10_000, 6, -5, -2));
        foreach (var name in Calibrator.Names)
        {
            var c = Calibrator.Create(name);
            Assert.Equal(0, c.Choose(positive).Min);
            Assert.Equal(0, c.Choose(negative).Max);
        }
    }

    [Fact]
    public void A_relu_output_keeps_zero_as_its_minimum_and_the_spike_of_zeros_does_not_shrink_the_range()
    {
        // Half exact zeros, half exponential(1): a ReLU output. A calibrator fooled by the zeros would clip at a small fraction.
        var r = new Random(8);
        var v = new float[60_000];
        for (int i = 1; i < v.Length; i += 2) v[i] = (float)-Math.Log(1 - r.NextDouble());
        foreach (var name in Calibrator.Names)
        {
            var range = Calibrator.Create(name).Choose(Statistics(v));
            Assert.Equal(0, range.Min);
            Assert.True(range.Max >= 4, $"{name}: max {range.Max}");
        }
    }

    [Fact]
    public void Every_calibrator_is_deterministic_and_independent_of_the_order_of_values()
    {
        var values = GaussianWithOutlier();
        var shuffled = (float[])values.Clone();
        new Random(9).Shuffle(shuffled);
        foreach (var name in Calibrator.Names)
        {
            var a = Calibrator.Create(name).Choose(Statistics(values));
            var b = Calibrator.Create(name).Choose(Statistics(shuffled));
            Assert.Equal(BitConverter.DoubleToInt64Bits(a.Min), BitConverter.DoubleToInt64Bits(b.Min));
            Assert.Equal(BitConverter.DoubleToInt64Bits(a.Max), BitConverter.DoubleToInt64Bits(b.Max));
        }
    }

    [Fact]
    public void A_tensor_of_zeros_gets_a_zero_range()
    {
        var s = Statistics(new float[100]);
        foreach (var name in Calibrator.Names) Assert.Equal(new TensorRange(0, 0), Calibrator.Create(name).Choose(s));
    }

    [Fact]
    public void An_unknown_calibrator_lists_the_valid_ones()
    {
        var e = Assert.Throws<ConverterOptionsException>(() => Calibrator.Create("kmeans"));
        Assert.Equal("unknown calibrator 'kmeans': valid calibrators are minmax, percentile, entropy, mse", e.Message);
    }

    [Theory]
    [InlineData(50.0)]
    [InlineData(100.5)]
    [InlineData(double.NaN)]
    public void A_percentile_out_of_range_is_refused_whichever_calibrator_is_named(double p)
    {
        foreach (var name in Calibrator.Names) Assert.Throws<ConverterOptionsException>(() => Calibrator.Create(name, p));
    }

    [Fact]
    public void The_histogram_quantile_interpolates_inside_bins_and_treats_zeros_as_a_point()
    {
        var h = new SignedHistogram(-4, 4, bins: 4); // bins of width 1 on each side
        h.Add([-3.5f, -0.5f, 0f, 0f, 0.5f, 1.5f, 2.5f, 3.5f]);
        Assert.Equal(8, h.Total);
        Assert.Equal(-4, h.Quantile(0));
        Assert.Equal(-3.5, h.Quantile(0.0625), 12);  // half of the first value's bin [−4, −3)
        Assert.Equal(0, h.Quantile(0.4));             // inside the two zeros
        Assert.Equal(2.5, h.Quantile(0.8125), 12);    // half of bin [2, 3)
        Assert.Equal(4, h.Quantile(1));
    }
}
