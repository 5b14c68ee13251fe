using Edge.Runtime.Kernels.Elementwise;

namespace Edge.Runtime.Kernels.Float;

/// <summary>Float32 constant padding of an NHWC tensor [N, H, W, C] by <see cref="NhwcPads"/>, the padding filled with <see cref="Value"/>.</summary>
public sealed class FloatPad
{
    private FloatPad(int batch, int height, int width, int channels, NhwcPads pads, float value)
        => (Batch, Height, Width, Channels, Pads, Value) = (batch, height, width, channels, pads, value);

    public int Batch { get; }
    public int Height { get; }
    public int Width { get; }
    public int Channels { get; }
    public NhwcPads Pads { get; }
    public float Value { get; }

    public int OutBatch => Pads.BatchBefore + Batch + Pads.BatchAfter;
    public int OutHeight => Pads.Top + Height + Pads.Bottom;
    public int OutWidth => Pads.Left + Width + Pads.Right;
    public int OutChannels => Pads.ChannelsBefore + Channels + Pads.ChannelsAfter;

    public static FloatPad Prepare(int batch, int height, int width, int channels, NhwcPads pads, float value)
    {
        Guard.Positive(batch, nameof(batch));
        Guard.Positive(height, nameof(height));
        Guard.Positive(width, nameof(width));
        Guard.Positive(channels, nameof(channels));
        if (!pads.IsValid) throw new ArgumentException($"pads {pads} must be non-negative (cropping is not supported)");
        return new FloatPad(batch, height, width, channels, pads, value);
    }

    public static void Run(FloatPad op, ReadOnlySpan<float> input, Span<float> output)
        => ConstantPadLoop.Run(op.Batch, op.Height, op.Width, op.Channels, op.Pads, op.Value, input, output);

    public override string ToString() => $"FloatPad N{Batch} {Height}x{Width}x{Channels} {Pads} value {Value}";
}
