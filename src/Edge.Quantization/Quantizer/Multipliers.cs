using Edge.Runtime.Arithmetic;

namespace Edge.Quantization.Quantizer;

/// <summary>
/// Requantization multipliers as the converter emits them: <c>(M, n)</c> from <see cref="QuantizedMultiplier.FromReal"/>
/// with <c>n ≥ 31</c> (the contract's guarantee, which holds when <c>r &lt; 1 − 2^−32</c>), and the widening of an output
/// scale that would need a larger multiplier.
/// </summary>
internal static class Multipliers
{
    /// <summary>The left shift of Add, Concat and Rescale inputs (docs/int8-arithmetic.md).</summary>
    public const int InputShift = 20;

    public static bool Fits(double real) => real >= 0 && real < 1 && QuantizedMultiplier.FromReal(real).Shift >= 31;

    public static QuantizedMultiplier For(double real, string where)
    {
        if (!Fits(real)) throw new InvalidOperationException($"{where}: multiplier {real:R} is not below 1; the output scale should have been widened");
        return QuantizedMultiplier.FromReal(real);
    }

    /// <summary>
    /// The smallest float32 scale ≥ <paramref name="scale"/> with <c>numerator / scale</c> a fitting multiplier: the output
    /// scale of an operator whose largest multiplier is <c>numerator / scale</c>.
    /// </summary>
    public static float Widen(double numerator, float scale)
    {
        if (Fits(numerator / scale)) return scale;
        float s = Math.Max(scale, (float)numerator);
        while (!Fits(numerator / s)) s = MathF.BitIncrement(s);
        return s;
    }
}
