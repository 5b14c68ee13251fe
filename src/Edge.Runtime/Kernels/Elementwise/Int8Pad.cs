using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.Elementwise;

/// <summary>
/// Constant-padding amounts of an NHWC tensor, in the order of ONNX and the .edge format: the begin pads of N, H, W, C,
/// then their end pads.
/// </summary>
public readonly record struct NhwcPads(int BatchBefore, int Top, int Left, int ChannelsBefore, int BatchAfter, int Bottom, int Right, int ChannelsAfter)
{
    /// <summary>Rows above and below, columns left and right; no batch or channel padding.</summary>
    public static NhwcPads Spatial(int top, int left, int bottom, int right) => new(0, top, left, 0, 0, bottom, right, 0);

    public bool IsValid => BatchBefore >= 0 && Top >= 0 && Left >= 0 && ChannelsBefore >= 0
        && BatchAfter >= 0 && Bottom >= 0 && Right >= 0 && ChannelsAfter >= 0;
}

/// <summary>
/// Int8 constant padding of an NHWC tensor [N, H, W, C] to
/// [before + N + after, Top + H + Bottom, Left + W + Right, before + C + after].
/// The output has the input's parameters; the pad value is the constant quantized with them (<see cref="QuantizeValue"/>).
/// </summary>
public sealed class Int8Pad
{
    private Int8Pad(int batch, int height, int width, int channels, NhwcPads pads, sbyte value)
        => (Batch, Height, Width, Channels, Pads, Value) = (batch, height, width, channels, pads, value);

    public int Batch { get; }
    public int Height { get; }
    public int Width { get; }
    public int Channels { get; }
    public NhwcPads Pads { get; }

    /// <summary>The int8 value written into the padding.</summary>
    public sbyte Value { get; }

    public int OutBatch => Pads.BatchBefore + Batch + Pads.BatchAfter;
    public int OutHeight => Pads.Top + Height + Pads.Bottom;
    public int OutWidth => Pads.Left + Width + Pads.Right;
    public int OutChannels => Pads.ChannelsBefore + Channels + Pads.ChannelsAfter;
    public int InputLength => Batch * Height * Width * Channels;
    public int OutputLength => OutBatch * OutHeight * OutWidth * OutChannels;

    /// <summary>The contract's pad value: <c>clamp(round_half_away(value / s) + zp, −128, 127)</c>.</summary>
    public static sbyte QuantizeValue(float value, QuantizationParams p) => p.Quantize(value);

    public static Int8Pad Prepare(int batch, int height, int width, int channels, NhwcPads pads, sbyte value)
    {
        Guard.Positive(batch, nameof(batch));
        Guard.Positive(height, nameof(height));
        Guard.Positive(width, nameof(width));
        Guard.Positive(channels, nameof(channels));
        if (!pads.IsValid) throw new ArgumentException($"pads {pads} must be non-negative (cropping is not supported)");
        return new Int8Pad(batch, height, width, channels, pads, value);
    }

    /// <summary>The scalar reference (the only path).</summary>
    public static void Run(Int8Pad op, ReadOnlySpan<sbyte> input, Span<sbyte> output)
        => ConstantPadLoop.Run(op.Batch, op.Height, op.Width, op.Channels, op.Pads, op.Value, input, output);

    public override string ToString() => $"Int8Pad N{Batch} {Height}x{Width}x{Channels} {Pads} value {Value}";
}
