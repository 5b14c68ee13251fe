using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.Gemm;

/// <summary>
/// The register-tile microkernels behind every convolution and GEMM: a tile of <see cref="RowsPerTile"/> A rows (output
/// pixels) × 16 B channels (one panel of <see cref="GemmPanels"/>) held in int32 accumulators across the whole K loop,
/// then the folded bias and the output stage applied to the accumulator tile and one store per row.
/// <para>
/// A rows are read at a stride <c>lda</c>, <see cref="GemmPanels.KPadded"/> bytes each: in place from an NHWC tensor
/// (1×1 convolutions, GEMM rows) or from an im2col block in scratch. The bytes in [K, KPadded) of a row may be anything
/// (they meet zero weights). A tile with fewer valid rows than <see cref="RowsPerTile"/> runs the full kernel over
/// rows that must be readable but whose sums are never stored (one valid row runs the one-row kernel instead); a panel
/// past the group's channels computes zeros that are never stored. So M, N and K remainders run the same kernels.
/// </para>
/// <para>
/// Per path (files Int8GemmTile.&lt;Isa&gt;.cs): Vector128 1×16, AVX2 4×16 (<c>vpmaddubsw</c> + <c>vpmaddwd</c>), AVX-512BW
/// 8×16 (the same on 512 bits), AVX-512 VNNI 8×16 and 8×32 (<c>vpdpbusd</c>, generated code: <see cref="VnniTileCode"/>),
/// AdvSimd 2×16 (<c>smull</c>/<c>smlal</c> + <c>sadalp</c>), AdvSimdDp 4×16 (<c>sdot</c>); each with a 1×16 twin (the VNNI
/// path's is generated too: one row × up to 8 panels, <see cref="VnniTileCode.Row"/>). All sums wrap modulo 2^32, as the contract's accumulator: the same value as the scalar reference's
/// in any order.
/// </para>
/// </summary>
internal static partial class Int8GemmTile
{
    /// <summary>The largest <see cref="RowsPerTile"/>: scratch blocks and tiles are sized for it.</summary>
    public const int MaxRows = 8;

    /// <summary>The int32 of the accumulator tile buffer a caller passes: <see cref="MaxRows"/> rows × two panels (the VNNI tile's).</summary>
    public const int TileInts = MaxRows * GemmPanels.Width * 2;

    /// <summary>
    /// The path the engine runs when <paramref name="path"/> is asked for on this machine: the widest engine path up to it
    /// that the CPU accelerates, within the family asked for (an x86 path asked for on ARM64 runs the widest ARM64 one, as
    /// <see cref="KernelPaths.Supported"/> says, and the other way round). AVX-VNNI has no kernel of its own (this project's machines could not test one), so it
    /// runs AVX2; AVX-512 VNNI runs the generated tiles (<see cref="VnniTileCode"/>); Scalar means the caller's scalar reference.
    /// </summary>
    public static KernelPath Resolve(KernelPath path)
    {
        var widest = path.IsArm64() ? KernelPath.AdvSimdDp : KernelPath.Avx512Vnni;
        var p = KernelPaths.Supported(KernelPaths.AtMost(path, widest));
        return p == KernelPath.AvxVnni ? KernelPath.Avx2 : p;
    }

    /// <summary>The A rows of one full tile of a resolved path (MR).</summary>
    public static int RowsPerTile(KernelPath path) => path switch
    {
        KernelPath.Avx512BW or KernelPath.Avx512Vnni => 8,
        KernelPath.Avx2 or KernelPath.AdvSimdDp => 4,
        KernelPath.AdvSimd => 2,
        _ => 1,
    };

    /// <summary>Rows of A a tile of <paramref name="rows"/> valid rows reads: 1 for one row, otherwise the path's MR.</summary>
    public static int RowsRead(KernelPath path, int rows) => rows == 1 ? 1 : RowsPerTile(path);

