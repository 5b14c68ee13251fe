namespace Edge.Runtime.Kernels.Float;

/// <summary>
/// Float32 local response normalization across the channels of an NHWC tensor, as <see cref="Elementwise.Int8Lrn"/> computes
/// it after dequantizing: <c>y[c] = x[c] / (bias + (alpha / size)·Σ x[j]²)^beta</c>, j from <c>c − ⌊(size−1)/2⌋</c> to
/// <c>c + ⌈(size−1)/2⌉</c> clipped, summed in increasing j.
/// </summary>
public sealed class FloatLrn
{
    private FloatLrn(int pixels, int channels, int size, float alpha, float beta, float bias)
        => (Pixels, Channels, Size, Alpha, Beta, Bias) = (pixels, channels, size, alpha, beta, bias);

    public int Pixels { get; }
    public int Channels { get; }
    public int Size { get; }
    public float Alpha { get; }
    public float Beta { get; }
    public float Bias { get; }

    public static FloatLrn Prepare(int pixels, int channels, int size, float alpha, float beta, float bias)
    {
        Guard.Positive(pixels, nameof(pixels));
        Guard.Positive(channels, nameof(channels));
        Guard.Positive(size, nameof(size));
        return new FloatLrn(pixels, channels, size, alpha, beta, bias);
    }

    public static void Run(FloatLrn op, ReadOnlySpan<float> input, Span<float> output)
    {
        Guard.Length(input.Length, op.Pixels * op.Channels, "input");
        Guard.Length(output.Length, op.Pixels * op.Channels, "output");
        int before = (op.Size - 1) / 2, after = op.Size - 1 - before;
        float alphaOverSize = op.Alpha / op.Size;
        for (int p = 0; p < op.Pixels; p++)
        {
            var x = input.Slice(p * op.Channels, op.Channels);
            var y = output.Slice(p * op.Channels, op.Channels);
            for (int c = 0; c < op.Channels; c++)
            {
                float sum = 0f;
                for (int j = Math.Max(0, c - before); j <= Math.Min(op.Channels - 1, c + after); j++) sum += x[j] * x[j];
                y[c] = x[c] / MathF.Pow(op.Bias + alphaOverSize * sum, op.Beta);
            }
        }
    }

    public override string ToString() => $"FloatLrn {Pixels}x{Channels} size {Size} alpha {Alpha} beta {Beta} bias {Bias}";
}
