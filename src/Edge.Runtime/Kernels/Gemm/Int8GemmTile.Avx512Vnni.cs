using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.Gemm;

/// <summary>
/// The AVX-512 VNNI tiles: 8 rows × 1 or 2 panels in generated code (<see cref="VnniTileCode"/>: <c>vpdpbusd</c> on
/// <c>x + 128</c> against the int8 weights, exact in int32), the bias <see cref="GemmPanels.VnniBias"/> folding in both the
/// zero point and the <c>−128·Σw</c> of the unsigned shift. Full tiles of panels on the short stage run it in the
/// generated code, several tiles per call (<see cref="Avx512VnniFullTiles"/>); other tiles store their int32 sums and the
/// stage runs here (<see cref="Avx512VnniStage"/>).
/// </summary>
internal static partial class Int8GemmTile
{
    /// <summary>
    /// Panels [<paramref name="panel"/>, <paramref name="panel"/> + <paramref name="panels"/>) (1 or 2) of group
    /// <paramref name="group"/> against 8 A rows at stride <paramref name="lda"/>, <paramref name="rows"/> of them valid.
    /// </summary>
    private static unsafe void Avx512VnniPanels(GemmPanels w, OutputStage stage, int group, int rows, ref sbyte a, nint lda,
        int panel, int panels, ref sbyte y, nint ldc, ref int tile)
    {
        var shape = VnniTileShape.Gemm(w.KPadded / 4);
        fixed (sbyte* pa = &a)
        fixed (sbyte* pb = &w.Data[w.PanelOffset(group, panel)])
        fixed (sbyte* py = &y)
        {
            if (rows == VnniTileCode.Rows) Avx512VnniFullTiles(pa, lda, 0, 1, pb, &shape, w, stage, group, panel, panels, py, ldc, 0, ref tile);
            else Avx512VnniTile(pa, lda, pb, &shape, w, stage, group, panel, panels, 0, rows, ref y, ldc, ref tile);
        }
    }

    /// <summary>
    /// One A row against panels [<paramref name="panel"/>, + <paramref name="panels"/>) (at most
    /// <see cref="VnniTileCode.MaxRowPanels"/>) of group <paramref name="group"/>: the one-row kernel's sums in
    /// <paramref name="tile"/> (16 per panel), then the stage of each panel's row.
    /// </summary>
    private static unsafe void Avx512VnniRow(GemmPanels w, OutputStage stage, int group, ref sbyte a, int panel, int panels, ref sbyte y, ref int tile)
    {
        // Every panel on the short stage (only the last one partial): the stage runs in the kernel.
        bool staged = true;
        int c0 = 0, last = 0;
        for (int j = 0; j < panels && staged; j++)
        {
            staged = IsStagedPanel(w, stage, group, panel + j, out int c, out last) && (last == GemmPanels.Width || j == panels - 1);
            if (j == 0) c0 = c;
        }
        if (staged)
        {
            var (multiplier, add, shift) = stage.ShortTables;
            VnniStageArgs args = default;
            fixed (sbyte* pa = &a, py = &y)
            fixed (sbyte* pb = &w.Data[w.PanelOffset(group, panel)])
            fixed (int* pBias = &w.VnniBias[group * w.PaddedChannelsPerGroup + panel * GemmPanels.Width])
            fixed (int* pM = &multiplier[c0], pAdd = &add[c0], pShift = &shift[c0], pIndex = VnniTileCode.HighDwords)
            {
                SetStage(&args, stage, pBias, pM, pAdd, pShift, pIndex);
                args.Masks[0] = ushort.MaxValue;
                args.Masks[1] = (ushort)((1 << last) - 1);
                args.Y = py + c0;
                VnniTileCode.StagedRow(panels)(pa, w.KPadded / 8, pb, w.PanelLength, &args);
            }
            return;
        }
        fixed (sbyte* pa = &a)
        fixed (sbyte* pb = &w.Data[w.PanelOffset(group, panel)])
        fixed (int* pt = &tile)
            VnniTileCode.Row(panels)(pa, w.KPadded / 8, pb, w.PanelLength, pt);
        for (int j = 0; j < panels; j++)
            Avx512VnniStage(w, stage, group, panel + j, 1, 0, 1, ref y, 0, ref Unsafe.Add(ref tile, j * GemmPanels.Width));
    }