    /// <summary>
    /// Panels [<paramref name="panelBegin"/>, <paramref name="panelEnd"/>) of group <paramref name="group"/> against the
    /// tile's A rows (<paramref name="rows"/> valid, <see cref="RowsRead"/> readable, at stride <paramref name="lda"/>):
    /// for valid row i and each of the group's channels c in the panels,
    /// <c>y[i·ldc + c] = stage(foldedBias[c] + Σ_k a[i][k]·w[c][k])</c>, with c counted over all groups.
    /// <paramref name="tile"/> holds <see cref="TileInts"/> int32. <paramref name="path"/> is resolved (<see cref="Resolve"/>), not Scalar.
    /// </summary>
    public static void Run(KernelPath path, GemmPanels w, OutputStage stage, int group, int rows, ref sbyte a, nint lda,
        int panelBegin, int panelEnd, ref sbyte y, nint ldc, Span<int> tile)
    {
        ref sbyte b0 = ref MemoryMarshal.GetReference(w.Data);
        ref int t = ref MemoryMarshal.GetReference(tile);
        int quads = w.KPadded / 4;
        bool one = rows == 1;
        if (path == KernelPath.Avx512Vnni)
        {
            if (one)
                for (int p = panelBegin; p < panelEnd; p += VnniTileCode.MaxRowPanels)
                    Avx512VnniRow(w, stage, group, ref a, p, Math.Min(VnniTileCode.MaxRowPanels, panelEnd - p), ref y, ref t);
            else
                for (int p = panelBegin; p < panelEnd; p += 2)
                    Avx512VnniPanels(w, stage, group, rows, ref a, lda, p, Math.Min(2, panelEnd - p), ref y, ldc, ref t);
            return;
        }
        for (int p = panelBegin; p < panelEnd; p++)
        {
            ref sbyte b = ref Unsafe.Add(ref b0, w.PanelOffset(group, p));
            if (!one && (path == KernelPath.Avx2 || path == KernelPath.Avx512BW) && IsStagedPanel(w, stage, group, p, out int c0, out int count))
            {
                // A panel on the short stage: the tile keeps its sums in registers up to the bytes it stores.
                ref int bias = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(w.FoldedBias), group * w.PaddedChannelsPerGroup + p * GemmPanels.Width);
                ref sbyte yc = ref Unsafe.Add(ref y, c0);
                if (path == KernelPath.Avx512BW) Avx512BWRows8(ref a, lda, ref b, quads, stage, ref bias, c0, count, rows, ref yc, ldc, ref t);
                else Avx2Rows4(ref a, lda, ref b, quads, stage, ref bias, c0, count, rows, ref yc, ldc, ref t);
                continue;
            }
            switch (path)
            {
                case KernelPath.Avx512BW:
                    if (one) Avx512BWRows1(ref a, ref b, quads, ref t); else Avx512BWRows8(ref a, lda, ref b, quads, null, ref t, 0, 0, rows, ref y, ldc, ref t);
                    break;
                case KernelPath.Avx2:
                    if (one) Avx2Rows1(ref a, ref b, quads, ref t);
                    else Avx2Rows4(ref a, lda, ref b, quads, null, ref t, 0, Math.Min(GemmPanels.Width, w.ChannelsPerGroup - p * GemmPanels.Width), rows, ref y, ldc, ref t);
                    break;
                case KernelPath.AdvSimdDp:
                    if (one) AdvSimdDpRows1(ref a, ref b, quads, ref t); else AdvSimdDpRows4(ref a, lda, ref b, quads, ref t);
                    break;
                case KernelPath.AdvSimd:
                    if (one) AdvSimdRows1(ref a, ref b, quads, ref t); else AdvSimdRows2(ref a, lda, ref b, quads, ref t);
                    break;
                default:
                    for (int i = 0; i < rows; i++) Vector128Rows1(ref Unsafe.Add(ref a, i * lda), ref b, quads, ref Unsafe.Add(ref t, i * GemmPanels.Width));
                    break;
            }
            Store(path.IsX86(), w, w.FoldedBias, stage, group, p, rows, ref t, ref y, ldc);
        }
    }

    /// <summary>
    /// Packed weights above this many bytes (half of a 1 MB L2) do not stay in L2 from one use to the next: the in-place
    /// VNNI tiles prefetch the next panel pair while they run a pair's tiles.
    /// </summary>
    internal const int StreamedWeightBytes = 512 * 1024;

    /// <summary>
    /// Rows [<paramref name="m0"/>, <paramref name="m1"/>) of A read in place, row m at <c>a[m·lda]</c> (GEMM rows, or the
    /// pixels of a 1×1 convolution), × panels [<paramref name="p0"/>, <paramref name="p1"/>) of group 0; row m's outputs at
    /// <c>y[m·ldc]</c>. A tile whose reads would pass the end of <paramref name="a"/> (the last rows, or rows past m1 that
    /// a full tile reads) runs on a copy of its valid rows in <paramref name="block"/> (<see cref="MaxRows"/>·KPadded bytes).
    /// Each panel pair runs on every tile in turn; past <see cref="StreamedWeightBytes"/> the VNNI tiles prefetch the next pair.
    /// </summary>
    public static void RunInPlaceRows(KernelPath path, GemmPanels w, OutputStage stage, ReadOnlySpan<sbyte> a, int lda, int m0, int m1,
        int p0, int p1, Span<sbyte> y, int ldc, Span<sbyte> block, Span<int> tile)
    {
        int mr = RowsPerTile(path), kp = w.KPadded;
        ref sbyte ra = ref MemoryMarshal.GetReference(a);
        ref sbyte ry = ref MemoryMarshal.GetReference(y);
        // Full tiles whose reads stay inside the input: several per call of the generated code (VNNI), or of a staged
        // panel's AVX2 tiles.
        int full = (m1 - m0) / mr;
        while (full > 0 && (long)(m0 + mr * full - 1) * lda + kp > a.Length) full--;
        if (path == KernelPath.Avx512Vnni)
        {
            if (full > 0) Avx512VnniInPlaceTiles(w, stage, ref ra, lda, m0, full, p0, p1, ref ry, ldc, tile, prefetch: w.Data.Length > StreamedWeightBytes);
            m0 += mr * full;
        }
        else if (path == KernelPath.Avx2)
        {
            if (full > 0)
            {
                ref sbyte b0 = ref MemoryMarshal.GetReference(w.Data);
                ref int t = ref MemoryMarshal.GetReference(tile);
                for (int p = p0; p < p1; p++)
                {
                    if (IsStagedPanel(w, stage, 0, p, out int c0, out int count))
                        Avx2StagedTiles(ref Unsafe.Add(ref ra, (nint)m0 * lda), lda, ref Unsafe.Add(ref b0, w.PanelOffset(0, p)), kp / 4, stage,
                            ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(w.FoldedBias), p * GemmPanels.Width), c0, count, full,
                            ref Unsafe.Add(ref ry, (nint)m0 * ldc + c0), ldc, ref t);
                    else
                        for (int i = 0; i < full; i++)
                            Run(path, w, stage, 0, mr, ref Unsafe.Add(ref ra, (nint)(m0 + mr * i) * lda), lda, p, p + 1,
                                ref Unsafe.Add(ref ry, (nint)(m0 + mr * i) * ldc), ldc, tile);
                }
                m0 += mr * full;
            }
        }
        for (int m = m0; m < m1; m += mr)
        {
            int rows = Math.Min(mr, m1 - m);
            if ((long)(m + RowsRead(path, rows) - 1) * lda + kp <= a.Length)
                Run(path, w, stage, 0, rows, ref Unsafe.Add(ref ra, m * lda), lda, p0, p1, ref Unsafe.Add(ref ry, m * ldc), ldc, tile);
            else
            {
                for (int i = 0; i < rows; i++) a.Slice((m + i) * lda, w.K).CopyTo(block.Slice(i * kp));
                Run(path, w, stage, 0, rows, ref MemoryMarshal.GetReference(block), kp, p0, p1, ref Unsafe.Add(ref ry, m * ldc), ldc, tile);
            }
        }
    }

    /// <summary>
    /// True when panel <paramref name="panel"/> of <paramref name="group"/> takes the staged tiles: its real channels
    /// (<paramref name="count"/>, 1–16, from <paramref name="c0"/> counted over all groups) all take the output stage's
    /// short form, as every conv, depthwise and GEMM layer of a calibrated model does (multipliers below ¼: shifts from 33).
    /// With at most 8 real channels only the 8 from c0 need it: lanes 8–15 come from zero weights and are never stored
    /// (the stage's tables reach 16 lanes past any channel, so the 16-lane AVX-512 form reads inside them).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsStagedPanel(GemmPanels w, OutputStage stage, int group, int panel, out int c0, out int count)
    {
        int n0 = panel * GemmPanels.Width;
        count = Math.Min(GemmPanels.Width, w.ChannelsPerGroup - n0);
        c0 = group * w.ChannelsPerGroup + n0;
        return stage.IsShort(c0) && (count <= 8 || stage.IsShort(c0 + 8));
    }

    /// <summary>Stores the first <paramref name="count"/> (1–16) bytes of <paramref name="v"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StoreRow(Vector128<sbyte> v, ref sbyte y, int count)
    {
        if (count == GemmPanels.Width)
        {
            v.StoreUnsafe(ref y);
            return;
        }
        // Stores of 8, 4, 2 and 1 bytes, as the count's bits say: at most four, never past the count.
        ref byte dst = ref Unsafe.As<sbyte, byte>(ref y);
        ulong bits = v.AsUInt64().GetElement(0);
        int j = 0;
        if (count >= 8)
        {
            Unsafe.WriteUnaligned(ref dst, bits);
            bits = v.AsUInt64().GetElement(1);
            j = 8;
        }
        if ((count & 4) != 0)
        {
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, j), (uint)bits);
            bits >>= 32;
            j += 4;
        }
        if ((count & 2) != 0)
        {
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, j), (ushort)bits);
            bits >>= 16;
            j += 2;
        }
        if ((count & 1) != 0) Unsafe.Add(ref dst, j) = (byte)bits;
    }

    /// <summary>
    /// The output stage on the accumulator tile of panel <paramref name="panel"/>: <paramref name="biases"/> added (the panels'
    /// <see cref="GemmPanels.FoldedBias"/>, or <see cref="GemmPanels.VnniBias"/> after the VNNI tiles), then requantize,
    /// zero point and clamp eight lanes at a time (AVX2 tables, which any channel may start) or four (Vector128 tables,
    /// where they reach; the scalar stage for the lanes where they do not), and one store per row of the channels that exist.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Store(bool avx2, GemmPanels w, int[] biases, OutputStage stage, int group, int panel, int rows, ref int tile, ref sbyte y, nint ldc)
    {
        int n0 = panel * GemmPanels.Width;
        int count = Math.Min(GemmPanels.Width, w.ChannelsPerGroup - n0);
        int c0 = group * w.ChannelsPerGroup + n0;
        ref int bias = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(biases), group * w.PaddedChannelsPerGroup + n0);
        for (int i = 0; i < rows; i++)
        {
            ref int acc = ref Unsafe.Add(ref tile, i * GemmPanels.Width);
            ref sbyte yi = ref Unsafe.Add(ref y, i * ldc + c0);
            if (avx2)
            {
                for (int h = 0; h < count; h += 8)
                {
                    var v = Vector256.LoadUnsafe(ref acc, (nuint)h) + Vector256.LoadUnsafe(ref bias, (nuint)h);
                    var q = stage.Apply(v, c0 + h);
                    var bytes = Vector128.Narrow(Vector128.Narrow(q.GetLower(), q.GetUpper()), Vector128<short>.Zero);
                    if (h + 8 <= count) Unsafe.WriteUnaligned(ref Unsafe.As<sbyte, byte>(ref Unsafe.Add(ref yi, h)), bytes.AsInt64().ToScalar());
                    else
                        for (int j = 0; h + j < count; j++) Unsafe.Add(ref yi, h + j) = bytes.GetElement(j);
                }
            }
            else if (Vector128.IsHardwareAccelerated)
            {
                for (int h = 0; h < count; h += 4)
                {
                    if (c0 + h + 4 <= stage.VectorMultiplier.Length)
                    {
                        var v = Vector128.LoadUnsafe(ref acc, (nuint)h) + Vector128.LoadUnsafe(ref bias, (nuint)h);
                        var q = stage.Apply(v, c0 + h);
                        if (h + 4 <= count)
                        {
                            var bytes = Vector128.Narrow(Vector128.Narrow(q, q), Vector128<short>.Zero);
                            Unsafe.WriteUnaligned(ref Unsafe.As<sbyte, byte>(ref Unsafe.Add(ref yi, h)), bytes.AsInt32().ToScalar());
                        }
                        else
                            for (int j = 0; h + j < count; j++) Unsafe.Add(ref yi, h + j) = (sbyte)q.GetElement(j);
                    }
                    else
                        for (int j = h; j < count && j < h + 4; j++)
                            Unsafe.Add(ref yi, j) = stage.Apply(unchecked(Unsafe.Add(ref acc, j) + Unsafe.Add(ref bias, j)), c0 + j);
                }
            }
            else
                for (int j = 0; j < count; j++)
                    Unsafe.Add(ref yi, j) = stage.Apply(unchecked(Unsafe.Add(ref acc, j) + Unsafe.Add(ref bias, j)), c0 + j);
        }
    }

    /// <summary>The 4 bytes of quad <paramref name="q"/> of an A row, as one int (to broadcast).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Quad(ref sbyte row, nint q) => Unsafe.ReadUnaligned<int>(ref Unsafe.As<sbyte, byte>(ref Unsafe.Add(ref row, q * 4)));
}
