using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Edge.Runtime.Kernels.Gemm;

namespace Edge.Runtime.Kernels.Conv;

/// <summary>
/// The direct convolution of shallow inputs on x86 (first layers on 1–4 channels: LeNet's 5×5 on a grey image, 3×3 on
/// RGB): no im2col block. The padded row window (<see cref="ConvRowWindow"/>) is widened to int16 once per output row,
/// and every kernel row's L = KW·C values are taken as P = ⌈L/2⌉ pairs: per pair, one <c>vpbroadcastd</c> of a pixel's two
/// int16 values against the pair's weights for 8 channels (int16, prepared here at load) and one <c>vpmaddwd</c> give 8
/// int32 partial sums — exact (|x·w| ≤ 128·127, two of them fit int32 many times over), with no sign fix-up and no K
/// padding beyond the odd pair's zero weight. The folded bias (<see cref="GemmPanels.FoldedBias"/>) holds <c>−zp_x·Σw</c>,
/// so the zero-point padding adds nothing, as in the GEMM; the output stage is the GEMM tiles' (staged in registers where
/// the panel's channels take the short stage, otherwise through the tiles' general store).
/// <para>
/// Register tiles: panels of at most 8 real channels run 8 pixels × 8 channels (8 accumulators, one weight vector per
/// pair); wider panels 4 pixels × 16 channels. A tile holds pixels of one output row; the last tile of a row computes
/// pixels past its end from the widened row's slack and stores only the real ones. Weights per panel:
/// <c>[KH][P][16 channels][2]</c> int16, channel c's pair j of kernel row kh being <c>(w[c][kh][2j], w[c][kh][2j + 1])</c>,
/// zero past L and past the channels.
/// </para>
/// </summary>
internal sealed class DirectPairs
{
    /// <summary>Pixels of a narrow tile (the wide one takes half).</summary>
    private const int NarrowPixels = 8;

    private readonly short[] _weights;

    private DirectPairs(Conv2dShape shape, GemmPanels panels, ConvRowWindow rows, int offset)
    {
        var win = shape.Window;
        Shape = shape;
        RowLength = win.KernelW * shape.InChannels;
        Pairs = (RowLength + 1) / 2;
        PixelStep = win.StrideW * shape.InChannels;
        RowStep = win.DilationH * rows.RowStride;
        // A widened kernel row: the int8 row's RowStride values, then room for the pixels a partial tile computes past the
        // row's end (up to NarrowPixels − 1 pixel steps), so every pair's 4-byte read stays inside.
        WideRow = (rows.RowStride + (NarrowPixels - 1) * PixelStep + 16 + 15) & ~15;
        Offset = offset;
        End = offset + win.KernelH * WideRow * sizeof(short);
        int panelLength = win.KernelH * Pairs * 32;
        _weights = new short[panels.PanelsPerGroup * panelLength];
        for (int c = 0; c < shape.OutChannels; c++)
            for (int kh = 0; kh < win.KernelH; kh++)
                for (int i = 0; i < RowLength; i++)
                    _weights[c / GemmPanels.Width * panelLength + (kh * Pairs + i / 2) * 32 + c % GemmPanels.Width * 2 + i % 2]
                        = panels.Weight(c, kh * RowLength + i);
    }

    public Conv2dShape Shape { get; }

    /// <summary>L = KW·C, the values of one kernel row; <see cref="Pairs"/> = ⌈L/2⌉.</summary>
    public int RowLength { get; }
    public int Pairs { get; }

    /// <summary>int16 values between the windows of neighbouring output pixels: sW·C.</summary>
    public int PixelStep { get; }

    /// <summary>Bytes between the int8 window's kernel rows (dH rows of the row window).</summary>
    public int RowStep { get; }

    /// <summary>int16 values per widened kernel row.</summary>
    public int WideRow { get; }

    /// <summary>Where the widened rows start in the scratch, and the scratch bytes up to their end.</summary>
    public int Offset { get; }
    public int End { get; }

    /// <summary>The plan for <paramref name="shape"/> (ungrouped, undilated along W, 1–4 input channels, KW·C ≤ 16), or null.</summary>
    public static DirectPairs? For(Conv2dShape shape, GemmPanels panels, ConvRowWindow? rows)
    {
        var win = shape.Window;
        if (rows is null || shape.Group != 1 || win.DilationW != 1 || shape.InChannels > 4 || win.KernelW * shape.InChannels > 16) return null;
        return new DirectPairs(shape, panels, rows, (rows.End + 63) & ~63);
    }

