using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.Elementwise;

/// <summary>
/// Int8 rescale of a tensor to other quantization parameters (a Concat input, or any tensor that must change
/// parameters), per the contract: <c>q = clamp(requantize((x − zp_x) &lt;&lt; 20, M, n) + zp_out, −128, 127)</c> with
/// <c>r = s_x / (2^20·s_out)</c>; a plain copy when the parameters are equal.
/// </summary>
public sealed class Int8Rescale
{
    /// <summary>The left shift that gives the input 20 fractional bits before it is rescaled.</summary>
    public const int LeftShift = 20;

    private Int8Rescale(bool isIdentity, int zpIn, QuantizedMultiplier m, int zpOut)
        => (IsIdentity, InputZeroPoint, Multiplier, OutputZeroPoint) = (isIdentity, zpIn, m, zpOut);

    /// <summary>Equal parameters: <see cref="Run"/> copies.</summary>
    public bool IsIdentity { get; }
    public int InputZeroPoint { get; }
    public QuantizedMultiplier Multiplier { get; }
    public int OutputZeroPoint { get; }

    /// <summary>A plain copy (the .edge format writes it as M = 0 in a Concat).</summary>
    public static Int8Rescale Copy { get; } = new(true, 0, default, 0);

    /// <summary>Prepares the rescale from <paramref name="from"/> to <paramref name="to"/> (a copy when they are equal).</summary>
    public static Int8Rescale Prepare(QuantizationParams from, QuantizationParams to)
    {
        from.Validate("rescale input");
        to.Validate("rescale output");
        if (from == to) return new Int8Rescale(true, from.ZeroPoint, default, to.ZeroPoint);
        var m = QuantizedMultiplier.FromReal(from.Scale / (Math.ScaleB(1.0, LeftShift) * to.Scale));
        return new Int8Rescale(false, from.ZeroPoint, m, to.ZeroPoint);
    }

    /// <summary>Prepares the rescale from the converter's parameters.</summary>
    public static Int8Rescale Prepare(int inputZeroPoint, QuantizedMultiplier multiplier, int outputZeroPoint)
    {
        if (inputZeroPoint < sbyte.MinValue || inputZeroPoint > sbyte.MaxValue || outputZeroPoint < sbyte.MinValue || outputZeroPoint > sbyte.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(inputZeroPoint), $"zero points {inputZeroPoint} and {outputZeroPoint} must be in [−128, 127]");
        multiplier.Validate("rescale");
        return new Int8Rescale(false, inputZeroPoint, multiplier, outputZeroPoint);
    }

    /// <summary>The scalar reference (the only path): <paramref name="input"/> and <paramref name="output"/> have one length.</summary>
    public static void Run(Int8Rescale op, ReadOnlySpan<sbyte> input, Span<sbyte> output)
    {
        Guard.SameLength(input.Length, output.Length, "rescale input and output");
        if (op.IsIdentity)
        {
            input.CopyTo(output);
            return;
        }
        for (int i = 0; i < input.Length; i++)
            output[i] = Requantization.ToInt8((input[i] - op.InputZeroPoint) << LeftShift, op.Multiplier, op.OutputZeroPoint, ClampRange.Full);
    }

    public override string ToString() => IsIdentity ? "Int8Rescale identity" : $"Int8Rescale zp {InputZeroPoint} → {Multiplier}, zp {OutputZeroPoint}";
}
