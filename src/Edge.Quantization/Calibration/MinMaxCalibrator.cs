namespace Edge.Quantization.Calibration;

/// <summary>The observed minimum and maximum: nothing is clipped, outliers included.</summary>
public sealed class MinMaxCalibrator : Calibrator
{
    public override string Name => "minmax";
    public override bool NeedsHistogram => false;
    public override TensorRange Choose(TensorStatistics statistics) => new(statistics.Min, statistics.Max);
}
