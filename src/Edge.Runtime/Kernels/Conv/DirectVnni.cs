using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Edge.Runtime.Kernels.Gemm;

namespace Edge.Runtime.Kernels.Conv;

/// <summary>
/// The direct convolution on the AVX-512 VNNI tiles (<see cref="VnniTileCode"/>): no im2col block. In NHWC, kernel row kh
/// of an output pixel's window is one contiguous run of KW·C bytes in the padded row window (<see cref="ConvRowWindow"/>),
/// and the same run of its right-hand neighbour starts sW·C bytes later. So the tile's 8 A rows are 8 neighbouring pixels
/// of one output row at stride sW·C, and K is walked as KH segments — one per kernel row, ⌈KW·C/4⌉ quads each — the next
/// segment dH window rows further down. The weights are packed for that walk, <c>[OC][KH][4·⌈KW·C/4⌉]</c> with zeros
/// past KW·C in each kernel row (the 0–3 bytes a segment reads past its window row meet zero weights), into their own
/// <see cref="GemmPanels"/>, whose <see cref="GemmPanels.VnniBias"/> holds the zero point and the tiles' 128·Σw.
/// <para>
/// A row segment runs its whole tiles of 8 pixels, then its last 1–7 pixels in a staged tile of as many rows
/// (<see cref="VnniTileCode.StagedPartialTiles"/>: until the thirteenth session the last tile was shifted back to end at
/// the row's end, recomputing up to 7 pixels; LeNet-5's conv2, 10 pixels a row, did 16). Rows narrower than 8 pixels take
/// the im2col path.
/// </para>
/// </summary>
internal sealed class DirectVnni
{
    private DirectVnni(Conv2dShape shape, GemmPanels panels, int segmentQuads, int rowStep)
    {
        (Shape, Panels, SegmentQuads) = (shape, panels, segmentQuads);
        PixelStep = shape.Window.StrideW * shape.InChannels;
        Jump = rowStep - 4 * segmentQuads;
    }

    public Conv2dShape Shape { get; }

    /// <summary>The weights, packed for the kernel-row walk (K = KH·4·<see cref="SegmentQuads"/>).</summary>
    public GemmPanels Panels { get; }

    /// <summary>Quads per kernel row: ⌈KW·C/4⌉.</summary>
    public int SegmentQuads { get; }

    /// <summary>Bytes between the windows of neighbouring output pixels: sW·C.</summary>
    public int PixelStep { get; }

    /// <summary>Bytes from the end of one kernel row's segment to the start of the next: dH·RowStride − 4·SegmentQuads.</summary>
    public long Jump { get; }

    /// <summary>The most input channels for which rows that whole tiles do not cover take this kernel (see <see cref="For"/>).</summary>
    public const int MaxShallowChannels = 32;

    /// <summary>
    /// The plan for <paramref name="shape"/> when this process runs the VNNI tiles and the shape suits them (ungrouped,
    /// undilated along W, at least 8 output columns, read through a row window), or null. Inputs of more than
    /// <see cref="MaxShallowChannels"/> channels take it only when whole tiles cover each output row: there the im2col
    /// copy is a small share of the work (measured within noise of this kernel on ResNet-18's 3×3 layers), and, when this
    /// was measured, so were the pixels a row's last tile recomputed then. Shallower ones take it whatever the row: their
    /// im2col copy cost more even than recomputing up to 7 pixels a row (one process, 9 alternated rounds: LeNet-5's conv2
    /// 14²×6→16 5×5 3.9 µs direct against 7.2 through im2col, 14²×16→32 3×3 13.6 against 23.0, 28²×8→16 11.4 against 29.2,
    /// 13²×32→64 13.8 against 14.8, 10²×64→64 16.4 against 16.3; bench/RESULTS.md, seventh session); the last pixels now
    /// run in a partial tile instead.
    /// </summary>
    public static DirectVnni? For(Conv2dShape shape, GemmPanels panels, ReadOnlySpan<int> bias, int inputZeroPoint, ConvRowWindow? rows)
    {
        var win = shape.Window;
        if (!VnniTileCode.IsSupported || rows is null || shape.Group != 1 || win.DilationW != 1 || shape.OutW < VnniTileCode.Rows) return null;
        if (shape.InChannels > MaxShallowChannels && shape.OutW % VnniTileCode.Rows != 0) return null;
        int rowLength = win.KernelW * shape.InChannels, quads = (rowLength + 3) / 4, k = win.KernelH * 4 * quads;
        var weights = new sbyte[shape.OutChannels * k];
        for (int c = 0; c < shape.OutChannels; c++)
            for (int kh = 0; kh < win.KernelH; kh++)
                for (int i = 0; i < rowLength; i++)
                    weights[c * k + kh * 4 * quads + i] = panels.Weight(c, kh * rowLength + i);
        var packed = GemmPanels.Pack(weights, 1, shape.OutChannels, k, bias, inputZeroPoint);
        return new DirectVnni(shape, packed, quads, win.DilationH * rows.RowStride);
    }

