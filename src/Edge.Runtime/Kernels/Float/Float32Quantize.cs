using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.Float;

/// <summary>
/// Float32 → int8 with the output's parameters, by the contract's rule:
/// <c>q = clamp(round_half_away(x / s) + zp, −128, 127)</c> in double, ±∞ saturating, NaN to the zero point.
/// </summary>
public sealed class Float32Quantize
{
    private Float32Quantize(QuantizationParams output) => Output = output;

    public QuantizationParams Output { get; }

    public static Float32Quantize Prepare(QuantizationParams output)
    {
        output.Validate("quantize output");
        return new Float32Quantize(output);
    }

    public static void Run(Float32Quantize op, ReadOnlySpan<float> input, Span<sbyte> output)
    {
        Guard.SameLength(input.Length, output.Length, "quantize input and output");
        var p = op.Output;
        for (int i = 0; i < input.Length; i++) output[i] = p.Quantize(input[i]);
    }

    public override string ToString() => $"Float32Quantize to {Output}";
}
