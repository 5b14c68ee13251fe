using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.Gemm;

/// <summary>
/// The AVX-512 VNNI tiles: 8 rows × 1 or 2 panels in generated code (<see cref="VnniTileCode"/>: <c>vpdpbusd</c> on
/// <c>x + 128</c> against the int8 weights, exact in int32), then the output stage here on the stored sums with
/// <see cref="GemmPanels.VnniBias"/>, which folds in both the zero point and the <c>−128·Σw</c> of the unsigned shift.
/// </summary>
internal static partial class Int8GemmTile
{
    /// <summary>
    /// Panels [<paramref name="panel"/>, <paramref name="panel"/> + <paramref name="panels"/>) (1 or 2) of group
    /// <paramref name="group"/> against 8 A rows at stride <paramref name="lda"/>, <paramref name="rows"/> of them valid:
    /// the sums to <paramref name="tile"/> (<see cref="TileInts"/>), then the stage (<see cref="Avx512VnniStage"/>).
    /// </summary>
    private static unsafe void Avx512VnniPanels(GemmPanels w, OutputStage stage, int group, int rows, ref sbyte a, nint lda,
        int panel, int panels, ref sbyte y, nint ldc, ref int tile)
    {
        ref sbyte b = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(w.Data), w.PanelOffset(group, panel));
        var shape = VnniTileShape.Gemm(w.KPadded / 4);
        fixed (sbyte* pa = &a)
        fixed (sbyte* pb = &b)
        fixed (int* pt = &tile)
            VnniTileCode.Tile(panels)(pa, lda, pb, &shape, pt, w.PanelLength);
        Avx512VnniStage(w, stage, group, panel, panels, 0, rows, ref y, ldc, ref tile);
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
