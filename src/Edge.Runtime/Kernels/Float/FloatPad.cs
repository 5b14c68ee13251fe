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
    {
        Guard.Length(input.Length, op.Batch * op.Height * op.Width * op.Channels, "input");
        Guard.Length(output.Length, op.OutBatch * op.OutHeight * op.OutWidth * op.OutChannels, "output");
        var p = op.Pads;
        int outC = op.OutChannels;
        output[..(op.OutBatch * op.OutHeight * op.OutWidth * outC)].Fill(op.Value);
        for (int n = 0; n < op.Batch; n++)
            for (int h = 0; h < op.Height; h++)
                for (int w = 0; w < op.Width; w++)
                {
                    int outPixel = ((n + p.BatchBefore) * op.OutHeight + h + p.Top) * op.OutWidth + w + p.Left;
                    input.Slice(((n * op.Height + h) * op.Width + w) * op.Channels, op.Channels)
                        .CopyTo(output.Slice(outPixel * outC + p.ChannelsBefore, op.Channels));
                }
    }

    public override string ToString() => $"FloatPad N{Batch} {Height}x{Width}x{Channels} {Pads} value {Value}";
}
