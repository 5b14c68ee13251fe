using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Edge.Runtime.Kernels.Gemm;

namespace Edge.Runtime.Kernels.Conv;

/// <summary>
/// The im2col side of the SIMD convolution: for each tile of output pixels and each group, the pixels' windows are
/// gathered into a block in scratch, one row of K int8 per pixel in [KH][KW][ICg] order — the order of the packed
/// weights' k — with <c>zp_x</c> in the padding (the folded bias subtracts <c>zp_x·Σw</c>, so a padded tap adds
/// <c>zp_x·w − zp_x·w = 0</c>, as the contract says), at a row stride of <see cref="RowStride"/>; whatever lies in
/// [K, KPadded) meets zero weights. Then the block is the A of <see cref="Int8GemmTile.Run"/>.
/// <code>
///   block (scratch):  row i = window of pixel m0 + i    ┌ K bytes ┬ slack ┐   × up to 8 rows (the path's tile rows)
/// </code>
/// Windows inside the input whose rows hold at most 16 values (first layers on 1–3 channels: K = 9·C or 25·C) are
/// assembled in registers instead (<see cref="ShuffleRows"/>).
/// </summary>
public sealed partial class Int8Conv2d
{
    /// <summary>Pixels [m0, m1) × panels [p0, p1) of every group, through the im2col block.</summary>
    private static void RunIm2col(Int8Conv2d op, KernelPath path, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<sbyte> block,
        Span<int> tile, int m0, int m1, int p0, int p1)
    {
        var s = op.Shape;
        var win = s.Window;
        int mr = Int8GemmTile.RowsPerTile(path), stride = op.RowStride, pixels = s.OutH * s.OutW;
        // Columns whose window lies inside the input take every tap; only the others are clipped (which divides).
        var (interiorLo, interiorHi) = WindowTaps.Interior(s.OutW, win.KernelW, win.StrideW, win.PadLeft, win.DilationW, s.InW);
        var (rowsLo, rowsHi) = WindowTaps.Interior(s.OutH, win.KernelH, win.StrideH, win.PadTop, win.DilationH, s.InH);
        ref sbyte a = ref MemoryMarshal.GetReference(block);
        ref sbyte y = ref MemoryMarshal.GetReference(output);
        for (int m = m0; m < m1; m += mr)
        {
            int rows = Math.Min(mr, m1 - m);
            for (int g = 0; g < s.Group; g++)
            {
                for (int i = 0; i < rows; i++)
                {
                    int pixel = m + i, n = pixel / pixels, oh = pixel % pixels / s.OutW, ow = pixel % s.OutW;
                    var window = block.Slice(i * stride, stride);
                    bool inside = ow >= interiorLo && ow < interiorHi;
                    // A window wholly inside the input, whose rows are short, is assembled in registers.
                    bool assembled = op.RowShuffles is not null && inside && oh >= rowsLo && oh < rowsHi
                        && ShuffleRows(op, input, n, oh, ow, window);
                    if (!assembled)
                    {
                        var taps = inside ? (0, win.KernelW) : WindowTaps.Inside(win.KernelW, win.DilationW, ow * win.StrideW - win.PadLeft, s.InW);
                        Gather(op, input, n, oh, ow, taps, g, window);
                    }
                }
                Int8GemmTile.Run(path, op.Panels, op.Output, g, rows, ref a, stride, p0, p1,
                    ref Unsafe.Add(ref y, (nint)m * s.OutChannels), s.OutChannels, tile);
            }
        }
    }

    /// <summary>Bytes past <see cref="GatherLength"/> that <see cref="Gather"/> may write: its copies and fills move whole 16-byte vectors.</summary>
    private const int GatherSlack = 16;

    /// <summary>
    /// Copies group <paramref name="g"/>'s window at output (n, oh, ow) into <paramref name="window"/>[0..K), zp_x in the
    /// padding; <paramref name="taps"/> are the window's columns on real input (<see cref="WindowTaps.Inside"/>). Copies
    /// and fills move whole 16-byte vectors where they can: each may run past its end into what the next one overwrites
    /// (the runs are written in increasing order), and the last into [K, GatherLength + 16), which only meets zero weights or lies
    /// past KPadded. A copy whose last vector would read past the input falls back to an exact copy.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // keeps the tile loop small
    private static void Gather(Int8Conv2d op, ReadOnlySpan<sbyte> input, int n, int oh, int ow, (int Lo, int Hi) taps, int g, Span<sbyte> window)
    {
        var s = op.Shape;
        var win = s.Window;
        int icg = s.InChannelsPerGroup, rowLength = win.KernelW * icg;
        var pad = Vector128.Create((sbyte)op.InputZeroPoint);
        int iw0 = ow * win.StrideW - win.PadLeft;
        var (j0, j1) = taps;
        // An ungrouped, undilated window row's real taps are one contiguous run of (j1 − j0)·IC values.
        bool contiguous = s.Group == 1 && win.DilationW == 1;
        ref sbyte x = ref MemoryMarshal.GetReference(input);
        ref sbyte w = ref MemoryMarshal.GetReference(window);
        for (int kh = 0; kh < win.KernelH; kh++)
        {
            ref sbyte dst = ref Unsafe.Add(ref w, kh * rowLength);
            int ih = oh * win.StrideH - win.PadTop + kh * win.DilationH;
            if (ih < 0 || ih >= s.InH || j0 == j1)
            {
                Fill(ref dst, rowLength, pad);
                continue;
            }
            int rowStart = ((n * s.InH + ih) * s.InW) * s.InChannels + g * icg;
            if (j0 > 0) Fill(ref dst, j0 * icg, pad);
            if (contiguous) Copy(input, rowStart + (iw0 + j0) * s.InChannels, ref Unsafe.Add(ref dst, j0 * icg), (j1 - j0) * icg);
            else
                for (int kw = j0; kw < j1; kw++)
                    Copy(input, rowStart + (iw0 + kw * win.DilationW) * s.InChannels, ref Unsafe.Add(ref dst, kw * icg), icg);
            if (j1 < win.KernelW) Fill(ref Unsafe.Add(ref dst, j1 * icg), (win.KernelW - j1) * icg, pad);
        }
    }

