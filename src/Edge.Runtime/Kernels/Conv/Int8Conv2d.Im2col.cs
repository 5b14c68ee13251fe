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
///   scratch:  [ block: row i = window of pixel m + i  ┌ K bytes ┬ slack ┐ × MaxRows ][ padded row window ]
/// </code>
/// The windows are read from the padded row window (<see cref="ConvRowWindow"/>), where the input rows the tile's output
/// rows read are copied once with their padding written out, so every window lies inside it: window row kh is a run at
/// a fixed offset from the pixel's base, assembled without a branch — in registers when the rows hold at most 16 values
/// (first layers on 1–3 channels: K = 9·C or 25·C; <see cref="ShufflePlan"/>), by whole-vector copies otherwise.
/// </summary>
public sealed partial class Int8Conv2d
{
    /// <summary>Pixels [m0, m1) × panels [p0, p1) of every group, through the im2col block and the padded row window.</summary>
    private static void RunIm2col(Int8Conv2d op, KernelPath path, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch,
        Span<int> tile, int m0, int m1, int p0, int p1)
    {
        var s = op.Shape;
        var rows = op.RowWindow!;
        int mr = Int8GemmTile.RowsPerTile(path), stride = op.RowStride, pixels = s.OutH * s.OutW;
        int column = s.Window.StrideW * s.InChannels, icg = s.InChannelsPerGroup;
        ref byte x = ref MemoryMarshal.GetReference(scratch);
        ref sbyte y = ref MemoryMarshal.GetReference(output);
        Span<int> bases = stackalloc int[Int8GemmTile.MaxRows];
        ref int based = ref MemoryMarshal.GetReference(bases);
        int n = m0 / pixels, oh = (m0 - n * pixels) / s.OutW, ow = m0 - n * pixels - oh * s.OutW, imageEnd = (n + 1) * pixels;
        int rowBase = rows.Row(input, scratch, n, oh, op.InputZeroPoint);
        for (int m = m0, count; m < m1; m += count)
        {
            // A tile holds pixels of one image: the window's ring keeps the rows of one image's output rows.
            if (ow == s.OutW) rowBase = NextRow(op, input, scratch, ref n, ref oh, ref ow, ref imageEnd);
            count = Math.Min(mr, Math.Min(m1, imageEnd) - m);
            for (int i = 0; i < count; i++)
            {
                if (ow == s.OutW) rowBase = NextRow(op, input, scratch, ref n, ref oh, ref ow, ref imageEnd);
                Unsafe.Add(ref based, i) = rowBase + ow++ * column;
            }
            for (int g = 0; g < s.Group; g++)
            {
                for (int i = 0; i < count; i++)
                {
                    ref byte window = ref Unsafe.Add(ref x, Unsafe.Add(ref based, i) + g * icg);
                    ref byte a = ref Unsafe.Add(ref x, i * stride);
                    if (op.Shuffles is { } plan) plan.Assemble(ref window, ref a);
                    else op.Copies.Assemble(ref window, ref a);
                }
                Int8GemmTile.Run(path, op.Panels, op.Output, g, count, ref Unsafe.As<byte, sbyte>(ref x), stride, p0, p1,
                    ref Unsafe.Add(ref y, (nint)m * s.OutChannels), s.OutChannels, tile);
            }
        }
    }

    /// <summary>Moves (n, oh, ow) from past the end of an output row to the start of the next, and makes its rows present.</summary>
    private static int NextRow(Int8Conv2d op, ReadOnlySpan<sbyte> input, Span<byte> scratch, ref int n, ref int oh, ref int ow, ref int imageEnd)
    {
        var s = op.Shape;
        ow = 0;
        if (++oh == s.OutH)
        {
            oh = 0;
            n++;
            imageEnd += s.OutH * s.OutW;
        }
        return op.RowWindow!.Row(input, scratch, n, oh, op.InputZeroPoint);
    }

    /// <summary>Bytes past <see cref="GatherLength"/> that <see cref="WindowCopies"/> may write: its copies move whole 16-byte vectors.</summary>
    private const int GatherSlack = 16;

