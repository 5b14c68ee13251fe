using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.Gemm;

/// <summary>
/// The AVX2 tiles: 4 rows × 16 channels in eight 256-bit accumulators (two per row: channels 0–7 and 8–15), and the
/// one-row twin.
/// <para>
/// Per quad (4 k) of a row, its 4 bytes are broadcast to all lanes, <c>x</c>; a panel quad is two vectors of 8 channels ×
/// 4 k, <c>b</c>. <c>vpmaddubsw</c> multiplies unsigned bytes by signed bytes and adds adjacent pairs into int16 with
/// saturation; it is fed <c>|x|</c> (<c>vpabsb</c>: x in [−128, 127], so |x| ≤ 128 fits an unsigned byte, −128 → 128) and
/// <c>sign(b, x)</c> (<c>vpsignb</c>: b negated where x &lt; 0, zeroed where x = 0; b in [−127, 127], so −b fits). Each
/// product <c>|x|·sign(b, x) = x·b</c> exactly, and each pair sum is at most 2·128·127 = 32,512 &lt; 32,767 in magnitude:
/// the saturation never happens. <c>vpmaddwd</c> by ones then adds the two pair sums of a channel's quad into int32
/// (exact), and the accumulators add in int32 with wraparound — the contract's accumulator modulo 2^32. Weights of −128
/// never reach here (<see cref="PackedWeights.CheckSymmetric"/>), which is what makes −b and the bound hold.
/// </para>
/// </summary>
internal static partial class Int8GemmTile
{
    /// <summary>
    /// The 4×16 tile over the whole K loop. Without a <paramref name="stage"/> its int32 sums go to <paramref name="tile"/>
    /// (the caller adds the bias and applies the output stage). With one — a panel whose real channels take the short
    /// stage (<see cref="OutputStage.IsShort"/>) — the output stage runs in registers: the accumulators start from the
    /// folded bias (<paramref name="bias"/>), the stage requantizes them in place, two saturating packs and one permutation
    /// turn each pair of rows into 32 bytes, and the fused activation's clamp runs on those bytes. The <paramref name="rows"/>
    /// valid rows are stored, the panel's <paramref name="count"/> real channels each. With at most 8 real channels only
    /// the panel's first half is multiplied and requantized (lanes 8–15 of the sums are not computed).
    /// </summary>
    private static void Avx2Rows4(ref sbyte a, nint lda, ref sbyte b, int quads, OutputStage? stage, ref int bias, int c0, int count,
        int rows, ref sbyte y, nint ldc, ref int tile)
        => Avx2Rows4Body(ref a, lda, ref b, quads, stage, ref bias, c0, count, rows, ref y, ldc, ref tile);

