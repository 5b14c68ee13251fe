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

    /// <summary>
    /// Per channel c: true when c is even and the eight channels [c, c+8) all have n ≥ 33 or M = 0 (<see cref="FitsShort"/>:
    /// any multiplier below 1/4, what conv, depthwise and GEMM layers have), so <see cref="Apply(Vector256{int}, int)"/>
    /// takes the short stage there.
    /// </summary>
    private bool[] Avx2Short { get; } = [];

    /// <summary>Short stage: <c>M</c> per channel as int32 lanes; <c>s = n − 32</c> per channel; <c>2^(s−1)</c> per channel.</summary>
    private int[] Avx2ShortMultiplier { get; } = [];
    private int[] Avx2ShortShift { get; } = [];
    private int[] Avx2ShortAdd { get; } = [];

    /// <summary>
    /// True for the multipliers the short stage takes: shifts n = 32 + s with s in [1, 30] (n ≥ 33: any multiplier below
    /// 1/4), where the rounding term 2^(n−1) = 2^(s−1)·2^32 is a whole multiple of 2^32 and moves into a 32-bit add after the
    /// high dword is taken (in range: |⌊acc·M / 2^32⌋| ≤ 2^30 with |acc| ≤ 2^31 and M &lt; 2^31, and 2^(s−1) ≤ 2^29); and
    /// M = 0 with any shift, which is the same stage as (0, 33): the zero point.
    /// </summary>
    internal static bool FitsShort(QuantizedMultiplier q) => q.Shift >= 33 || q.Multiplier == 0;

    /// <summary><paramref name="q"/> (<see cref="FitsShort"/>) as the short stage's per-lane constants: M, s = n − 32 and 2^(s−1).</summary>
    internal static (int Multiplier, int Shift, int Add) ShortConstants(QuantizedMultiplier q)
    {
        int s = q.Multiplier == 0 ? 1 : q.Shift - 32;
        return (q.Multiplier, s, 1 << (s - 1));
    }

    private static (bool[], int[], int[], int[]) Avx2ShortTables(QuantizedMultiplier[] multipliers)
    {
        // Padded by 16 channels (M = 0), so that 16 lanes from any channel stay inside the tables (the AVX-512 form), and
        // the multipliers by two more: the odd lanes' multipliers are the lanes from c + 1 (ShortLanes).
        int length = (multipliers.Length + 16 + 1) & ~1;
        var (m, n, add) = (new int[length + 2], new int[length], new int[length]);
        var fits = new bool[length];
        for (int c = 0; c < length; c++)
        {
            var q = c < multipliers.Length ? multipliers[c] : new QuantizedMultiplier(0, QuantizedMultiplier.MaxShift);
            fits[c] = FitsShort(q);
            if (fits[c]) (m[c], n[c], add[c]) = ShortConstants(q);
        }
        var ok = new bool[multipliers.Length];
        for (int c = 0; c < ok.Length; c += 2)
        {
            bool all = true;
            for (int j = 0; j < 8 && c + j < length; j++) all &= fits[c + j];
            ok[c] = all && c + 8 <= length;
        }
        return (ok, m, n, add);
    }

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
    /// <para>
    /// Where the eight multipliers all fit the short stage (<see cref="FitsShort"/>: n = 32 + s with 1 ≤ s ≤ 30) and the
    /// block starts at an even channel (<see cref="Avx2Short"/>), the short stage gives the same bits with about a quarter
    /// of the instructions: <c>vpmuldq</c> forms the exact products <c>P = acc·M</c> of the even lanes, and of the odd lanes
    /// after a 32-bit shift of both operands. The high dword of an int64 is its floor quotient by 2^32, so one blend
    /// gathers <c>h = ⌊P / 2^32⌋</c> of all eight lanes. Since 2^(n−1) = 2^(s−1)·2^32 with 2^(s−1) whole,
    /// <c>⌊(P + 2^(n−1)) / 2^32⌋ = h + 2^(s−1)</c>, and floor divisions by powers of two compose, so
    /// <c>⌊(P + 2^(n−1)) / 2^n⌋ = ⌊(h + 2^(s−1)) / 2^s⌋</c>: one 32-bit add and <c>vpsravd</c> by s, with no int64 add or
    /// shift to emulate.
    /// </para>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Vector256<int> Apply(Vector256<int> acc, int channel)
    {
        if (Avx2Short[channel]) return ApplyShort(acc, channel);
        var lo = Requantize(Avx2.ConvertToVector256Int64(acc.GetLower()), channel);
        var hi = Requantize(Avx2.ConvertToVector256Int64(acc.GetUpper()), channel + 4);
        // The low dword of each int64 lane, in order: [lo0, lo1, lo2, lo3, hi0, hi1, hi2, hi3].
        var packed = Avx.Shuffle(lo.AsSingle(), hi.AsSingle(), 0b10_00_10_00).AsInt32();     // [lo0 lo1 hi0 hi1 | lo2 lo3 hi2 hi3]
        var v = Avx2.Permute4x64(packed.AsInt64(), 0b11_01_10_00).AsInt32();
        int zp = OutputZeroPoint;
        v = Vector256.Min(Vector256.Max(v, Vector256.Create(Clamp.Min - zp)), Vector256.Create(Clamp.Max - zp));
        return v + Vector256.Create(zp);
    }

    /// <summary>The short stage's per-channel tables (multiplier, 2^(s−1), s), for kernels that read them as raw memory (the generated VNNI tiles).</summary>
    internal (int[] Multiplier, int[] Add, int[] Shift) ShortTables => (Avx2ShortMultiplier, Avx2ShortAdd, Avx2ShortShift);

    /// <summary>True when the eight channels from <paramref name="channel"/> take the short stage (<see cref="RequantizeShort(Vector256{int}, int)"/>).</summary>
    internal bool IsShort(int channel) => Avx2Short[channel];

    /// <summary>
    /// <c>requantize(acc[i], M[c+i], n[c+i]) + zp_out</c> for the eight channels from <paramref name="channel"/>, which must be
    /// <see cref="IsShort"/>, as int32 lanes, without the clamp: for the microkernels that clamp after packing to bytes
    /// (saturating packs clamp to [−128, 127], then <c>vpmaxsb</c>/<c>vpminsb</c> to the fused activation's range — the same
    /// value as clamping in int32, since the clamp's range lies inside the int8 one). The sum cannot wrap: with n ≥ 33 and
    /// M &lt; 2^31 the requantized value is at most 2^29 + 1 in magnitude.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Vector256<int> RequantizeShort(Vector256<int> acc, int channel) => LoadShort(channel).Requantize(acc) + Vector256.Create(OutputZeroPoint);

    /// <summary>
    /// <see cref="RequantizeShort(Vector256{int}, int)"/> on sixteen lanes with AVX-512F: channels [c, c + 16), where c and
    /// c + 8 are both <see cref="IsShort"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Vector512<int> RequantizeShort(Vector512<int> acc, int channel) => LoadShort16(channel).Requantize(acc) + Vector512.Create(OutputZeroPoint);

    /// <summary>
    /// The short stage's constants of the eight channels from <paramref name="channel"/> (<see cref="IsShort"/>): memory
    /// operands when used at once, or held in registers across a row of pixels (the depthwise 3×3 kernels). The odd lanes'
    /// multipliers are the eight from c + 1, whose low dwords per int64 are M[c + 2i + 1] (what <c>vpmuldq</c> reads).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ShortLanes LoadShort(int channel)
    {
        ref int m = ref MemoryMarshal.GetArrayDataReference(Avx2ShortMultiplier);
        return new(Vector256.LoadUnsafe(ref m, (nuint)channel), Vector256.LoadUnsafe(ref m, (nuint)channel + 1),
            Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(Avx2ShortAdd), (nuint)channel),
            Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(Avx2ShortShift), (nuint)channel).AsUInt32());
    }

    /// <summary>The constants of the sixteen channels from <paramref name="channel"/> (it and c + 8 <see cref="IsShort"/>), for AVX-512F.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ShortLanes16 LoadShort16(int channel)
    {
        ref int m = ref MemoryMarshal.GetArrayDataReference(Avx2ShortMultiplier);
        return new(Vector512.LoadUnsafe(ref m, (nuint)channel), Vector512.LoadUnsafe(ref m, (nuint)channel + 1),
            Vector512.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(Avx2ShortAdd), (nuint)channel),
            Vector512.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(Avx2ShortShift), (nuint)channel).AsUInt32());
    }

    /// <summary>
    /// Eight channels' short-stage constants and the short stage itself, <c>⌊(acc·M + 2^(n−1)) / 2^n⌋</c> for multipliers
    /// that <see cref="FitsShort"/> (derived in <see cref="Apply(Vector256{int}, int)"/>'s remarks; the constants are
    /// <see cref="ShortConstants"/>): the one implementation the GEMM tiles, the depthwise kernels, the addition and
    /// <see cref="Apply(Vector256{int}, int)"/> share.
    /// </summary>
    internal readonly struct ShortLanes(Vector256<int> multiplier, Vector256<int> oddMultiplier, Vector256<int> add, Vector256<uint> shift)
    {
        /// <summary>The requantized accumulators, before the zero point and the clamp.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<int> Requantize(Vector256<int> acc)
        {
            var even = Avx2.Multiply(acc, multiplier);
            var odd = Avx2.Multiply(Avx2.ShiftRightLogical(acc.AsInt64(), 32).AsInt32(), oddMultiplier);
            // Dword 2i ← the high dword of even[i]; dword 2i + 1 ← the high dword of odd[i]. With AVX-512 VL one two-source
            // permutation (vpermt2d, indices 8–15 from the second source) gathers them; with AVX2 alone, a shift brings
            // even's high dwords down and vpblendd takes odd's, already in place.
            var high = Avx512F.VL.IsSupported
                ? Avx512F.VL.PermuteVar8x32x2(even.AsInt32(), Vector256.Create(1, 9, 3, 11, 5, 13, 7, 15), odd.AsInt32())
                : Avx2.Blend(Avx2.ShiftRightLogical(even, 32).AsInt32(), odd.AsInt32(), 0b1010_1010);
            return Avx2.ShiftRightArithmeticVariable(high + add, shift);
        }
    }

    /// <summary>Sixteen channels' short-stage constants and the stage on 512 bits (AVX-512F), as <see cref="ShortLanes"/>.</summary>
    internal readonly struct ShortLanes16(Vector512<int> multiplier, Vector512<int> oddMultiplier, Vector512<int> add, Vector512<uint> shift)
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<int> Requantize(Vector512<int> acc)
        {
            var even = Avx512F.Multiply(acc, multiplier);
            var odd = Avx512F.Multiply(Avx512F.ShiftRightLogical(acc.AsInt64(), 32).AsInt32(), oddMultiplier);
            var high = Avx512F.PermuteVar16x32x2(even.AsInt32(), Vector512.Create(1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31), odd.AsInt32());
            return Avx512F.ShiftRightArithmeticVariable(high + add, shift);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<int> ApplyShort(Vector256<int> acc, int channel)
    {
        var v = LoadShort(channel).Requantize(acc);
        int zp = OutputZeroPoint;
        return Vector256.Min(Vector256.Max(v, Vector256.Create(Clamp.Min - zp)), Vector256.Create(Clamp.Max - zp)) + Vector256.Create(zp);
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
