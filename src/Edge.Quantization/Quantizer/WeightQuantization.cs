using Edge.Core.Tensors;
using Edge.Runtime.Arithmetic;

namespace Edge.Quantization.Quantizer;

/// <summary>
/// Int8 weights quantized per output channel, symmetric: <c>s_w[c] = max|w[c, …]| / 127</c> (float32; a channel of zeros
/// gets 1), <c>w_q = clamp(round_half_away(w / s_w[c]), −127, 127)</c>. <see cref="Values"/> keep the float weight's layout
/// (output channel first); the emitter repacks them.
/// </summary>
public sealed class QuantizedWeights
{
    private QuantizedWeights(sbyte[] values, float[] scales, int channels)
    {
        Values = values;
        Scales = scales;
        Channels = channels;
    }

    public sbyte[] Values { get; }
    public float[] Scales { get; }
    public int Channels { get; }
    public int ChannelLength => Values.Length / Channels;

    /// <summary>Quantizes <paramref name="weight"/> (output channel first). Non-finite values throw <see cref="ConversionException"/>.</summary>
    public static QuantizedWeights PerChannel(ConstantTensor weight, string node)
    {
        if (weight.FindNonFinite() is { } bad)
            throw new ConversionException(node, $"weight '{weight.Name}' holds a non-finite value {bad.Value} at flat index {bad.Index}");
        int channels = weight.Shape[0], row = weight.Length / channels;
        var scales = new float[channels];
        var values = new sbyte[weight.Length];
        for (int c = 0; c < channels; c++)
        {
            var w = weight.Data.AsSpan(c * row, row);
            float maxAbs = 0;
            foreach (var v in w) maxAbs = Math.Max(maxAbs, Math.Abs(v));
            float s = maxAbs > 0 ? (float)(maxAbs / 127.0) : 1f;
            if (!(s > 0)) s = float.Epsilon; // a channel of subnormals: its largest value still maps to ±127
            scales[c] = s;
            for (int i = 0; i < row; i++) values[c * row + i] = (sbyte)Math.Clamp(Rounding.RoundHalfAway(w[i] / (double)s), -127, 127);
        }
        return new QuantizedWeights(values, scales, channels);
    }

    /// <summary>The dequantized weights <c>w_q·s_w[c]</c>, in float32 (what the int8 model computes with).</summary>
    public float[] Dequantize()
    {
        var w = new float[Values.Length];
        int row = ChannelLength;
        for (int i = 0; i < w.Length; i++) w[i] = Values[i] * Scales[i / row];
        return w;
    }

    /// <summary>
    /// <c>bias_q[c] = saturate_int32(round_half_away(bias[c] / (s_in × s_w[c])))</c>, the product in double; no bias gives zeros.
    /// </summary>
    public int[] QuantizeBias(ConstantTensor? bias, float inputScale)
    {
        var q = new int[Channels];
        if (bias is null) return q;
        for (int c = 0; c < Channels; c++)
        {
            double v = Rounding.RoundHalfAway(bias.Data[c] / ((double)inputScale * Scales[c]));
            q[c] = (int)Math.Clamp(v, int.MinValue, int.MaxValue);
        }
        return q;
    }
}
