using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;

namespace Edge.Runtime.Arithmetic;

/// <summary>
/// The output stage on four int32 lanes with ARM64 NEON, bit-exact with <see cref="Apply(int, int)"/>: the contract's
/// arithmetic as it is written, with no 64-bit multiplication (NEON has none for 64-bit lanes; the portable stage's
/// <c>Vector128&lt;long&gt;</c> products run in software there).
/// <para>
/// Per two lanes: <c>smull</c>/<c>smull2</c> form <c>acc·M</c> exactly in int64 (|acc| ≤ 2^31, M &lt; 2^31: below 2^62),
/// <c>+ 2^(n−1)</c> (below 2^62 + 2^61), then <c>sshl</c> by −n per lane, NEON's arithmetic right shift by a per-lane count:
/// the floor division by 2^n, i.e. <c>(acc·M + 2^(n−1)) &gt;&gt; n</c>. With M ≤ 2^n the result fits in int32, so <c>xtn</c>
/// keeps it exactly. Then the zero point and the clamp as the portable stage.
/// </para>
/// </summary>
public sealed partial class OutputStage
{
    /// <summary>M per channel (padded to a multiple of 4 with 0); empty where ARM64 NEON is not supported.</summary>
    private int[] ArmMultiplier { get; } = [];

    /// <summary><c>2^(n−1)</c> and <c>−n</c> per channel, as int64 lanes, padded alike.</summary>
    private long[] ArmRounding { get; } = [];
    private long[] ArmNegativeShift { get; } = [];

    private static (int[], long[], long[]) ArmTables(QuantizedMultiplier[] multipliers)
    {
        if (!AdvSimd.Arm64.IsSupported) return ([], [], []);
        int padded = (multipliers.Length + 3) & ~3;
        var (m, r, n) = (new int[padded], new long[padded], new long[padded]);
        for (int c = 0; c < padded; c++)
        {
            var q = c < multipliers.Length ? multipliers[c] : new QuantizedMultiplier(0, QuantizedMultiplier.MaxShift);
            (m[c], r[c], n[c]) = (q.Multiplier, 1L << (q.Shift - 1), -q.Shift);
        }
        return (m, r, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector128<int> ApplyAdvSimd(Vector128<int> acc, int channel)
    {
        var m = Vector128.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(ArmMultiplier), (nuint)channel);
        ref long r = ref MemoryMarshal.GetArrayDataReference(ArmRounding);
        ref long n = ref MemoryMarshal.GetArrayDataReference(ArmNegativeShift);
        var lo = AdvSimd.MultiplyWideningLower(acc.GetLower(), m.GetLower()) + Vector128.LoadUnsafe(ref r, (nuint)channel);
        var hi = AdvSimd.MultiplyWideningUpper(acc, m) + Vector128.LoadUnsafe(ref r, (nuint)channel + 2);
        lo = AdvSimd.ShiftArithmetic(lo, Vector128.LoadUnsafe(ref n, (nuint)channel));
        hi = AdvSimd.ShiftArithmetic(hi, Vector128.LoadUnsafe(ref n, (nuint)channel + 2));
        var v = AdvSimd.ExtractNarrowingUpper(AdvSimd.ExtractNarrowingLower(lo), hi);
        int zp = OutputZeroPoint;
        v = Vector128.Min(Vector128.Max(v, Vector128.Create(Clamp.Min - zp)), Vector128.Create(Clamp.Max - zp));
        return v + Vector128.Create(zp);
    }
}
