namespace Edge.Runtime.Arithmetic;

/// <summary>
/// The parameters of a per-tensor int8 tensor: <c>real = Scale × (q − ZeroPoint)</c>, <c>q</c> in [−128, 127].
/// </summary>
public readonly record struct QuantizationParams(float Scale, int ZeroPoint)
{
    /// <summary>True when the scale is positive and finite and the zero point is an int8 value.</summary>
    public bool IsValid => float.IsFinite(Scale) && Scale > 0 && ZeroPoint >= sbyte.MinValue && ZeroPoint <= sbyte.MaxValue;

    /// <summary>Throws when the parameters are not <see cref="IsValid"/>; <paramref name="what"/> names the tensor.</summary>
    public void Validate(string what)
    {
        if (!IsValid) throw new ArgumentException($"{what}: scale {Scale} and zero point {ZeroPoint} are not int8 parameters (need 0 < scale < ∞, zero point in [−128, 127])");
    }

    /// <summary>
    /// <c>clamp(round_half_away(real / Scale) + ZeroPoint, −128, 127)</c>, the division and rounding in double.
    /// ±∞ saturate to 127 / −128; NaN quantizes to the zero point (real 0).
    /// </summary>
    public sbyte Quantize(double real)
    {
        if (double.IsNaN(real)) return (sbyte)ZeroPoint;
        double q = Rounding.RoundHalfAway(real / Scale) + ZeroPoint;
        return (sbyte)Math.Clamp(q, sbyte.MinValue, sbyte.MaxValue);
    }

    /// <summary><c>Scale × (q − ZeroPoint)</c> in float32 (one rounding: the integer difference converts exactly).</summary>
    public float Dequantize(int q) => Scale * (q - ZeroPoint);

    /// <summary><c>Scale × (q − ZeroPoint)</c> in double (exact).</summary>
    public double DequantizeDouble(int q) => (double)Scale * (q - ZeroPoint);

    public override string ToString() => $"(s={Scale:g9}, zp={ZeroPoint})";
}