    /// <summary>
    /// How a window is copied from the padded row window: per kernel row (<see cref="RowStep"/> bytes apart),
    /// <see cref="Segments"/> runs of <see cref="SegmentLength"/> bytes <see cref="SegmentStep"/> apart — one run of KW·C
    /// for an ungrouped convolution undilated along W, else one run of ICg per tap. Each run is copied in whole 16-byte
    /// vectors, in increasing order, so a run's last vector may spill into what the next overwrites, and the last into
    /// [K, GatherLength + 16), which only meets zero weights or lies past KPadded; the reads stay inside a slot and its slack.
    /// </summary>
    internal readonly record struct WindowCopies(int KernelRows, int RowStep, int Segments, int SegmentLength, int SegmentStep)
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Assemble(ref byte window, ref byte a)
        {
            for (int kh = 0; kh < KernelRows; kh++)
            {
                ref byte row = ref Unsafe.Add(ref window, kh * RowStep);
                for (int j = 0; j < Segments; j++)
                {
                    ref byte from = ref Unsafe.Add(ref row, j * SegmentStep);
                    for (int o = 0; o < SegmentLength; o += 16) Vector128.LoadUnsafe(ref from, (nuint)o).StoreUnsafe(ref a, (nuint)o);
                    a = ref Unsafe.Add(ref a, SegmentLength);
                }
            }
        }
    }

    /// <summary>
    /// For an ungrouped convolution undilated along W whose window rows hold at most 16 values (KW·IC ≤ 16: first layers on
    /// one to three channels), the window assembled one 16-byte chunk at a time in a register: each chunk the OR of the
    /// shuffled 16-byte loads of the kernel rows it takes values from (the rows do not overlap, lanes past K are zero),
    /// written with one store, which the dot product's loads of the same chunk then read straight from the store.
    /// Entry e loads at <c>RowOffsets[e]</c> from the window's base and shuffles by <c>Masks[16e, 16e + 16)</c>; chunk c
    /// ORs the entries up to <c>ChunkEnds[c]</c>.
    /// </summary>
    internal sealed class ShufflePlan
    {
        private readonly int[] _rowOffsets;
        private readonly byte[] _masks;
        private readonly int[] _chunkEnds;

        private ShufflePlan(int[] rowOffsets, byte[] masks, int[] chunkEnds) => (_rowOffsets, _masks, _chunkEnds) = (rowOffsets, masks, chunkEnds);

        /// <summary>The plan for <paramref name="s"/> with kernel rows <paramref name="rowStep"/> bytes apart; null where it does not apply.</summary>
        public static ShufflePlan? For(Conv2dShape s, int gatherLength, int rowStep)
        {
            var win = s.Window;
            int rowLength = win.KernelW * s.InChannels, k = s.KernelLength;
            if (s.Group != 1 || win.DilationW != 1 || rowLength > 16) return null;
            var offsets = new List<int>();
            var masks = new List<byte>();
            var ends = new int[gatherLength / 16];
            for (int chunk = 0; chunk < ends.Length; chunk++)
            {
                for (int kh = 0; kh < win.KernelH; kh++)
                {
                    var mask = new byte[16];
                    bool used = false;
                    for (int lane = 0; lane < 16; lane++)
                    {
                        int b = chunk * 16 + lane, source = b - kh * rowLength;
                        bool take = b < k && source >= 0 && source < rowLength;
                        mask[lane] = take ? (byte)source : (byte)0x80;
                        used |= take;
                    }
                    if (!used) continue;
                    offsets.Add(kh * rowStep);
                    masks.AddRange(mask);
                }
                ends[chunk] = offsets.Count;
            }
            return new ShufflePlan([.. offsets], [.. masks], ends);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Assemble(ref byte window, ref byte a)
        {
            ref int offsets = ref MemoryMarshal.GetArrayDataReference(_rowOffsets);
            ref byte masks = ref MemoryMarshal.GetArrayDataReference(_masks);
            int e = 0;
            for (int chunk = 0; chunk < _chunkEnds.Length; chunk++)
            {
                var v = Vector128<byte>.Zero;
                for (int end = _chunkEnds[chunk]; e < end; e++)
                    v |= Vector128.ShuffleNative(Vector128.LoadUnsafe(ref window, (nuint)Unsafe.Add(ref offsets, e)), Vector128.LoadUnsafe(ref masks, (nuint)(e * 16)));
                v.StoreUnsafe(ref a, (nuint)(chunk * 16));
            }
        }
    }
}
