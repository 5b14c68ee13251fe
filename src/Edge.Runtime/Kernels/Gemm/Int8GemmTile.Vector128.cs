using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Edge.Runtime.Kernels.Gemm;

/// <summary>
/// The portable tile (System.Runtime.Intrinsics.Vector128: SSE on x86, NEON on ARM64 and what any other CPU gets): one row
/// × 16 channels in eight int32 accumulators.
/// <para>
/// Two quads at a time, per group of 4 channels: the panel vectors of quads q and q + 1 widen to int16 (channels 0–1 in
/// the low half, 2–3 in the high half) and multiply the row's broadcast quads, widened; the two quads' products add in
/// int16 lane by lane, <c>x_k·w_k + x_(k+4)·w_(k+4)</c>, at most 2·128·127 = 32,512 in magnitude: exact (weights are never
/// −128). Adjacent int16 lanes then add into int32 (each int32 lane's two halves, sign-extended by shifts), wrapping:
/// each accumulator lane holds a partial sum of one channel, two lanes per channel, joined when the tile is stored.
/// </para>
/// </summary>
internal static partial class Int8GemmTile
{
    private static void Vector128Rows1(ref sbyte a, ref sbyte b, int quads, ref int tile)
    {
        // [channel group j][lo: channels 4j, 4j+1 | hi: 4j+2, 4j+3], lanes [c, c, c+1, c+1].
        Vector128<int> l0 = default, h0 = default, l1 = default, h1 = default, l2 = default, h2 = default, l3 = default, h3 = default;
        for (nint q = 0; q < quads; q += 2)
        {
            nuint o = (nuint)(q * GemmPanels.QuadBytes);
            var x = Vector128.WidenLower(Vector128.Create(Quad(ref a, q)).AsSByte());
            var y = Vector128.WidenLower(Vector128.Create(Quad(ref a, q + 1)).AsSByte());
            (var lo, var hi) = Products(Vector128.LoadUnsafe(ref b, o), Vector128.LoadUnsafe(ref b, o + 64), x, y);
            l0 += PairSums(lo);
            h0 += PairSums(hi);
            (lo, hi) = Products(Vector128.LoadUnsafe(ref b, o + 16), Vector128.LoadUnsafe(ref b, o + 80), x, y);
            l1 += PairSums(lo);
            h1 += PairSums(hi);
            (lo, hi) = Products(Vector128.LoadUnsafe(ref b, o + 32), Vector128.LoadUnsafe(ref b, o + 96), x, y);
            l2 += PairSums(lo);
            h2 += PairSums(hi);
            (lo, hi) = Products(Vector128.LoadUnsafe(ref b, o + 48), Vector128.LoadUnsafe(ref b, o + 112), x, y);
            l3 += PairSums(lo);
            h3 += PairSums(hi);
        }
        Join(l0, h0, ref tile);
        Join(l1, h1, ref Unsafe.Add(ref tile, 4));
        Join(l2, h2, ref Unsafe.Add(ref tile, 8));
        Join(l3, h3, ref Unsafe.Add(ref tile, 12));
    }

    /// <summary>int16 <c>x·b + y·e</c> for channels 0–1 (lo) and 2–3 (hi) of a group: exact, see the type's summary.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector128<short> Lo, Vector128<short> Hi) Products(Vector128<sbyte> b, Vector128<sbyte> e, Vector128<short> x, Vector128<short> y)
    {
        var (bl, bh) = Vector128.Widen(b);
        var (el, eh) = Vector128.Widen(e);
        return (bl * x + el * y, bh * x + eh * y);
    }

    /// <summary>Adjacent int16 lanes added into int32: lane i = v[2i] + v[2i+1], each sign-extended (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> PairSums(Vector128<short> v)
    {
        var w = v.AsInt32();
        return Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(w, 16), 16) + Vector128.ShiftRightArithmetic(w, 16);
    }

    /// <summary>Writes [lo0 + lo1, lo2 + lo3, hi0 + hi1, hi2 + hi3]: the four channels' sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Join(Vector128<int> lo, Vector128<int> hi, ref int tile)
    {
        tile = unchecked(lo.GetElement(0) + lo.GetElement(1));
        Unsafe.Add(ref tile, 1) = unchecked(lo.GetElement(2) + lo.GetElement(3));
        Unsafe.Add(ref tile, 2) = unchecked(hi.GetElement(0) + hi.GetElement(1));
        Unsafe.Add(ref tile, 3) = unchecked(hi.GetElement(2) + hi.GetElement(3));
    }
}