    /// <summary>
    /// Whether the layer's window should hold the whole padded image (at most <see cref="DirectPixelLanes.ImageWindowBytes"/>):
    /// then a run of whole output rows takes one call per tile column, its tiles one per row (<see cref="Run"/>).
    /// </summary>
    public static bool WantsImageWindow(ConvRowWindow rows) => !rows.HoldsImage && (long)rows.VirtualHeight * rows.RowStride <= DirectPixelLanes.ImageWindowBytes;

    /// <summary>
    /// Pixels [<paramref name="m0"/>, <paramref name="m1"/>) × panels [<paramref name="p0"/>, <paramref name="p1"/>):
    /// per output row segment and pair of panels, its whole tiles of 8 pixels in one call, then its last 1–7 pixels in a
    /// staged partial tile. Where the window holds the whole image (<see cref="ConvRowWindow.HoldsImage"/>), a run of
    /// whole rows goes column by column instead: tile column t of every row in one call (the rows' windows
    /// sH·RowStride apart), then the rows' last pixels in one call — LeNet-5's conv2, 10 rows of 8 + 2 pixels, takes 2
    /// calls where it took 20.
    /// </summary>
    public unsafe void Run(Int8Conv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch, Span<int> tile, int m0, int m1, int p0, int p1)
    {
        var s = Shape;
        var rows = op.RowWindow!;
        int pixels = s.OutH * s.OutW, mr = VnniTileCode.Rows;
        var shape = new VnniTileShape(SegmentQuads, s.Window.KernelH, Jump);
        nint rowAdvance = (nint)s.Window.StrideH * rows.RowStride, yRow = (nint)s.OutW * s.OutChannels;
        ref int t = ref MemoryMarshal.GetReference(tile);
        fixed (byte* window = scratch)
        fixed (sbyte* weights = Panels.Data, output0 = output)
            for (int m = m0; m < m1;)
            {
                int n = m / pixels, oh = m % pixels / s.OutW, ow = m % s.OutW;
                int count = Math.Min(m1 - m, s.OutW - ow);
                // Whole rows of one image, all present in the window: each tile column of all of them in one call.
                int runRows = rows.HoldsImage && ow == 0 ? Math.Max(1, Math.Min((m1 - m) / s.OutW, s.OutH - oh)) : 1;
                int rowBase = rows.Row(input, scratch, n, oh, op.InputZeroPoint, unsigned: true);
                for (int r = 1; r < runRows; r++) rows.Row(input, scratch, n, oh + r, op.InputZeroPoint, unsigned: true);
                int full = count / mr, rest = count - full * mr, second = 0;
                // A tile of 1–3 rows waits on vpdpbusd's latency (one chain per row and panel); with a whole tile before it,
                // the last 9–11 pixels run as two tiles of 4–6 rows instead (LeNet-5's conv2: 5 + 5, not 8 + 2).
                if (rest is > 0 and < 4 && full > 0) (full, rest, second) = (full - 1, (mr + rest + 1) / 2, (mr + rest) / 2);
                sbyte* a0 = (sbyte*)window + rowBase + (nint)ow * PixelStep;
                sbyte* y0 = output0 + (nint)m * s.OutChannels;
                for (int p = p0; p < p1; p += 2)
                {
                    int panels = Math.Min(2, p1 - p);
                    sbyte* b = weights + Panels.PanelOffset(0, p);
                    if (runRows > 1)
                    {
                        for (int c = 0; c < full; c++)
                            Int8GemmTile.Avx512VnniFullTiles(a0 + (nint)c * mr * PixelStep, PixelStep, rowAdvance, runRows, b, &shape, Panels, op.Output,
                                0, p, panels, y0 + (nint)c * mr * s.OutChannels, s.OutChannels, yRow, ref t, unsignedA: true);
                    }
                    else if (full > 0)
                        Int8GemmTile.Avx512VnniFullTiles(a0, PixelStep, (nint)mr * PixelStep, full, b, &shape, Panels, op.Output,
                            0, p, panels, y0, s.OutChannels, (nint)mr * s.OutChannels, ref t, unsignedA: true);
                    // The last pixels of the row (of each row of the run) in tiles of as many rows.
                    int done = full * mr;
                    foreach (int rows2 in (ReadOnlySpan<int>)[rest, second])
                    {
                        if (rows2 == 0) continue;
                        Int8GemmTile.Avx512VnniFullTiles(a0 + (nint)done * PixelStep, PixelStep, rowAdvance, runRows, b, &shape, Panels, op.Output,
                            0, p, panels, y0 + (nint)done * s.OutChannels, s.OutChannels, yRow, ref t, unsignedA: true, tileRows: rows2);
                        done += rows2;
                    }
                }
                m += runRows * count;
            }
    }
}
