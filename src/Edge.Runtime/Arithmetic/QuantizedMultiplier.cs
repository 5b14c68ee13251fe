namespace Edge.Runtime.Arithmetic;

/// <summary>
/// A real multiplier <c>r</c> in [0, 1) stored as an int32 <see cref="Multiplier"/> <c>M</c> and a right
/// <see cref="Shift"/> <c>n</c>, so that <c>r ≈ M / 2^n</c> (docs/int8-arithmetic.md, "Requantization").
/// <para>
/// <see cref="FromReal"/> picks the largest <c>n ≤ 62</c> with <c>M = round_half_away(r·2^n) &lt; 2^31</c>: <c>M</c> lands in
/// [2^30, 2^31) whenever <c>r ≥ 2^−32</c>, smaller multipliers keep <c>n = 62</c> with a smaller <c>M</c>. For
/// <c>r ≥ 1 − 2^−32</c>, <c>r·2^31</c> rounds up to 2^31, so <c>n = 30</c> and <c>M = 2^30</c>: <c>n</c> is never below 30.
/// </para>
/// <para>
/// A pair is <see cref="IsValid"/> when <c>1 ≤ n ≤ 62</c> and <c>0 ≤ M ≤ 2^n</c> (that is <c>r ≤ 1</c>), which is what
/// <see cref="Requantization.Requantize"/> needs to be exact in int64 and to return a value that fits in int32.
/// </para>
/// </summary>
public readonly record struct QuantizedMultiplier(int Multiplier, int Shift)
{
    /// <summary>The largest right shift a multiplier may use.</summary>
    public const int MaxShift = 62;

    /// <summary>The real value <c>M / 2^n</c> this pair stands for.</summary>
    public double ToDouble() => Math.ScaleB(Multiplier, -Shift);

    /// <summary>True when the pair satisfies <c>1 ≤ n ≤ 62</c> and <c>0 ≤ M ≤ 2^n</c>.</summary>
    public bool IsValid => Shift >= 1 && Shift <= MaxShift && Multiplier >= 0 && (Shift >= 31 || Multiplier <= 1L << Shift);

    /// <summary>The pair for <paramref name="real"/>, which must be in [0, 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="real"/> is negative, NaN, or ≥ 1.</exception>
    public static QuantizedMultiplier FromReal(double real)
    {
        if (!(real >= 0 && real < 1))
            throw new ArgumentOutOfRangeException(nameof(real), real, "a requantization multiplier must be in [0, 1)");
        // M grows with n, so the first n from the top whose M fits is the largest. r·2^n is exact (a power-of-two scaling).
        for (int n = MaxShift; ; n--)
        {
            double m = Rounding.RoundHalfAway(Math.ScaleB(real, n));
            if (m < 2147483648.0) return new QuantizedMultiplier((int)m, n);
        }
    }

    /// <summary>Throws when the pair is not <see cref="IsValid"/>; <paramref name="what"/> names it in the message.</summary>
    public void Validate(string what)
    {
        if (!IsValid)
            throw new ArgumentException($"{what}: multiplier {Multiplier} with shift {Shift} is not a requantization multiplier (need 1 ≤ shift ≤ 62 and 0 ≤ M ≤ 2^shift)");
    }

    public override string ToString() => $"{Multiplier}/2^{Shift} (≈{ToDouble():g9})";
}
