namespace Edge.Runtime.Kernels.Pool;

/// <summary>
/// Global max pooling, NHWC [N, H, W, C] → [N, 1, 1, C]: per channel the maximum over H·W. On int8 values directly (the
/// output keeps the input's parameters; quantization is monotonic), and on float32 for a node kept in float (NaN wins,
/// as the float path's comparison lets it).
/// </summary>
public sealed class GlobalMaxPool
{
    private GlobalMaxPool(int n, int h, int w, int c) => (Batch, Height, Width, Channels) = (n, h, w, c);

    public int Batch { get; }
    public int Height { get; }
    public int Width { get; }
    public int Channels { get; }

    public static GlobalMaxPool Prepare(int batch, int height, int width, int channels)
    {
        Guard.Positive(batch, nameof(batch));
        Guard.Positive(height, nameof(height));
        Guard.Positive(width, nameof(width));
        Guard.Positive(channels, nameof(channels));
        return new GlobalMaxPool(batch, height, width, channels);
    }

    /// <summary>The scalar reference for int8; <paramref name="output"/> holds N·C values.</summary>
    public static void RunInt8(GlobalMaxPool op, ReadOnlySpan<sbyte> input, Span<sbyte> output)
    {
        int pixels = op.Height * op.Width, c = op.Channels;
        Guard.SameLength(input.Length, op.Batch * pixels * c, "global max pool input");
        Guard.SameLength(output.Length, op.Batch * c, "global max pool output");
        for (int n = 0; n < op.Batch; n++)
        {
            var y = output.Slice(n * c, c);
            input.Slice(n * pixels * c, c).CopyTo(y);
            for (int p = 1; p < pixels; p++)
            {
                var x = input.Slice((n * pixels + p) * c, c);
                for (int k = 0; k < c; k++) if (x[k] > y[k]) y[k] = x[k];
            }
        }
    }

    public static void RunFloat(GlobalMaxPool op, ReadOnlySpan<float> input, Span<float> output)
    {
        int pixels = op.Height * op.Width, c = op.Channels;
        Guard.SameLength(input.Length, op.Batch * pixels * c, "global max pool input");
        Guard.SameLength(output.Length, op.Batch * c, "global max pool output");
        for (int n = 0; n < op.Batch; n++)
            for (int k = 0; k < c; k++)
            {
                float max = float.NegativeInfinity;
                for (int p = 0; p < pixels; p++)
                {
                    float v = input[(n * pixels + p) * c + k];
                    if (v > max || float.IsNaN(v)) max = v;
                }
                output[n * c + k] = max;
            }
    }

    public override string ToString() => $"GlobalMaxPool N{Batch} {Height}x{Width}x{Channels}";
}
