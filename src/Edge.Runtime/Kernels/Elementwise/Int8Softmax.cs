using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.Elementwise;

/// <summary>
/// Softmax of int8 rows along the innermost axis (the channels of an NHWC tensor, the features of a GEMM output), per the
/// contract: dequantize, then in float32 <c>p = exp(x − max) / Σ exp(x − max)</c>, the sum taken in index order. The
/// output is float, or int8 with the fixed parameters <see cref="Int8Output"/> (s = 1/256, zp = −128).
/// Needs no scratch: the exponentials are computed twice, with the same bits both times.
/// </summary>
public sealed class Int8Softmax
{
    private readonly float[] _dequantized = new float[256];

    private Int8Softmax(int rows, int length, QuantizationParams input)
    {
        (Rows, Length, Input) = (rows, length, input);
        for (int q = sbyte.MinValue; q <= sbyte.MaxValue; q++) _dequantized[q + 128] = input.Dequantize(q);
    }

    /// <summary>The parameters of an int8 softmax output: probabilities in steps of 1/256 from −128 (p = 0).</summary>
    public static QuantizationParams Int8Output => new(1f / 256f, -128);

    public int Rows { get; }
    public int Length { get; }
    public QuantizationParams Input { get; }
    public int ElementCount => Rows * Length;

    public static Int8Softmax Prepare(int rows, int length, QuantizationParams input)
    {
        Guard.Positive(rows, nameof(rows));
        Guard.Positive(length, nameof(length));
        input.Validate("softmax input");
        return new Int8Softmax(rows, length, input);
    }

    /// <summary>Probabilities as float32.</summary>
    public static void RunFloat(Int8Softmax op, ReadOnlySpan<sbyte> input, Span<float> output)
    {
        Guard.Length(input.Length, op.ElementCount, "input");
        Guard.Length(output.Length, op.ElementCount, "output");
        for (int r = 0; r < op.Rows; r++)
        {
            var x = input.Slice(r * op.Length, op.Length);
            var (max, sum) = MaxAndSum(op, x);
            for (int i = 0; i < x.Length; i++) output[r * op.Length + i] = MathF.Exp(op._dequantized[x[i] + 128] - max) / sum;
        }
    }

    /// <summary>Probabilities quantized with <see cref="Int8Output"/>: <c>clamp(round_half_away(256·p) − 128, −128, 127)</c>.</summary>
    public static void RunInt8(Int8Softmax op, ReadOnlySpan<sbyte> input, Span<sbyte> output)
    {
        Guard.Length(input.Length, op.ElementCount, "input");
        Guard.Length(output.Length, op.ElementCount, "output");
        var outParams = Int8Output;
        for (int r = 0; r < op.Rows; r++)
        {
            var x = input.Slice(r * op.Length, op.Length);
            var (max, sum) = MaxAndSum(op, x);
            for (int i = 0; i < x.Length; i++) output[r * op.Length + i] = outParams.Quantize(MathF.Exp(op._dequantized[x[i] + 128] - max) / sum);
        }
    }

    /// <summary>The row's largest dequantized value (that of the largest int8: dequantization is monotonic) and Σ exp(x − max).</summary>
    private static (float Max, float Sum) MaxAndSum(Int8Softmax op, ReadOnlySpan<sbyte> x)
    {
        int qmax = sbyte.MinValue;
        foreach (var q in x) qmax = Math.Max(qmax, q);
        float max = op._dequantized[qmax + 128], sum = 0f;
        foreach (var q in x) sum += MathF.Exp(op._dequantized[q + 128] - max);
        return (max, sum);
    }

    public override string ToString() => $"Int8Softmax {Rows}x{Length} in {Input}";
}
