using Edge.Core.Graph;

namespace Edge.Runtime.Arithmetic;

/// <summary>
/// The int8 range <c>[Min, Max]</c> an output is clamped to: [−128, 127] intersected with a fused activation's clamp.
/// </summary>
public readonly record struct ClampRange
{
    public ClampRange(int min, int max)
    {
        if (min < sbyte.MinValue || max > sbyte.MaxValue || min > max)
            throw new ArgumentOutOfRangeException(nameof(min), $"clamp range [{min}, {max}] must be an ordered sub-range of [−128, 127]");
        Min = min;
        Max = max;
    }

    public int Min { get; }
    public int Max { get; }

    /// <summary>[−128, 127]: no fused activation.</summary>
    public static ClampRange Full => new(sbyte.MinValue, sbyte.MaxValue);

    /// <summary>
    /// A fused clamp quantized with the output's parameters: <c>[q(min), q(max)]</c>, where <c>q</c> is the ordinary
    /// quantization (round half away from zero, then clamp to [−128, 127]; ±∞ saturate). Quantization is monotonic, so
    /// clamping the int8 output to this range gives exactly <c>q(clamp(y, min, max))</c>, the quantized output of the float
    /// graph's clamp. ReLU → [zp, 127]; ReLU6 → [zp, min(127, zp + round(6 / s))].
    /// </summary>
    public static ClampRange FromFusedClamp(FusedClamp clamp, QuantizationParams output)
    {
        output.Validate("clamp output");
        if (float.IsNaN(clamp.Min) || float.IsNaN(clamp.Max) || clamp.Min > clamp.Max)
            throw new ArgumentException($"fused clamp {clamp} is not an ordered range");
        return new ClampRange(output.Quantize(clamp.Min), output.Quantize(clamp.Max));
    }

    public override string ToString() => $"[{Min}, {Max}]";
}
