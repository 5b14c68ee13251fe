using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;

namespace Edge.Runtime.Kernels.Gemm;

/// <summary>
/// The ARM64 NEON tiles without the dot-product extension (Cortex-A72, Raspberry Pi 4): 2 rows × 16 channels, and the
/// one-row twin; the ruy/gemmlowp scheme.
/// <para>
/// Two quads q, q + 1 of a panel at a time: for each group of 4 channels, the vectors <c>b = w[q]</c> and <c>b' = w[q+1]</c>
/// (4 channels × 4 k each) and the row's quads broadcast, <c>x</c> and <c>x'</c>. <c>smull</c> multiplies the low 8 bytes
/// (channels 0–1) into int16 and <c>smlal</c> adds the next quad's products for the same channel and k mod 4, so each
/// int16 lane is <c>x_k·w_k + x_(k+4)·w_(k+4)</c>: at most 2·128·127 = 32,512 in magnitude, exact (weights are never −128);
/// <c>smull2</c>/<c>smlal2</c> do the same for channels 2–3. <c>sadalp</c> adds adjacent int16 lanes into the int32
/// accumulators, wrapping: each accumulator holds two partial sums per channel, which <c>addp</c> joins at the end.
/// </para>
/// </summary>
internal static partial class Int8GemmTile
{
    private static void AdvSimdRows2(ref sbyte a, nint lda, ref sbyte b, int quads, ref int tile)
    {
        // [row][channel group j][lo: channels 4j, 4j+1 | hi: 4j+2, 4j+3], two partial sums per channel.
        Vector128<int> l00 = default, h00 = default, l01 = default, h01 = default, l02 = default, h02 = default, l03 = default, h03 = default;
        Vector128<int> l10 = default, h10 = default, l11 = default, h11 = default, l12 = default, h12 = default, l13 = default, h13 = default;
        ref sbyte a1 = ref Unsafe.Add(ref a, lda);
        for (nint q = 0; q < quads; q += 2)
        {
            nuint o = (nuint)(q * GemmPanels.QuadBytes);
            var b0 = Vector128.LoadUnsafe(ref b, o);
            var b1 = Vector128.LoadUnsafe(ref b, o + 16);
            var b2 = Vector128.LoadUnsafe(ref b, o + 32);
            var b3 = Vector128.LoadUnsafe(ref b, o + 48);
            var e0 = Vector128.LoadUnsafe(ref b, o + 64);
            var e1 = Vector128.LoadUnsafe(ref b, o + 80);
            var e2 = Vector128.LoadUnsafe(ref b, o + 96);
            var e3 = Vector128.LoadUnsafe(ref b, o + 112);
            var x = Vector128.Create(Quad(ref a, q)).AsSByte();
            var y = Vector128.Create(Quad(ref a, q + 1)).AsSByte();
            l00 = AdvSimd.AddPairwiseWideningAndAdd(l00, PairLower(b0, e0, x, y));
            h00 = AdvSimd.AddPairwiseWideningAndAdd(h00, PairUpper(b0, e0, x, y));
            l01 = AdvSimd.AddPairwiseWideningAndAdd(l01, PairLower(b1, e1, x, y));
            h01 = AdvSimd.AddPairwiseWideningAndAdd(h01, PairUpper(b1, e1, x, y));
            l02 = AdvSimd.AddPairwiseWideningAndAdd(l02, PairLower(b2, e2, x, y));
            h02 = AdvSimd.AddPairwiseWideningAndAdd(h02, PairUpper(b2, e2, x, y));
            l03 = AdvSimd.AddPairwiseWideningAndAdd(l03, PairLower(b3, e3, x, y));
            h03 = AdvSimd.AddPairwiseWideningAndAdd(h03, PairUpper(b3, e3, x, y));
            x = Vector128.Create(Quad(ref a1, q)).AsSByte();
            y = Vector128.Create(Quad(ref a1, q + 1)).AsSByte();
            l10 = AdvSimd.AddPairwiseWideningAndAdd(l10, PairLower(b0, e0, x, y));
            h10 = AdvSimd.AddPairwiseWideningAndAdd(h10, PairUpper(b0, e0, x, y));
            l11 = AdvSimd.AddPairwiseWideningAndAdd(l11, PairLower(b1, e1, x, y));
            h11 = AdvSimd.AddPairwiseWideningAndAdd(h11, PairUpper(b1, e1, x, y));
            l12 = AdvSimd.AddPairwiseWideningAndAdd(l12, PairLower(b2, e2, x, y));
            h12 = AdvSimd.AddPairwiseWideningAndAdd(h12, PairUpper(b2, e2, x, y));
            l13 = AdvSimd.AddPairwiseWideningAndAdd(l13, PairLower(b3, e3, x, y));
            h13 = AdvSimd.AddPairwiseWideningAndAdd(h13, PairUpper(b3, e3, x, y));
        }
        AdvSimd.Arm64.AddPairwise(l00, h00).StoreUnsafe(ref tile, 0);
        AdvSimd.Arm64.AddPairwise(l01, h01).StoreUnsafe(ref tile, 4);
        AdvSimd.Arm64.AddPairwise(l02, h02).StoreUnsafe(ref tile, 8);
        AdvSimd.Arm64.AddPairwise(l03, h03).StoreUnsafe(ref tile, 12);
        AdvSimd.Arm64.AddPairwise(l10, h10).StoreUnsafe(ref tile, 16);
        AdvSimd.Arm64.AddPairwise(l11, h11).StoreUnsafe(ref tile, 20);
        AdvSimd.Arm64.AddPairwise(l12, h12).StoreUnsafe(ref tile, 24);
        AdvSimd.Arm64.AddPairwise(l13, h13).StoreUnsafe(ref tile, 28);
    }