    /// <summary>
    /// <paramref name="tiles"/> full tiles of A rows read in place from row <paramref name="m0"/> (row m at
    /// <c>a[m·lda]</c>, outputs at <c>y[m·ldc]</c>) × panels [<paramref name="p0"/>, <paramref name="p1"/>) of group 0, two
    /// panels at a time (<see cref="Avx512VnniFullTiles"/>); with <paramref name="prefetch"/>, each pair's tiles prefetch
    /// the next pair's weights.
    /// </summary>
    private static unsafe void Avx512VnniInPlaceTiles(GemmPanels w, OutputStage stage, ref sbyte a, int lda, int m0, int tiles,
        int p0, int p1, ref sbyte y, int ldc, Span<int> tile, bool prefetch)
    {
        var shape = VnniTileShape.Gemm(w.KPadded / 4);
        int mr = VnniTileCode.Rows;
        fixed (sbyte* pa0 = &a, pw = w.Data, py0 = &y)
        {
            sbyte* pa = pa0 + (nint)m0 * lda, py = py0 + (nint)m0 * ldc;
            for (int p = p0; p < p1; p += 2)
            {
                int panels = Math.Min(2, p1 - p);
                sbyte* next = prefetch && p + 2 < p1 ? pw + w.PanelOffset(0, p + 2) : null;
                Avx512VnniFullTiles(pa, lda, (nint)mr * lda, tiles, pw + w.PanelOffset(0, p), &shape, w, stage, 0, p, panels, py, ldc,
                    (nint)mr * ldc, ref MemoryMarshal.GetReference(tile), prefetch: next, prefetchPanels: Math.Min(2, p1 - p - 2));
            }
        }
    }

    /// <summary>
    /// <paramref name="tiles"/> full tiles (≥ 1) — or tiles of <paramref name="tileRows"/> (1–7) rows of unsigned A, which
    /// take the staged partial kernels (<see cref="VnniTileCode.StagedPartialTiles"/>) — against panels
    /// [<paramref name="panel"/>, + <paramref name="panels"/>) at <paramref name="b"/>: tile t's row i is A row <c>a + t·aTileStride + i·lda</c> and goes to <c>y + t·yTileStride +
    /// i·ldc + c</c> (y: the output of row 0, channel 0). Panels whose channels all take the short stage
    /// (<see cref="IsStagedPanel"/>) run every tile in one call of the staged kernel, the stage in registers; others tile by
    /// tile through <paramref name="tile"/> and <see cref="Avx512VnniTile"/>. A non-null <paramref name="prefetch"/>: the
    /// staged kernel also prefetches the <paramref name="prefetchPanels"/> (1 or 2) panels there, a tile's quads spanning one
    /// panel (<see cref="VnniTileCode.StagedTiles"/>).
    /// </summary>
    internal static unsafe void Avx512VnniFullTiles(sbyte* a, nint lda, nint aTileStride, int tiles, sbyte* b, VnniTileShape* shape,
        GemmPanels w, OutputStage stage, int group, int panel, int panels, sbyte* y, nint ldc, nint yTileStride, ref int tile, bool unsignedA = false,
        sbyte* prefetch = null, int prefetchPanels = 0, int tileRows = VnniTileCode.Rows)
    {
        int count1 = 0;
        if (!IsStagedPanel(w, stage, group, panel, out int c0, out int count0)
            || (panels == 2 && !IsStagedPanel(w, stage, group, panel + 1, out _, out count1)))
        {
            for (int t = 0; t < tiles; t++)
                Avx512VnniTile(a + t * aTileStride, lda, b, shape, w, stage, group, panel, panels, 0, tileRows,
                    ref Unsafe.AsRef<sbyte>(y + t * yTileStride), ldc, ref tile, unsignedA, tileRows);
            return;
        }
        var (multiplier, add, shift) = stage.ShortTables;
        add = stage.ShortAddWithZeroPoint ?? add;
        VnniStageArgs args;
        fixed (int* pBias = &w.VnniBias[group * w.PaddedChannelsPerGroup + panel * GemmPanels.Width])
        fixed (int* pM = &multiplier[c0], pAdd = &add[c0], pShift = &shift[c0], pIndex = VnniTileCode.HighDwords)
        {
            SetStage(&args, stage, pBias, pM, pAdd, pShift, pIndex);
            args.Masks[0] = (ushort)((1 << count0) - 1);
            args.Masks[1] = (ushort)((1 << count1) - 1);
            args.Tiles = tiles;
            args.A = a;
            args.Lda = lda;
            args.ATileStride = aTileStride;
            args.Y = y + c0;
            args.Ldc = ldc;
            args.YTileStride = yTileStride;
            args.B = b;
            args.PanelStride = w.PanelLength;
            args.Prefetch0 = prefetch;
            args.Prefetch1 = prefetchPanels == 2 ? prefetch + w.PanelLength : prefetch;
            int variant = VnniTileCode.StageVariant(stage.Clamp.Min > sbyte.MinValue, stage.Clamp.Max < sbyte.MaxValue, stage.ShortAddWithZeroPoint is not null);
            if (tileRows == VnniTileCode.Rows) VnniTileCode.StagedTiles(panels, unsignedA, variant, prefetch != null)(shape, &args);
            else if (unsignedA && prefetch == null) VnniTileCode.StagedPartialTiles(panels, tileRows, variant)(shape, &args);
            else throw new ArgumentException("partial staged tiles read A already unsigned and prefetch nothing", nameof(tileRows));
        }
    }

