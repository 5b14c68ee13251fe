using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;

namespace Edge.Runtime.Arithmetic;

/// <summary>The output stage on four int32 lanes at a time, bit-exact with <see cref="Apply(int, int)"/>.</summary>
public sealed partial class OutputStage
{
    /// <summary>
    /// <c>clamp(requantize(acc[i], M[c+i], n[c+i]) + zp_out, q_min, q_max)</c> for the four channels starting at
    /// <paramref name="channel"/> (which must have four channels from it on), as int32 lanes in [−128, 127].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Vector128<int> Apply(Vector128<int> acc, int channel)
    {
        if (AdvSimd.Arm64.IsSupported) return ApplyAdvSimd(acc, channel);
        var (lo, hi) = Vector128.Widen(acc);
        var v = Vector128.Narrow(RequantizeLanes(lo, channel), RequantizeLanes(hi, channel + 2));
        // clamp(v + zp, lo, hi) = clamp(v, lo − zp, hi − zp) + zp, and the right side cannot overflow int32.
        int zp = OutputZeroPoint;
        v = Vector128.Min(Vector128.Max(v, Vector128.Create(Clamp.Min - zp)), Vector128.Create(Clamp.Max - zp));
        return v + Vector128.Create(zp);
    }

    /// <summary>
    /// <c>(acc·M + 2^(n−1)) &gt;&gt; n</c> on two int64 lanes with per-lane <c>n</c> in [31, 62], written as
    /// <c>(((acc·M + 2^(n−1)) &gt;&gt; 31) · 2^(62−n)) &gt;&gt; 31</c>.
    /// <para>
    /// Exactness: two floor divisions compose, <c>⌊⌊p / 2^31⌋ / 2^(n−31)⌋ = ⌊p / 2^n⌋</c>, and multiplying by
    /// <c>2^(62−n)</c> then flooring by 2^31 is the floor division by 2^(n−31). Overflow: <c>p = acc·M + 2^(n−1)</c> is below
    /// 2^62 + 2^61 in magnitude (|acc| ≤ 2^31, M ≤ 2^31); with M ≤ 2^n, <c>|p| ≤ 2^(31+n) + 2^(n−1)</c>, so
    /// <c>|p &gt;&gt; 31| ≤ 2^n + 2^(n−32) + 1</c> and the product with 2^(62−n) stays below 2^62 + 2^31: no lane overflows.
    /// </para>
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector128<long> RequantizeLanes(Vector128<long> acc, int channel)
    {
        var m = Vector128.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(VectorMultiplier), (nuint)channel);
        var r = Vector128.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(VectorRounding), (nuint)channel);
        var s = Vector128.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(VectorPostScale), (nuint)channel);
        var p = Vector128.ShiftRightArithmetic(acc * m + r, 31);
        return Vector128.ShiftRightArithmetic(p * s, 31);
    }
}
