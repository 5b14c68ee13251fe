using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.Gemm;

/// <summary>
/// The AVX-512BW tiles: 8 rows × 16 channels, one 512-bit accumulator per row (a panel quad, 16 channels × 4 k, is one
/// vector), and the one-row twin. The arithmetic is the AVX2 tile's (Int8GemmTile.Avx2.cs: <c>vpmaddubsw(|x|, sign(b, x))</c>,
/// pair sums ≤ 2·128·127 = 32,512, never saturating, then <c>vpmaddwd</c> by ones into int32 with wraparound). AVX-512
/// has no <c>vpsignb</c>: <c>sign(b, x)</c> is a blend of <c>b</c> and <c>−b</c> under the mask <c>x &lt; 0</c>; where
/// x = 0 it keeps b, which |x| = 0 multiplies to 0 all the same.
/// </summary>
internal static partial class Int8GemmTile
{
    /// <summary>
    /// The 8×16 tile over the whole K loop. Without a <paramref name="stage"/> its sums go to <paramref name="tile"/> (the
    /// caller adds the bias and applies the stage); with one — a panel whose real channels take the short stage
    /// (<see cref="OutputStage.IsShort"/>) — the stage runs in registers: accumulators from the folded bias, the 16-lane short stage, then
    /// <c>vpmovsdb</c> (int32 → int8 with signed saturation: the clamp to [−128, 127]) and the fused activation's clamp on
    /// the 16 bytes of each of the <paramref name="rows"/> valid rows, of which the panel's <paramref name="count"/> real
    /// channels are stored (with at most 8, lanes 8–15 come from zero weights and the stage tables past them, never stored).
    /// </summary>
    private static void Avx512BWRows8(ref sbyte a, nint lda, ref sbyte b, int quads, OutputStage? stage, ref int bias, int c0, int count,
        int rows, ref sbyte y, nint ldc, ref int tile)
    {
        var c0v = stage is null ? default : Vector512.LoadUnsafe(ref bias);
        Vector512<int> c1 = c0v, c2 = c0v, c3 = c0v, c4 = c0v, c5 = c0v, c6 = c0v, c7 = c0v;
        var ones = Vector512.Create((short)1);
        ref sbyte a1 = ref Unsafe.Add(ref a, lda);
        ref sbyte a2 = ref Unsafe.Add(ref a1, lda);
        ref sbyte a3 = ref Unsafe.Add(ref a2, lda);
        ref sbyte a4 = ref Unsafe.Add(ref a3, lda);
        ref sbyte a5 = ref Unsafe.Add(ref a4, lda);
        ref sbyte a6 = ref Unsafe.Add(ref a5, lda);
        ref sbyte a7 = ref Unsafe.Add(ref a6, lda);
        for (nint q = 0; q < quads; q++)
        {
            var w = Vector512.LoadUnsafe(ref b, (nuint)(q * GemmPanels.QuadBytes));
            var nw = Vector512<sbyte>.Zero - w;
            c0v += Avx512Dot(Quad(ref a, q), w, nw, ones);
            c1 += Avx512Dot(Quad(ref a1, q), w, nw, ones);
            c2 += Avx512Dot(Quad(ref a2, q), w, nw, ones);
            c3 += Avx512Dot(Quad(ref a3, q), w, nw, ones);
            c4 += Avx512Dot(Quad(ref a4, q), w, nw, ones);
            c5 += Avx512Dot(Quad(ref a5, q), w, nw, ones);
            c6 += Avx512Dot(Quad(ref a6, q), w, nw, ones);
            c7 += Avx512Dot(Quad(ref a7, q), w, nw, ones);
        }
        if (stage is null)
        {
            Store(c0v, ref tile, 0);
            Store(c1, ref tile, 16);
            Store(c2, ref tile, 32);
            Store(c3, ref tile, 48);
            Store(c4, ref tile, 64);
            Store(c5, ref tile, 80);
            Store(c6, ref tile, 96);
            Store(c7, ref tile, 112);
            return;
        }
        var clamp = stage.Clamp;
        Avx512StoreRow(stage.RequantizeShort(c0v, c0), clamp, ref y, count);
        if (rows > 1) Avx512StoreRow(stage.RequantizeShort(c1, c0), clamp, ref Unsafe.Add(ref y, ldc), count);
        if (rows > 2) Avx512StoreRow(stage.RequantizeShort(c2, c0), clamp, ref Unsafe.Add(ref y, 2 * ldc), count);
        if (rows > 3) Avx512StoreRow(stage.RequantizeShort(c3, c0), clamp, ref Unsafe.Add(ref y, 3 * ldc), count);
        if (rows > 4) Avx512StoreRow(stage.RequantizeShort(c4, c0), clamp, ref Unsafe.Add(ref y, 4 * ldc), count);
        if (rows > 5) Avx512StoreRow(stage.RequantizeShort(c5, c0), clamp, ref Unsafe.Add(ref y, 5 * ldc), count);
        if (rows > 6) Avx512StoreRow(stage.RequantizeShort(c6, c0), clamp, ref Unsafe.Add(ref y, 6 * ldc), count);
        if (rows > 7) Avx512StoreRow(stage.RequantizeShort(c7, c0), clamp, ref Unsafe.Add(ref y, 7 * ldc), count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Avx512StoreRow(Vector512<int> q, ClampRange clamp, ref sbyte y, int count)
    {
        var v = Avx512F.ConvertToVector128SByteWithSaturation(q);
        if (clamp.Min > sbyte.MinValue) v = Vector128.Max(v, Vector128.Create((sbyte)clamp.Min));
        if (clamp.Max < sbyte.MaxValue) v = Vector128.Min(v, Vector128.Create((sbyte)clamp.Max));
        StoreRow(v, ref y, count);
    }

    private static void Avx512BWRows1(ref sbyte a, ref sbyte b, int quads, ref int tile)
    {
        Vector512<int> c0 = default, c1 = default;
        var ones = Vector512.Create((short)1);
        nint q = 0;
        for (; q + 1 < quads; q += 2)
        {
            var w = Vector512.LoadUnsafe(ref b, (nuint)(q * GemmPanels.QuadBytes));
            c0 += Avx512Dot(Quad(ref a, q), w, Vector512<sbyte>.Zero - w, ones);
            w = Vector512.LoadUnsafe(ref b, (nuint)(q * GemmPanels.QuadBytes + GemmPanels.QuadBytes));
            c1 += Avx512Dot(Quad(ref a, q + 1), w, Vector512<sbyte>.Zero - w, ones);
        }
        if (q < quads)
        {
            var w = Vector512.LoadUnsafe(ref b, (nuint)(q * GemmPanels.QuadBytes));
            c0 += Avx512Dot(Quad(ref a, q), w, Vector512<sbyte>.Zero - w, ones);
        }
        Store(c0 + c1, ref tile, 0);
    }

    /// <summary>
    /// Stores 16 accumulators as two 256-bit halves: the output stage reads them back 8 at a time, and a 256-bit load of
    /// the upper half of one 512-bit store would miss store-to-load forwarding (a stall per load on Zen 4).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector512<int> c, ref int tile, nuint offset)
    {
        c.GetLower().StoreUnsafe(ref tile, offset);
        c.GetUpper().StoreUnsafe(ref tile, offset + 8);
    }

    /// <summary>Per channel of <paramref name="w"/> (16 × 4 k), <c>Σ_j x[j]·w[j]</c> for the broadcast quad <paramref name="quad"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Avx512Dot(int quad, Vector512<sbyte> w, Vector512<sbyte> nw, Vector512<short> ones)
    {
        var x = Vector512.Create(quad).AsSByte();
        var signed = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<sbyte>.Zero), nw, w);
        return Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(Avx512BW.Abs(x), signed), ones);
    }
}
