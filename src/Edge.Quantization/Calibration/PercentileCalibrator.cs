using System.Globalization;

namespace Edge.Quantization.Calibration;

/// <summary>
/// Clips the same small fraction of the observations at both ends: the range runs from the (100 − p)-th to the p-th
/// percentile (p = 99.99: one value in 10,000 clipped at each end), read off the histogram with linear interpolation
/// inside a bin. p = 100 is min-max.
/// </summary>
public sealed class PercentileCalibrator : Calibrator
{
    public PercentileCalibrator(double percentile = DefaultPercentile) => Percentile = Checked(percentile);

    /// <summary><paramref name="percentile"/> if it is in (50, 100]; throws <see cref="ConverterOptionsException"/> otherwise.</summary>
    internal static double Checked(double percentile)
        => percentile > 50 && percentile <= 100 ? percentile
            : throw new ConverterOptionsException($"percentile must be in (50, 100], got {percentile.ToString(CultureInfo.InvariantCulture)}");

    public double Percentile { get; }
    public override string Name => "percentile";
    public override bool NeedsHistogram => true;

    public override TensorRange Choose(TensorStatistics statistics)
    {
        if (Percentile == 100) return new TensorRange(statistics.Min, statistics.Max);
        var h = RequireHistogram(statistics);
        double tail = (100 - Percentile) / 100;
        return new TensorRange(Math.Max(statistics.Min, h.Quantile(tail)), Math.Min(statistics.Max, h.Quantile(1 - tail)));
    }

    public override IEnumerable<KeyValuePair<string, string>> Describe() => [new("percentile", Percentile.ToString("R", CultureInfo.InvariantCulture))];
}
