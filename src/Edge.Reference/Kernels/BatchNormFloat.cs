namespace Edge.Reference.Kernels;

/// <summary>
/// Inference BatchNormalization over channel axis 1 of an [N, C, …] tensor, as PyTorch's CPU kernel computes it:
/// per channel <c>a = (1 / √(var + ε))·scale</c> (the reciprocal root in double) and <c>b = bias − mean·a</c>,
/// then <c>y = x·a + b</c>.
/// </summary>
public static class BatchNormFloat
{
    /// <summary><paramref name="planeSize"/> is the number of elements per (item, channel): the product of the dimensions after the channel axis.</summary>
    public static void Run(int batch, int channels, int planeSize, ReadOnlySpan<float> input,
        ReadOnlySpan<float> scale, ReadOnlySpan<float> bias, ReadOnlySpan<float> mean, ReadOnlySpan<float> variance, float epsilon,
        Span<float> output)
    {
        long length = (long)batch * channels * planeSize;
        if (input.Length < length || output.Length < length) throw new ArgumentException($"input/output hold {input.Length}/{output.Length} values, [{batch}, {channels}, {planeSize}] needs {length}");
        if (scale.Length != channels || bias.Length != channels || mean.Length != channels || variance.Length != channels)
            throw new ArgumentException($"BatchNorm constants must hold {channels} values each");
        for (int c = 0; c < channels; c++)
        {
            float a = (float)(1.0 / Math.Sqrt(variance[c] + (double)epsilon)) * scale[c];
            float b = bias[c] - mean[c] * a;
            for (int n = 0; n < batch; n++)
            {
                int start = (n * channels + c) * planeSize;
                var x = input.Slice(start, planeSize);
                var y = output.Slice(start, planeSize);
                for (int i = 0; i < x.Length; i++) y[i] = x[i] * a + b;
            }
        }
    }
}