    /// <summary>True when <paramref name="path"/> (resolved) runs this kernel: the x86 paths, which have AVX2.</summary>
    public static bool Runs(KernelPath path) => path is KernelPath.Avx2 or KernelPath.Avx512BW or KernelPath.Avx512Vnni && Avx2.IsSupported;

    /// <summary>
    /// Pixels [<paramref name="m0"/>, <paramref name="m1"/>) × panels [<paramref name="p0"/>, <paramref name="p1"/>):
    /// one output row segment at a time, its kernel rows widened first.
    /// </summary>
    public void Run(Int8Conv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch, Span<int> tile, int m0, int m1, int p0, int p1)
    {
        var s = Shape;
        var win = s.Window;
        var rows = op.RowWindow!;
        int pixels = s.OutH * s.OutW;
        ref byte sb = ref MemoryMarshal.GetReference(scratch);
        ref short wide = ref Unsafe.As<byte, short>(ref Unsafe.Add(ref sb, Offset));
        ref short w0 = ref MemoryMarshal.GetArrayDataReference(_weights);
        ref sbyte y = ref MemoryMarshal.GetReference(output);
        ref int t = ref MemoryMarshal.GetReference(tile);
        int panelLength = win.KernelH * Pairs * 32;
        for (int m = m0; m < m1;)
        {
            int n = m / pixels, oh = m % pixels / s.OutW, ow = m % s.OutW;
            int count = Math.Min(m1 - m, s.OutW - ow);
            int rowBase = rows.Row(input, scratch, n, oh, op.InputZeroPoint);
            for (int kh = 0; kh < win.KernelH; kh++)
                Widen(ref Unsafe.Add(ref sb, rowBase + kh * RowStep), ref Unsafe.Add(ref wide, kh * WideRow), rows.RowStride);
            ref short x = ref Unsafe.Add(ref wide, ow * PixelStep);
            ref sbyte ym = ref Unsafe.Add(ref y, (nint)m * s.OutChannels);
            for (int p = p0; p < p1; p++)
            {
                ref short wp = ref Unsafe.Add(ref w0, p * panelLength);
                bool staged = Int8GemmTile.IsStagedPanel(op.Panels, op.Output, 0, p, out int c0, out int channels);
                ref int bias = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(op.Panels.FoldedBias), c0);
                int mr = channels <= 8 ? NarrowPixels : NarrowPixels / 2;
                for (int i = 0; i < count; i += mr)
                {
                    int valid = Math.Min(mr, count - i);
                    ref short xi = ref Unsafe.Add(ref x, i * PixelStep);
                    ref sbyte yi = ref Unsafe.Add(ref ym, (nint)i * s.OutChannels);
                    if (channels <= 8) Narrow(ref xi, ref wp, staged, op, ref bias, c0, channels, valid, ref yi, ref t);
                    else Wide(ref xi, ref wp, staged, op, ref bias, c0, channels, valid, ref yi, ref t);
                    if (!staged) Int8GemmTile.Store(true, op.Panels, op.Panels.FoldedBias, op.Output, 0, p, valid, ref t, ref yi, s.OutChannels);
                }
            }
            m += count;
        }
    }

    /// <summary><paramref name="bytes"/> int8 values (a multiple of 16) sign-extended to int16 (also <see cref="DirectPixelLanesAvx2"/>'s widened rows).</summary>
    internal static void Widen(ref byte from, ref short to, int bytes)
    {
        for (int i = 0; i < bytes; i += 16)
            Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref from, (nuint)i).AsSByte()).StoreUnsafe(ref to, (nuint)i);
    }

    /// <summary>The pair of int16 at <paramref name="x"/> broadcast to all eight int32 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Pair(ref short x, nint offset) => Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.As<short, byte>(ref Unsafe.Add(ref x, offset)))).AsInt16();

    /// <summary>
    /// 8 pixels × the panel's first 8 channels. Staged: from the folded bias, the output stage in registers and the
    /// <paramref name="valid"/> pixels stored; otherwise the sums (from 0) to <paramref name="tile"/>, rows of 16.
    /// </summary>
    private void Narrow(ref short x, ref short w, bool staged, Int8Conv2d op, ref int bias, int c0, int channels, int valid, ref sbyte y, ref int tile)
    {
        var init = staged ? Vector256.LoadUnsafe(ref bias) : default;
        Vector256<int> a0 = init, a1 = init, a2 = init, a3 = init, a4 = init, a5 = init, a6 = init, a7 = init;
        nint step = PixelStep;
        for (int kh = 0; kh < Shape.Window.KernelH; kh++)
        {
            ref short xr = ref Unsafe.Add(ref x, kh * WideRow);
            ref short wr = ref Unsafe.Add(ref w, kh * Pairs * 32);
            for (nint j = 0; j < Pairs; j++)
            {
                var wv = Vector256.LoadUnsafe(ref wr, (nuint)(j * 32));
                nint o = 2 * j;
                a0 += Avx2.MultiplyAddAdjacent(Pair(ref xr, o), wv);
                a1 += Avx2.MultiplyAddAdjacent(Pair(ref xr, o + step), wv);
                a2 += Avx2.MultiplyAddAdjacent(Pair(ref xr, o + 2 * step), wv);
                a3 += Avx2.MultiplyAddAdjacent(Pair(ref xr, o + 3 * step), wv);
                a4 += Avx2.MultiplyAddAdjacent(Pair(ref xr, o + 4 * step), wv);
                a5 += Avx2.MultiplyAddAdjacent(Pair(ref xr, o + 5 * step), wv);
                a6 += Avx2.MultiplyAddAdjacent(Pair(ref xr, o + 6 * step), wv);
                a7 += Avx2.MultiplyAddAdjacent(Pair(ref xr, o + 7 * step), wv);
            }
        }
        // Two 4-row ends with lanes 8–15 absent (at most 8 channels: never requantized or stored).
        var stage = staged ? op.Output : null;
        nint ldc = Shape.OutChannels;
        ref sbyte yc = ref Unsafe.Add(ref y, c0);
        Int8GemmTile.Avx2Finish4(stage, c0, channels, Math.Min(valid, 4), ref yc, ldc, ref tile, a0, default, a1, default, a2, default, a3, default);
        if (valid > 4)
            Int8GemmTile.Avx2Finish4(stage, c0, channels, valid - 4, ref Unsafe.Add(ref yc, 4 * ldc), ldc, ref Unsafe.Add(ref tile, 4 * GemmPanels.Width),
                a4, default, a5, default, a6, default, a7, default);
    }

    /// <summary>4 pixels × 16 channels (lanes 0–7 and 8–15 of the panel), as <see cref="Narrow"/>.</summary>
    private void Wide(ref short x, ref short w, bool staged, Int8Conv2d op, ref int bias, int c0, int channels, int valid, ref sbyte y, ref int tile)
    {
        Vector256<int> lo = default, hi = default;
        if (staged)
        {
            lo = Vector256.LoadUnsafe(ref bias);
            hi = Vector256.LoadUnsafe(ref bias, 8);
        }
        Vector256<int> a0 = lo, b0 = hi, a1 = lo, b1 = hi, a2 = lo, b2 = hi, a3 = lo, b3 = hi;
        nint step = PixelStep;
        for (int kh = 0; kh < Shape.Window.KernelH; kh++)
        {
            ref short xr = ref Unsafe.Add(ref x, kh * WideRow);
            ref short wr = ref Unsafe.Add(ref w, kh * Pairs * 32);
            for (nint j = 0; j < Pairs; j++)
            {
                var wl = Vector256.LoadUnsafe(ref wr, (nuint)(j * 32));
                var wh = Vector256.LoadUnsafe(ref wr, (nuint)(j * 32 + 16));
                nint o = 2 * j;
                var v = Pair(ref xr, o);
                a0 += Avx2.MultiplyAddAdjacent(v, wl);
                b0 += Avx2.MultiplyAddAdjacent(v, wh);
                v = Pair(ref xr, o + step);
                a1 += Avx2.MultiplyAddAdjacent(v, wl);
                b1 += Avx2.MultiplyAddAdjacent(v, wh);
                v = Pair(ref xr, o + 2 * step);
                a2 += Avx2.MultiplyAddAdjacent(v, wl);
                b2 += Avx2.MultiplyAddAdjacent(v, wh);
                v = Pair(ref xr, o + 3 * step);
                a3 += Avx2.MultiplyAddAdjacent(v, wl);
                b3 += Avx2.MultiplyAddAdjacent(v, wh);
            }
        }
        Int8GemmTile.Avx2Finish4(staged ? op.Output : null, c0, channels, valid, ref Unsafe.Add(ref y, c0), Shape.OutChannels, ref tile,
            a0, b0, a1, b1, a2, b2, a3, b3);
    }
}
