namespace Edge.Runtime.Kernels.Float;

/// <summary>Float32 global average pooling, NHWC [N, H, W, C] → [N, 1, 1, C]: per channel the sum in pixel order over H·W.</summary>
public sealed class FloatGlobalAveragePool
{
    private FloatGlobalAveragePool(int batch, int height, int width, int channels)
        => (Batch, Height, Width, Channels) = (batch, height, width, channels);

    public int Batch { get; }
    public int Height { get; }
    public int Width { get; }
    public int Channels { get; }

    public static FloatGlobalAveragePool Prepare(int batch, int height, int width, int channels)
    {
        Guard.Positive(batch, nameof(batch));
        Guard.Positive(height, nameof(height));
        Guard.Positive(width, nameof(width));
        Guard.Positive(channels, nameof(channels));
        return new FloatGlobalAveragePool(batch, height, width, channels);
    }

    public static void Run(FloatGlobalAveragePool op, ReadOnlySpan<float> input, Span<float> output)
    {
        int pixels = op.Height * op.Width, c = op.Channels;
        Guard.Length(input.Length, op.Batch * pixels * c, "input");
        Guard.Length(output.Length, op.Batch * c, "output");
        for (int n = 0; n < op.Batch; n++)
            for (int ch = 0; ch < c; ch++)
            {
                float sum = 0f;
                for (int p = 0; p < pixels; p++) sum += input[(n * pixels + p) * c + ch];
                output[n * c + ch] = sum / pixels;
            }
    }

    public override string ToString() => $"FloatGlobalAveragePool N{Batch} {Height}x{Width}x{Channels}";
}
