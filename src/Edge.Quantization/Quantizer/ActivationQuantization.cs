using Edge.Quantization.Calibration;
using Edge.Runtime.Arithmetic;

namespace Edge.Quantization.Quantizer;

/// <summary>Per-tensor asymmetric int8 parameters of an activation from its calibrated range.</summary>
public static class ActivationQuantization
{
    /// <summary>
    /// <c>scale = (max − min)/255</c> (rounded to float32), <c>zero_point = clamp(round_half_away(−128 − min/scale), −128, 127)</c>,
    /// with the range first widened to include 0, so real 0 is exactly the integer <c>zero_point</c>. A range of zero
    /// width (a tensor that was 0 on every sample) gets scale 1/255 and zero point −128, i.e. [0, 1].
    /// </summary>
    public static QuantizationParams FromRange(TensorRange range)
    {
        double min = Math.Min(range.Min, 0), max = Math.Max(range.Max, 0);
        float scale = (float)((max - min) / 255);
        if (!(scale >= MinScale) || !float.IsFinite(scale)) return new QuantizationParams(1f / 255, -128);
        int zeroPoint = (int)Math.Clamp(Rounding.RoundHalfAway(-128 - min / scale), -128, 127);
        return new QuantizationParams(scale, zeroPoint);
    }

    /// <summary>Scales below this (a range narrower than about 2.5e−28) are treated as a zero-width range.</summary>
    public const float MinScale = 1e-30f;

    /// <summary>The real value <paramref name="x"/> quantized and dequantized with <paramref name="p"/> (fake quantization).</summary>
    public static float FakeQuantize(float x, QuantizationParams p) => p.Dequantize(p.Quantize(x));
}