    /// <summary>
    /// For an ungrouped convolution undilated along W whose window rows hold at most 16 values (KW·IC ≤ 16: first layers on
    /// one to three channels), the byte shuffles that assemble the window from its rows: entry [chunk][kh] moves bytes
    /// of input row kh's window row into their place in the window's 16-byte chunk, and zeroes (0x80) the other lanes.
    /// Null otherwise.
    /// </summary>
    internal byte[]? RowShuffles { get; }

    private static byte[]? BuildRowShuffles(Conv2dShape s, int kp)
    {
        var win = s.Window;
        int rowLength = win.KernelW * s.InChannels, k = s.KernelLength;
        if (s.Group != 1 || win.DilationW != 1 || rowLength > 16) return null;
        var shuffles = new byte[kp / 16 * win.KernelH * 16];
        for (int chunk = 0; chunk < kp / 16; chunk++)
            for (int kh = 0; kh < win.KernelH; kh++)
                for (int lane = 0; lane < 16; lane++)
                {
                    int b = chunk * 16 + lane, source = b - kh * rowLength;
                    shuffles[(chunk * win.KernelH + kh) * 16 + lane] = b < k && source >= 0 && source < rowLength ? (byte)source : (byte)0x80;
                }
        return shuffles;
    }

    /// <summary>
    /// The window of output (n, oh, ow), which lies wholly inside the input, assembled one 16-byte chunk at a time in a
    /// register — each chunk the OR of the shuffled 16-byte loads of the input rows it takes values from
    /// (<see cref="RowShuffles"/>; the rows do not overlap, and lanes past K are zero) — and written with one store per
    /// chunk, which the dot product's load of the same chunk then reads straight from the store. False, and nothing written,
    /// when a row's 16-byte load would read past the input (the caller gathers instead).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // keeps the tile loop small
    private static bool ShuffleRows(Int8Conv2d op, ReadOnlySpan<sbyte> input, int n, int oh, int ow, Span<sbyte> window)
    {
        var s = op.Shape;
        var win = s.Window;
        int rowLength = win.KernelW * s.InChannels, rowStep = win.DilationH * s.InW * s.InChannels;
        int first = ((n * s.InH + oh * win.StrideH - win.PadTop) * s.InW + ow * win.StrideW - win.PadLeft) * s.InChannels;
        if (first + (win.KernelH - 1) * rowStep + 16 > input.Length) return false;
        ref byte x = ref Unsafe.As<sbyte, byte>(ref MemoryMarshal.GetReference(input));
        ref byte w = ref Unsafe.As<sbyte, byte>(ref MemoryMarshal.GetReference(window));
        ref byte shuffles = ref MemoryMarshal.GetArrayDataReference(op.RowShuffles!);
        int chunks = op.GatherLength / 16;
        for (int chunk = 0; chunk < chunks; chunk++)
        {
            // The rows with values in bytes [16·chunk, 16·chunk + 16) of the window.
            int kh0 = chunk * 16 / rowLength, kh1 = Math.Min(win.KernelH, (chunk * 16 + 15) / rowLength + 1);
            var v = Vector128<byte>.Zero;
            for (int kh = kh0; kh < kh1; kh++)
            {
                var row = Vector128.LoadUnsafe(ref x, (nuint)(first + kh * rowStep));
                v |= Vector128.ShuffleNative(row, Vector128.LoadUnsafe(ref shuffles, (nuint)((chunk * win.KernelH + kh) * 16)));
            }
            v.StoreUnsafe(ref w, (nuint)(chunk * 16));
        }
        return true;
    }

    /// <summary>Writes <paramref name="value"/> over [0, length) of <paramref name="dst"/> in whole vectors (up to 15 bytes more).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Fill(ref sbyte dst, int length, Vector128<sbyte> value)
    {
        for (int o = 0; o < length; o += 16) value.StoreUnsafe(ref dst, (nuint)o);
    }

    /// <summary>
    /// Copies input[<paramref name="from"/>, from + length) to <paramref name="dst"/> in whole vectors (writing up to 15 bytes
    /// more), or exactly when the last vector would read past the input.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(ReadOnlySpan<sbyte> input, int from, ref sbyte dst, int length)
    {
        ref sbyte src = ref Unsafe.Add(ref MemoryMarshal.GetReference(input), from);
        if (from + ((length + 15) & ~15) <= input.Length)
            for (int o = 0; o < length; o += 16) Vector128.LoadUnsafe(ref src, (nuint)o).StoreUnsafe(ref dst, (nuint)o);
        else
            input.Slice(from, length).CopyTo(MemoryMarshal.CreateSpan(ref dst, length));
    }
}