    /// <summary>
    /// <paramref name="tiles"/> full 4×16 tiles of one staged panel in one call, tile t's rows from <c>a + 4t·lda</c> and its
    /// outputs at <c>y + 4t·ldc</c>: the A rows of an in-place 1×1 convolution or GEMM whose reads stay inside the input.
    /// A call per tile and panel cost about a third of a short-K tile (1×1 layers of 16–32 input channels).
    /// </summary>
    private static void Avx2StagedTiles(ref sbyte a, nint lda, ref sbyte b, int quads, OutputStage stage, ref int bias, int c0, int count,
        int tiles, ref sbyte y, nint ldc, ref int tile)
    {
        for (int t = 0; t < tiles; t++)
            Avx2Rows4Body(ref Unsafe.Add(ref a, 4 * t * lda), lda, ref b, quads, stage, ref bias, c0, count, 4,
                ref Unsafe.Add(ref y, 4 * t * ldc), ldc, ref tile);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Avx2Rows4Body(ref sbyte a, nint lda, ref sbyte b, int quads, OutputStage? stage, ref int bias, int c0, int count,
        int rows, ref sbyte y, nint ldc, ref int tile)
    {
        Vector256<int> c00 = default, c01 = default;
        if (stage is not null)
        {
            c00 = Vector256.LoadUnsafe(ref bias);
            c01 = Vector256.LoadUnsafe(ref bias, 8);
        }
        Vector256<int> c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01;
        var ones = Vector256.Create((short)1);
        ref sbyte a1 = ref Unsafe.Add(ref a, lda);
        ref sbyte a2 = ref Unsafe.Add(ref a1, lda);
        ref sbyte a3 = ref Unsafe.Add(ref a2, lda);
        if (count <= 8)
        {
            // At most 8 real channels (LeNet's 6, the last panel of 24): lanes 8–15 are never read, so the panel's second
            // half is not multiplied either.
            for (nint q = 0; q < quads; q++)
            {
                var b0 = Vector256.LoadUnsafe(ref b, (nuint)(q * GemmPanels.QuadBytes));
                var x = Vector256.Create(Quad(ref a, q)).AsSByte();
                c00 += Avx2Dot(Avx2.Abs(x), x, b0, ones);
                x = Vector256.Create(Quad(ref a1, q)).AsSByte();
                c10 += Avx2Dot(Avx2.Abs(x), x, b0, ones);
                x = Vector256.Create(Quad(ref a2, q)).AsSByte();
                c20 += Avx2Dot(Avx2.Abs(x), x, b0, ones);
                x = Vector256.Create(Quad(ref a3, q)).AsSByte();
                c30 += Avx2Dot(Avx2.Abs(x), x, b0, ones);
            }
        }
        else
        for (nint q = 0; q < quads; q++)
        {
            var b0 = Vector256.LoadUnsafe(ref b, (nuint)(q * GemmPanels.QuadBytes));
            var b1 = Vector256.LoadUnsafe(ref b, (nuint)(q * GemmPanels.QuadBytes + 32));
            var x = Vector256.Create(Quad(ref a, q)).AsSByte();
            var ax = Avx2.Abs(x);
            c00 += Avx2Dot(ax, x, b0, ones);
            c01 += Avx2Dot(ax, x, b1, ones);
            x = Vector256.Create(Quad(ref a1, q)).AsSByte();
            ax = Avx2.Abs(x);
            c10 += Avx2Dot(ax, x, b0, ones);
            c11 += Avx2Dot(ax, x, b1, ones);
            x = Vector256.Create(Quad(ref a2, q)).AsSByte();
            ax = Avx2.Abs(x);
            c20 += Avx2Dot(ax, x, b0, ones);
            c21 += Avx2Dot(ax, x, b1, ones);
            x = Vector256.Create(Quad(ref a3, q)).AsSByte();
            ax = Avx2.Abs(x);
            c30 += Avx2Dot(ax, x, b0, ones);
            c31 += Avx2Dot(ax, x, b1, ones);
        }
        Avx2Finish4(stage, c0, count, rows, ref y, ldc, ref tile, c00, c01, c10, c11, c20, c21, c30, c31);
    }

    /// <summary>
    /// The end of a 4×16 tile (rows i = 0–3, lanes 0–7 in <c>ci0</c>, 8–15 in <c>ci1</c>), shared by the GEMM tile and the
    /// direct convolution's wide tile: without a <paramref name="stage"/> the int32 sums go to <paramref name="tile"/> (rows
    /// of 16); with one they are requantized in registers, two saturating packs and one permutation make each pair of rows
    /// 32 bytes, the fused clamp runs on those bytes, and the <paramref name="rows"/> valid rows are stored, the panel's
    /// <paramref name="count"/> real channels each from <paramref name="y"/> (lanes 8–15 requantized only when count &gt; 8).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Avx2Finish4(OutputStage? stage, int c0, int count, int rows, ref sbyte y, nint ldc, ref int tile,
        Vector256<int> c00, Vector256<int> c01, Vector256<int> c10, Vector256<int> c11,
        Vector256<int> c20, Vector256<int> c21, Vector256<int> c30, Vector256<int> c31)
    {
        if (stage is null)
        {
            c00.StoreUnsafe(ref tile, 0);
            c01.StoreUnsafe(ref tile, 8);
            c10.StoreUnsafe(ref tile, 16);
            c11.StoreUnsafe(ref tile, 24);
            c20.StoreUnsafe(ref tile, 32);
            c21.StoreUnsafe(ref tile, 40);
            c30.StoreUnsafe(ref tile, 48);
            c31.StoreUnsafe(ref tile, 56);
            return;
        }
        // Every lane requantized before the first store: a store through y could alias the stage's tables as far as the
        // JIT knows, and would make it reload them for the lanes after it.
        // The constants are loaded once per tile, not once per requantization (each of which had reloaded the tables
        // through the stage object).
        var clamp = stage.Clamp;
        var zp = Vector256.Create(stage.OutputZeroPoint);
        var lower = stage.LoadShort(c0);
        Vector256<sbyte> r01, r23;
        if (count > 8)
        {
            var upper = stage.LoadShort(c0 + 8);
            r01 = Avx2PackRows(lower.Requantize(c00) + zp, upper.Requantize(c01) + zp, lower.Requantize(c10) + zp, upper.Requantize(c11) + zp, clamp);
            r23 = Avx2PackRows(lower.Requantize(c20) + zp, upper.Requantize(c21) + zp, lower.Requantize(c30) + zp, upper.Requantize(c31) + zp, clamp);
        }
        else
        {
            // At most 8 real channels: lanes 8–15 are never stored, so they are not requantized either.
            r01 = Avx2PackRows(lower.Requantize(c00) + zp, default, lower.Requantize(c10) + zp, default, clamp);
            r23 = Avx2PackRows(lower.Requantize(c20) + zp, default, lower.Requantize(c30) + zp, default, clamp);
        }
        StoreRow(r01.GetLower(), ref y, count);
        if (rows > 1) StoreRow(r01.GetUpper(), ref Unsafe.Add(ref y, ldc), count);
        if (rows > 2) StoreRow(r23.GetLower(), ref Unsafe.Add(ref y, 2 * ldc), count);
        if (rows > 3) StoreRow(r23.GetUpper(), ref Unsafe.Add(ref y, 3 * ldc), count);
    }

