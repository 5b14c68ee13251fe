namespace Edge.Reference.Kernels;

/// <summary>
/// Local response normalization across channels (AlexNet) of an [N, C, …] tensor, with ONNX LRN's window:
/// <c>y[c] = x[c] / (bias + alpha · (Σ x[k]²) / size)^beta</c> over channels k from c − ⌊(size−1)/2⌋ to
/// c + ⌈(size−1)/2⌉, channels outside [0, C) counting as zero. The sum is divided by the full size even at the edges
/// (PyTorch averages a zero-padded window). For odd sizes this is exactly PyTorch's <c>LocalResponseNorm</c>; for
/// even sizes PyTorch's window sits one channel lower (c − size/2 … c + size/2 − 1), and this kernel follows ONNX.
/// </summary>
public static class LrnFloat
{
    /// <summary><paramref name="planeSize"/> is the number of elements per (item, channel): the product of the dimensions after the channel axis.</summary>
    public static void Run(int batch, int channels, int planeSize, int size, float alpha, float beta, float bias,
        ReadOnlySpan<float> input, Span<float> output)
    {
        long length = (long)batch * channels * planeSize;
        if (input.Length < length || output.Length < length) throw new ArgumentException($"input/output hold {input.Length}/{output.Length} values, [{batch}, {channels}, {planeSize}] needs {length}");
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), $"size must be positive, got {size}");
        for (int n = 0; n < batch; n++)
        {
            var x = input.Slice(n * channels * planeSize, channels * planeSize);
            var y = output.Slice(n * channels * planeSize, channels * planeSize);
            for (int c = 0; c < channels; c++)
            {
                int k0 = Math.Max(0, c - (size - 1) / 2), k1 = Math.Min(channels - 1, c + size / 2);
                for (int p = 0; p < planeSize; p++)
                {
                    float sum = 0f;
                    for (int k = k0; k <= k1; k++)
                    {
                        float v = x[k * planeSize + p];
                        sum += v * v;
                    }
                    y[c * planeSize + p] = x[c * planeSize + p] / MathF.Pow(sum / size * alpha + bias, beta);
                }
            }
        }
    }
}
