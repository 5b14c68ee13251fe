namespace Edge.Quantization.Calibration;

/// <summary>What calibration observed of one tensor: its range over all samples and, for calibrators that need it, its histogram.</summary>
public sealed class TensorStatistics(string tensor, double min, double max, long count)
{
    public string Tensor { get; } = tensor;

    /// <summary>Smallest observed value, or 0 when every value was positive (the range always includes 0).</summary>
    public double Min { get; } = min;

    /// <summary>Largest observed value, or 0 when every value was negative.</summary>
    public double Max { get; } = max;

    /// <summary>Values observed (elements × samples).</summary>
    public long Count { get; } = count;

    public SignedHistogram? Histogram { get; set; }

    public override string ToString() => $"{Tensor}: [{Min:g6}, {Max:g6}] over {Count} values";
}

/// <summary>A calibrated real range [<see cref="Min"/>, <see cref="Max"/>] of a tensor; it always includes 0.</summary>
public readonly record struct TensorRange
{
    public TensorRange(double min, double max)
    {
        if (double.IsNaN(min) || double.IsNaN(max) || min > max) throw new ArgumentException($"[{min}, {max}] is not a range");
        Min = Math.Min(min, 0);
        Max = Math.Max(max, 0);
    }

    public double Min { get; }
    public double Max { get; }

    public override string ToString() => $"[{Min:g6}, {Max:g6}]";
}
