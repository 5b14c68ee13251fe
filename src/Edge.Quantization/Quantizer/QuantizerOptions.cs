namespace Edge.Quantization.Quantizer;

/// <summary>Choices of the quantizer beyond the calibrated ranges.</summary>
public sealed record QuantizerOptions
{
    /// <summary>Names of nodes (of the optimized graph) that stay float32, with Quantize/Dequantize at their borders.</summary>
    public IReadOnlyCollection<string> KeepFloat { get; init; } = [];

    /// <summary>Leave the model's outputs int8 instead of dequantizing them to float32.</summary>
    public bool Int8Output { get; init; }

    /// <summary>Softmax outputs int8 with scale 1/256 and zero point −128 instead of float32.</summary>
    public bool Int8Softmax { get; init; }
}
