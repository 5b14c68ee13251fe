using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.Elementwise;

/// <summary>
/// Local response normalization across the channels of an NHWC tensor (AlexNet), per the contract: dequantize, compute
/// in float32 as the float path does, quantize with the output parameters:
/// <c>y[c] = x[c] / (bias + (alpha / size)·Σ x[j]²)^beta</c>, the sum over channels
/// j = c − ⌊(size−1)/2⌋ … c + ⌈(size−1)/2⌉ clipped to the tensor, taken in increasing j, every step in float32.
/// </summary>
public sealed class Int8Lrn
{
    private readonly float[] _dequantized = new float[256];
    private readonly float[] _squares = new float[256];

    private Int8Lrn(int pixels, int channels, int size, float alpha, float beta, float bias, QuantizationParams input, QuantizationParams output)
    {
        (Pixels, Channels, Size, Alpha, Beta, Bias, Input, Output) = (pixels, channels, size, alpha, beta, bias, input, output);
        for (int q = sbyte.MinValue; q <= sbyte.MaxValue; q++)
        {
            float x = input.Dequantize(q);
            _dequantized[q + 128] = x;
            _squares[q + 128] = x * x;
        }
    }

    /// <summary>N·H·W.</summary>
    public int Pixels { get; }
    public int Channels { get; }
    public int Size { get; }
    public float Alpha { get; }
    public float Beta { get; }
    public float Bias { get; }
    public QuantizationParams Input { get; }
    public QuantizationParams Output { get; }
    public int ElementCount => Pixels * Channels;

    public static Int8Lrn Prepare(int pixels, int channels, int size, float alpha, float beta, float bias, QuantizationParams input, QuantizationParams output)
    {
        Guard.Positive(pixels, nameof(pixels));
        Guard.Positive(channels, nameof(channels));
        Guard.Positive(size, nameof(size));
        input.Validate("LRN input");
        output.Validate("LRN output");
        return new Int8Lrn(pixels, channels, size, alpha, beta, bias, input, output);
    }

    /// <summary>The scalar reference (the only path).</summary>
    public static void Run(Int8Lrn op, ReadOnlySpan<sbyte> input, Span<sbyte> output)
    {
        Guard.Length(input.Length, op.ElementCount, "input");
        Guard.Length(output.Length, op.ElementCount, "output");
        int before = (op.Size - 1) / 2, after = op.Size - 1 - before;
        float alphaOverSize = op.Alpha / op.Size;
        for (int p = 0; p < op.Pixels; p++)
        {
            var x = input.Slice(p * op.Channels, op.Channels);
            var y = output.Slice(p * op.Channels, op.Channels);
            for (int c = 0; c < op.Channels; c++)
            {
                float sum = 0f;
                for (int j = Math.Max(0, c - before); j <= Math.Min(op.Channels - 1, c + after); j++) sum += op._squares[x[j] + 128];
                float value = op._dequantized[x[c] + 128] / MathF.Pow(op.Bias + alphaOverSize * sum, op.Beta);
                y[c] = op.Output.Quantize(value);
            }
        }
    }

    public override string ToString() => $"Int8Lrn {Pixels}x{Channels} size {Size} alpha {Alpha} beta {Beta} bias {Bias}";
}
