namespace Edge.Quantization.Calibration;

/// <summary>
/// The distribution of one tensor's values over its observed range [<see cref="Min"/>, <see cref="Max"/>] as two
/// one-sided histograms of <see cref="Bins"/> equal bins each: negative values by magnitude over (0, −Min], positive
/// values over (0, Max], and exact zeros counted apart (zero is exactly representable, so it carries no quantization
/// error). Bin j of a side covers [j·w, (j+1)·w) of magnitude, w = side maximum / Bins; the maximum falls in the last bin.
/// Counts are integers and bins are fixed by the range, so the same values in any order give the same histogram.
/// </summary>
public sealed class SignedHistogram
{
    /// <summary>
    /// 8192 bins per side: a range stretched by an outlier still resolves the bulk of the distribution (the entropy
    /// calibrator cannot clip below its level count in bins).
    /// </summary>
    public const int DefaultBins = 8192;

    public SignedHistogram(double min, double max, int bins = DefaultBins)
    {
        if (!(min <= 0 && max >= 0)) throw new ArgumentException($"the range [{min}, {max}] must include 0");
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        Min = min;
        Max = max;
        Bins = bins;
        Negative = new long[bins];
        Positive = new long[bins];
    }

    public double Min { get; }
    public double Max { get; }
    public int Bins { get; }
    public long[] Negative { get; }
    public long[] Positive { get; }
    public long Zeros { get; private set; }
    public long Total => Zeros + Negative.Sum() + Positive.Sum();

    /// <summary>Bin width of the negative side (magnitude).</summary>
    public double NegativeWidth => -Min / Bins;

    /// <summary>Bin width of the positive side.</summary>
    public double PositiveWidth => Max / Bins;

    public void Add(ReadOnlySpan<float> values)
    {
        double toPositive = Max > 0 ? Bins / Max : 0, toNegative = Min < 0 ? Bins / -Min : 0;
        int last = Bins - 1;
        long zeros = 0;
        foreach (float v in values)
        {
            if (v > 0) Positive[Math.Min(last, (int)(v * toPositive))]++;
            else if (v < 0) Negative[Math.Min(last, (int)(-v * toNegative))]++;
            else zeros++;
        }
        Zeros += zeros;
    }

    /// <summary>
    /// The value below which a fraction <paramref name="q"/> of the observations lie, interpolating linearly inside
    /// a bin (zeros are a point mass at 0).
    /// </summary>
    public double Quantile(double q)
    {
        long total = Total;
        if (total == 0) return 0;
        double target = Math.Clamp(q, 0, 1) * total, cumulative = 0;
        for (int j = Bins - 1; j >= 0; j--)
        {
            long c = Negative[j];
            if (c > 0 && cumulative + c >= target) return -(j + 1) * NegativeWidth + (target - cumulative) / c * NegativeWidth;
            cumulative += c;
        }
        if (Zeros > 0 && cumulative + Zeros >= target) return 0;
        cumulative += Zeros;
        for (int j = 0; j < Bins; j++)
        {
            long c = Positive[j];
            if (c > 0 && cumulative + c >= target) return j * PositiveWidth + (target - cumulative) / c * PositiveWidth;
            cumulative += c;
        }
        return Max;
    }
}