    /// <summary>The output stage's part of a staged kernel's arguments: the tables at the first panel's first channel, the zero point and the clamp.</summary>
    private static unsafe void SetStage(VnniStageArgs* args, OutputStage stage, int* bias, int* multiplier, int* add, int* shift, int* index)
    {
        args->Bias = bias;
        args->Multiplier = multiplier;
        args->Add = add;
        args->Shift = shift;
        args->Index = index;
        args->ZeroPoint = stage.OutputZeroPoint;
        args->ClampMin = stage.Clamp.Min;
        args->ClampMax = stage.Clamp.Max;
    }

    /// <summary>
    /// One VNNI tile — <paramref name="tileRows"/> A rows (8, or 1–7 already unsigned: <see cref="VnniTileCode.PartialTile"/>)
    /// from <paramref name="a"/> at stride <paramref name="lda"/>, K as <paramref name="shape"/> says, against panels
    /// [<paramref name="panel"/>, + <paramref name="panels"/>) at <paramref name="b"/> (consecutive,
    /// <see cref="GemmPanels.PanelLength"/> apart) — its sums stored to <paramref name="tile"/> (<see cref="TileInts"/>),
    /// then the stage on rows [<paramref name="row0"/>, <paramref name="row1"/>) (<see cref="Avx512VnniStage"/>).
    /// </summary>
    internal static unsafe void Avx512VnniTile(sbyte* a, nint lda, sbyte* b, VnniTileShape* shape, GemmPanels w, OutputStage stage,
        int group, int panel, int panels, int row0, int row1, ref sbyte y, nint ldc, ref int tile, bool unsignedA = false,
        int tileRows = VnniTileCode.Rows)
    {
        var kernel = tileRows == VnniTileCode.Rows ? VnniTileCode.Tile(panels, unsignedA)
            : unsignedA ? VnniTileCode.PartialTile(panels, tileRows)
            : throw new ArgumentException("partial tiles read A already unsigned", nameof(unsignedA));
        fixed (int* pt = &tile) kernel(a, lda, b, shape, pt, w.PanelLength);
        Avx512VnniStage(w, stage, group, panel, panels, row0, row1, ref y, ldc, ref tile);
    }

    /// <summary>
    /// The output stage on a VNNI tile's stored sums, rows [<paramref name="row0"/>, <paramref name="row1"/>) of each of
    /// panels [<paramref name="panel"/>, + <paramref name="panels"/>): <see cref="GemmPanels.VnniBias"/> added, then the
    /// 16-lane short stage in registers (<see cref="IsStagedPanel"/>) or the general stage; row i's bytes at
    /// <c>y[i·ldc + c]</c>, y being the output of the tile's row 0.
    /// </summary>
    internal static void Avx512VnniStage(GemmPanels w, OutputStage stage, int group, int panel, int panels, int row0, int row1,
        ref sbyte y, nint ldc, ref int tile)
    {
        for (int j = 0; j < panels; j++)
        {
            ref int t = ref Unsafe.Add(ref tile, j * VnniTileCode.Rows * GemmPanels.Width);
            if (!IsStagedPanel(w, stage, group, panel + j, out int c0, out int count))
            {
                Store(true, w, w.VnniBias, stage, group, panel + j, row1 - row0, ref Unsafe.Add(ref t, row0 * GemmPanels.Width),
                    ref Unsafe.Add(ref y, row0 * ldc), ldc);
                continue;
            }
            var bias = Vector512.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(w.VnniBias), (nuint)(group * w.PaddedChannelsPerGroup + (panel + j) * GemmPanels.Width));
            var clamp = stage.Clamp;
            ref sbyte yc = ref Unsafe.Add(ref y, c0);
            for (int i = row0; i < row1; i++)
                Avx512StoreRow(stage.RequantizeShort(Vector512.LoadUnsafe(ref t, (nuint)(i * GemmPanels.Width)) + bias, c0), clamp,
                    ref Unsafe.Add(ref yc, i * ldc), count);
        }
    }
}
