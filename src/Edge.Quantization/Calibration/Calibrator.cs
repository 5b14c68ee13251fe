namespace Edge.Quantization.Calibration;

/// <summary>
/// Chooses a tensor's int8 range from its calibration statistics. Implementations are deterministic: the same
/// statistics give the same range, bit for bit. Every range includes 0 (zero must be exactly representable).
/// </summary>
public abstract class Calibrator
{
    /// <summary>
    /// The default: <c>mse</c>, the calibrator firmware-models/ACCURACY.md favours (highest mean int8/float agreement over
    /// the trained shipped models); see docs/edge-format.md, "Converter". A test holds the two equal.
    /// </summary>
    public const string DefaultName = "mse";

    public const double DefaultPercentile = 99.99;

    /// <summary>The calibrator names <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["minmax", "percentile", "entropy", "mse"];

    /// <summary>The name, as <see cref="Create"/> accepts it.</summary>
    public abstract string Name { get; }

    /// <summary>Whether <see cref="Choose"/> reads <see cref="TensorStatistics.Histogram"/> (a second calibration pass).</summary>
    public abstract bool NeedsHistogram { get; }

    public abstract TensorRange Choose(TensorStatistics statistics);

    /// <summary>Parameters worth recording with the model (the percentile), as name/value pairs.</summary>
    public virtual IEnumerable<KeyValuePair<string, string>> Describe() => [];

    /// <summary>
    /// The calibrator called <paramref name="name"/> (case-insensitive; <c>kl</c> is an alias of <c>entropy</c>).
    /// Throws <see cref="ConverterOptionsException"/> listing the valid names for any other, and for a
    /// <paramref name="percentile"/> outside (50, 100] whichever calibrator is named (a bad <c>--percentile</c> is
    /// refused even where only the percentile calibrator would read it).
    /// </summary>
    public static Calibrator Create(string name, double percentile = DefaultPercentile)
    {
        PercentileCalibrator.Checked(percentile);
        return name.Trim().ToLowerInvariant() switch
        {
            "minmax" or "min-max" => new MinMaxCalibrator(),
            "percentile" => new PercentileCalibrator(percentile),
            "entropy" or "kl" => new EntropyCalibrator(),
            "mse" => new MseCalibrator(),
            _ => throw new ConverterOptionsException($"unknown calibrator '{name}': valid calibrators are {string.Join(", ", Names)}"),
        };
    }

    protected SignedHistogram RequireHistogram(TensorStatistics s)
        => s.Histogram ?? throw new InvalidOperationException($"the {Name} calibrator needs a histogram of '{s.Tensor}'");
}
