using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Edge.Runtime.Arithmetic;

/// <summary>The output stage on eight int32 lanes with AVX2, bit-exact with <see cref="Apply(int, int)"/>.</summary>
public sealed partial class OutputStage
{
    /// <summary>Channels past the last one in the AVX2 tables (with M = 0), so an 8-lane block may start at any channel.</summary>
    internal const int Avx2Padding = 7;

    /// <summary><c>M</c> per channel, as it is (an int32), in the low half of an int64 slot: what <c>vpmuldq</c> reads.</summary>
    internal long[] Avx2Multiplier { get; }

    /// <summary><c>2^(n−1)</c> per channel.</summary>
    internal long[] Avx2Rounding { get; }

    /// <summary><c>n</c> per channel, the per-lane count of <c>vpsrlvq</c>.</summary>
    internal long[] Avx2Shift { get; }

    private static (long[], long[], long[]) Avx2Tables(QuantizedMultiplier[] multipliers)
    {
        int length = multipliers.Length + Avx2Padding;
        var (m, r, n) = (new long[length], new long[length], new long[length]);
        for (int c = 0; c < length; c++)
        {
            var q = c < multipliers.Length ? multipliers[c] : new QuantizedMultiplier(0, QuantizedMultiplier.MaxShift);
            (m[c], r[c], n[c]) = (q.Multiplier, 1L << (q.Shift - 1), q.Shift);
        }
        return (m, r, n);
    }

    /// <summary>
    /// <c>clamp(requantize(acc[i], M[c+i], n[c+i]) + zp_out, q_min, q_max)</c> for the eight channels from
    /// <paramref name="channel"/>, as int32 lanes in [−128, 127]. Needs AVX2; any channel up to <see cref="Channels"/> − 1 may start a block.
    /// <para>
    /// Per four lanes, in int64: <c>p = acc·M + 2^(n−1)</c> (<c>vpmuldq</c>: a signed 32×32→64 product, exact; |p| &lt; 2^62 + 2^61),
    /// then the arithmetic shift by the lane's n, which AVX2 lacks for int64, as <c>srl(p ^ s, n) ^ s</c> with s the sign mask
    /// of p (for p ≥ 0 it is the logical shift; for p &lt; 0, <c>p ^ s = −p − 1 ≥ 0</c> and <c>−(⌊(−p − 1)/2^n⌋) − 1 = ⌊p/2^n⌋</c>).
    /// The result lies between 0 and acc, so its low 32 bits are the value; then the clamp as in the Vector128 stage.
    /// </para>
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Vector256<int> Apply(Vector256<int> acc, int channel)
    {
        var lo = Requantize(Avx2.ConvertToVector256Int64(acc.GetLower()), channel);
        var hi = Requantize(Avx2.ConvertToVector256Int64(acc.GetUpper()), channel + 4);
        // The low dword of each int64 lane, in order: [lo0, lo1, lo2, lo3, hi0, hi1, hi2, hi3].
        var packed = Avx.Shuffle(lo.AsSingle(), hi.AsSingle(), 0b10_00_10_00).AsInt32();     // [lo0 lo1 hi0 hi1 | lo2 lo3 hi2 hi3]
        var v = Avx2.Permute4x64(packed.AsInt64(), 0b11_01_10_00).AsInt32();
        int zp = OutputZeroPoint;
        v = Vector256.Min(Vector256.Max(v, Vector256.Create(Clamp.Min - zp)), Vector256.Create(Clamp.Max - zp));
        return v + Vector256.Create(zp);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<long> Requantize(Vector256<long> acc, int channel)
    {
        var m = Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(Avx2Multiplier), (nuint)channel);
        var r = Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(Avx2Rounding), (nuint)channel);
        var n = Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(Avx2Shift), (nuint)channel);
        var p = Avx2.Multiply(acc.AsInt32(), m.AsInt32()) + r;
        var sign = Avx2.CompareGreaterThan(Vector256<long>.Zero, p);
        return Avx2.ShiftRightLogicalVariable(p ^ sign, n.AsUInt64()) ^ sign;
    }
}