    /// <summary>
    /// Two rows of 16 requantized int32 (<paramref name="r0a"/> channels 0–7, <paramref name="r0b"/> 8–15, likewise row 1)
    /// as 32 bytes, row 0 in the lower half: <c>vpackssdw</c> then <c>vpacksswb</c> saturate to int8 (the clamp to
    /// [−128, 127]); they work per 128-bit half, leaving the dwords (4 channels each) as [r0 0–3, r0 8–11, r1 0–3, r1 8–11 |
    /// r0 4–7, r0 12–15, r1 4–7, r1 12–15], which <c>vpermd</c> by [0, 4, 1, 5, 2, 6, 3, 7] puts in order; then the clamp.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<sbyte> Avx2PackRows(Vector256<int> r0a, Vector256<int> r0b, Vector256<int> r1a, Vector256<int> r1b, ClampRange clamp)
    {
        var bytes = Avx2.PackSignedSaturate(Avx2.PackSignedSaturate(r0a, r0b), Avx2.PackSignedSaturate(r1a, r1b));
        var v = Avx2.PermuteVar8x32(bytes.AsInt32(), Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7)).AsSByte();
        if (clamp.Min > sbyte.MinValue) v = Avx2.Max(v, Vector256.Create((sbyte)clamp.Min));
        if (clamp.Max < sbyte.MaxValue) v = Avx2.Min(v, Vector256.Create((sbyte)clamp.Max));
        return v;
    }

    private static void Avx2Rows1(ref sbyte a, ref sbyte b, int quads, ref int tile)
    {
        // Two accumulator pairs (even and odd quads) keep two independent add chains in flight.
        Vector256<int> c0 = default, c1 = default, d0 = default, d1 = default;
        var ones = Vector256.Create((short)1);
        nint q = 0;
        for (; q + 1 < quads; q += 2)
        {
            var x = Vector256.Create(Quad(ref a, q)).AsSByte();
            var ax = Avx2.Abs(x);
            c0 += Avx2Dot(ax, x, Vector256.LoadUnsafe(ref b, (nuint)(q * GemmPanels.QuadBytes)), ones);
            c1 += Avx2Dot(ax, x, Vector256.LoadUnsafe(ref b, (nuint)(q * GemmPanels.QuadBytes + 32)), ones);
            x = Vector256.Create(Quad(ref a, q + 1)).AsSByte();
            ax = Avx2.Abs(x);
            d0 += Avx2Dot(ax, x, Vector256.LoadUnsafe(ref b, (nuint)(q * GemmPanels.QuadBytes + 64)), ones);
            d1 += Avx2Dot(ax, x, Vector256.LoadUnsafe(ref b, (nuint)(q * GemmPanels.QuadBytes + 96)), ones);
        }
        if (q < quads)
        {
            var x = Vector256.Create(Quad(ref a, q)).AsSByte();
            var ax = Avx2.Abs(x);
            c0 += Avx2Dot(ax, x, Vector256.LoadUnsafe(ref b, (nuint)(q * GemmPanels.QuadBytes)), ones);
            c1 += Avx2Dot(ax, x, Vector256.LoadUnsafe(ref b, (nuint)(q * GemmPanels.QuadBytes + 32)), ones);
        }
        (c0 + d0).StoreUnsafe(ref tile, 0);
        (c1 + d1).StoreUnsafe(ref tile, 8);
    }

    /// <summary>Per channel of <paramref name="b"/> (8 × 4 k), <c>Σ_j x[j]·b[j]</c> in int32: see the type's summary for why it is exact.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Avx2Dot(Vector256<byte> ax, Vector256<sbyte> x, Vector256<sbyte> b, Vector256<short> ones)
        => Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(ax, Avx2.Sign(b, x)), ones);
}
