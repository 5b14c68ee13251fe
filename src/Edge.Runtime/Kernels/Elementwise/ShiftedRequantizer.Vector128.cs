using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.Elementwise;

/// <summary>
/// <c>requantize(d·2^20, M, n)</c> for int8 differences <c>|d| ≤ 255</c> on four int32 lanes, with no 64-bit arithmetic: the
/// first step of <see cref="Int8Add"/> (and of any rescale by the contract's 20-bit left shift), bit-exact with
/// <see cref="Requantization.Requantize"/> for every valid multiplier.
/// <para>
/// Derivation. A pair with <c>n &lt; 31</c> is first rewritten as <c>(M' = M·2^(31−n), n' = 31)</c>: the same quotient (numerator
/// and divisor scale by one power of two), and <c>M' ≤ 2^31</c> because a valid <c>M ≤ 2^n</c>; otherwise <c>(M', n') = (M, n)</c>. With
/// <c>e = n' − 20</c>, 11 ≤ e ≤ 42, the 2^20 cancels: <c>requantize(d·2^20, M', n') = ⌊(d·M' + 2^(e−1)) / 2^e⌋</c>. Split
/// <c>M' = Mh·2^16 + Ml</c> (Mh ≤ 2^15, Ml &lt; 2^16), so <c>P = d·Mh</c> (|P| &lt; 2^23) and <c>Q = d·Ml</c> (|Q| &lt; 2^24) are exact int32
/// products and <c>d·M' = P·2^16 + Q</c>. Then, shifts being arithmetic (floor division by a power of two):
/// <list type="bullet">
/// <item>e ≥ 16: write <c>2^(e−1) = Rhi·2^16 + Rlo</c> (Rhi = 2^(e−17), Rlo = 0 for e ≥ 17; Rhi = 0, Rlo = 2^15 for e = 16). The
/// numerator is <c>(P + Rhi)·2^16 + (Q + Rlo)</c>, so its floor quotient by 2^16 is <c>P + Rhi + ((Q + Rlo) &gt;&gt; 16)</c>, and two
/// floor divisions by powers of two compose: the result is <c>(P + ((Q + Rlo) &gt;&gt; 16) + Rhi) &gt;&gt; (e − 16)</c>. Every term stays
/// below 2^26.</item>
/// <item>e &lt; 16: <c>P·2^16</c> is a multiple of 2^e, so the result is <c>(P &lt;&lt; (16 − e)) + ((Q + 2^(e−1)) &gt;&gt; e)</c>,
/// below 2^28 + 2^10.</item>
/// </list>
/// Both are <c>((P &lt;&lt; s1) + ((Q + r1) &gt;&gt; s2) + r2) &gt;&gt; s3</c> with the constants below.
/// </para>
/// </summary>
internal readonly struct ShiftedRequantizer
{
    private readonly int _high, _low, _r1, _r2, _s1, _s2, _s3;

    public ShiftedRequantizer(QuantizedMultiplier q)
    {
        q.Validate("shifted requantization");
        int n = Math.Max(q.Shift, 31);
        long m = (long)q.Multiplier << (n - q.Shift);   // ≤ 2^31
        int e = n - 20;
        _high = (int)(m >> 16);
        _low = (int)(m & 0xFFFF);
        if (e >= 16)
            (_s1, _r1, _s2, _r2, _s3) = (0, e == 16 ? 1 << 15 : 0, 16, e == 16 ? 0 : 1 << (e - 17), e - 16);
        else
            (_s1, _r1, _s2, _r2, _s3) = (16 - e, 1 << (e - 1), e, 0, 0);
    }

    /// <summary><c>requantize(d·2^20, M, n)</c> per lane, for lanes <c>d</c> in [−255, 255], on sixteen lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<int> Apply(Vector512<int> d)
    {
        var p = Vector512.ShiftLeft(d * Vector512.Create(_high), _s1);
        var q = Vector512.ShiftRightArithmetic(d * Vector512.Create(_low) + Vector512.Create(_r1), _s2);
        return Vector512.ShiftRightArithmetic(p + q + Vector512.Create(_r2), _s3);
    }

    /// <summary><c>requantize(d·2^20, M, n)</c> per lane, for lanes <c>d</c> in [−255, 255], on eight lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<int> Apply(Vector256<int> d)
    {
        var p = Vector256.ShiftLeft(d * Vector256.Create(_high), _s1);
        var q = Vector256.ShiftRightArithmetic(d * Vector256.Create(_low) + Vector256.Create(_r1), _s2);
        return Vector256.ShiftRightArithmetic(p + q + Vector256.Create(_r2), _s3);
    }

    /// <summary><c>requantize(d·2^20, M, n)</c> per lane, for lanes <c>d</c> in [−255, 255].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<int> Apply(Vector128<int> d)
    {
        var p = Vector128.ShiftLeft(d * Vector128.Create(_high), _s1);
        var q = Vector128.ShiftRightArithmetic(d * Vector128.Create(_low) + Vector128.Create(_r1), _s2);
        return Vector128.ShiftRightArithmetic(p + q + Vector128.Create(_r2), _s3);
    }
}
