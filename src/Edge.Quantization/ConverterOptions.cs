using Edge.Quantization.Calibration;
using Edge.Quantization.Quantizer;
using Edge.Vision.Preprocessing;

namespace Edge.Quantization;

/// <summary>Everything <see cref="Converter"/> needs besides the graph and the calibration data.</summary>
public sealed record ConverterOptions
{
    /// <summary>minmax, percentile, entropy or mse (the default); see <see cref="Calibrator.Create"/>.</summary>
    public string Calibrator { get; init; } = Calibration.Calibrator.DefaultName;

    /// <summary>The percentile calibrator's p, in (50, 100].</summary>
    public double Percentile { get; init; } = Calibration.Calibrator.DefaultPercentile;

    /// <summary>Calibration samples; null: the whole source up to <see cref="CalibrationRunner.DefaultMaxSamples"/>.</summary>
    public int? Samples { get; init; }

    /// <summary>
    /// The preprocessing the network was trained with, recorded in the model and applied to calibration images; null:
    /// pixel/255 (mean 0, std 1), gray for a 1-channel input, RGB for 3 channels.
    /// </summary>
    public InputNormalization? Normalization { get; init; }

    public QuantizerOptions Quantizer { get; init; } = new();

    /// <summary>Class labels of the first output, recorded in the model; empty for none.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary>The model's file name, recorded as its source (never a full path); null: the graph name.</summary>
    public string? SourceName { get; init; }

    public IProgress<CalibrationProgress>? Progress { get; init; }
}