    private static void AdvSimdRows1(ref sbyte a, ref sbyte b, int quads, ref int tile)
    {
        Vector128<int> l0 = default, h0 = default, l1 = default, h1 = default, l2 = default, h2 = default, l3 = default, h3 = default;
        for (nint q = 0; q < quads; q += 2)
        {
            nuint o = (nuint)(q * GemmPanels.QuadBytes);
            var x = Vector128.Create(Quad(ref a, q)).AsSByte();
            var y = Vector128.Create(Quad(ref a, q + 1)).AsSByte();
            var b0 = Vector128.LoadUnsafe(ref b, o);
            var e0 = Vector128.LoadUnsafe(ref b, o + 64);
            l0 = AdvSimd.AddPairwiseWideningAndAdd(l0, PairLower(b0, e0, x, y));
            h0 = AdvSimd.AddPairwiseWideningAndAdd(h0, PairUpper(b0, e0, x, y));
            var b1 = Vector128.LoadUnsafe(ref b, o + 16);
            var e1 = Vector128.LoadUnsafe(ref b, o + 80);
            l1 = AdvSimd.AddPairwiseWideningAndAdd(l1, PairLower(b1, e1, x, y));
            h1 = AdvSimd.AddPairwiseWideningAndAdd(h1, PairUpper(b1, e1, x, y));
            var b2 = Vector128.LoadUnsafe(ref b, o + 32);
            var e2 = Vector128.LoadUnsafe(ref b, o + 96);
            l2 = AdvSimd.AddPairwiseWideningAndAdd(l2, PairLower(b2, e2, x, y));
            h2 = AdvSimd.AddPairwiseWideningAndAdd(h2, PairUpper(b2, e2, x, y));
            var b3 = Vector128.LoadUnsafe(ref b, o + 48);
            var e3 = Vector128.LoadUnsafe(ref b, o + 112);
            l3 = AdvSimd.AddPairwiseWideningAndAdd(l3, PairLower(b3, e3, x, y));
            h3 = AdvSimd.AddPairwiseWideningAndAdd(h3, PairUpper(b3, e3, x, y));
        }
        AdvSimd.Arm64.AddPairwise(l0, h0).StoreUnsafe(ref tile, 0);
        AdvSimd.Arm64.AddPairwise(l1, h1).StoreUnsafe(ref tile, 4);
        AdvSimd.Arm64.AddPairwise(l2, h2).StoreUnsafe(ref tile, 8);
        AdvSimd.Arm64.AddPairwise(l3, h3).StoreUnsafe(ref tile, 12);
    }

    /// <summary><c>smull</c> + <c>smlal</c>: channels 0–1 of a 4-channel group, quads q and q + 1, int16 lanes (exact, ≤ 32,512).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<short> PairLower(Vector128<sbyte> b, Vector128<sbyte> e, Vector128<sbyte> x, Vector128<sbyte> y)
        => AdvSimd.MultiplyWideningLowerAndAdd(AdvSimd.MultiplyWideningLower(b.GetLower(), x.GetLower()), e.GetLower(), y.GetLower());

    /// <summary><c>smull2</c> + <c>smlal2</c>: channels 2–3 of the group.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<short> PairUpper(Vector128<sbyte> b, Vector128<sbyte> e, Vector128<sbyte> x, Vector128<sbyte> y)
        => AdvSimd.MultiplyWideningUpperAndAdd(AdvSimd.MultiplyWideningUpper(b, x), e, y);
}
