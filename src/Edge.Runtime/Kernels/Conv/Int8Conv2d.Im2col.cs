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
        // A block of BlockRows pixels (whole tiles) runs every panel on it tile by tile (RunInPlaceRows), so the weights
        // pass through once per block, not once per tile; else (grouped) one tile at a time against every panel.
        bool blocked = op.BlockRows > Int8GemmTile.MaxRows;
        int mr = blocked ? op.BlockRows : Int8GemmTile.RowsPerTile(path), stride = op.RowStride, pixels = s.OutH * s.OutW;
        int column = s.Window.StrideW * s.InChannels, icg = s.InChannelsPerGroup;
        ref byte x = ref MemoryMarshal.GetReference(scratch);
        ref sbyte y = ref MemoryMarshal.GetReference(output);
        Span<int> bases = stackalloc int[MaxBlockRows];
        ref int based = ref MemoryMarshal.GetReference(bases);
        int n = m0 / pixels, oh = (m0 - n * pixels) / s.OutW, ow = m0 - n * pixels - oh * s.OutW, imageEnd = (n + 1) * pixels;
        int rowBase = rows.Row(input, scratch, n, oh, op.InputZeroPoint);
        for (int m = m0, count; m < m1; m += count)
        {
            // A tile (a block) holds pixels of one image: the window's ring keeps the rows of one image's output rows.
            if (ow == s.OutW) rowBase = NextRow(op, input, scratch, ref n, ref oh, ref ow, ref imageEnd);
            count = Math.Min(mr, Math.Min(m1, imageEnd) - m);
            for (int i = 0; i < count; i++)
            {
                if (ow == s.OutW) rowBase = NextRow(op, input, scratch, ref n, ref oh, ref ow, ref imageEnd);
                Unsafe.Add(ref based, i) = rowBase + ow++ * column;
            }
            if (blocked)
            {
                // Ungrouped (BlockRows): the block's rows are the A of an in-place GEMM, whole tiles of it readable.
                if (op.Shuffles is { } blockPlan) blockPlan.AssembleTile(ref x, ref based, count, ref x, stride);
                else op.Copies.AssembleTile(ref x, ref based, 0, count, ref x, stride);
                Int8GemmTile.RunInPlaceRows(path, op.Panels, op.Output, MemoryMarshal.Cast<byte, sbyte>(scratch[..(op.BlockRows * stride)]),
                    stride, 0, count, p0, p1, output[(m * s.OutChannels)..], s.OutChannels, default, tile);
                continue;
            }
            for (int g = 0; g < s.Group; g++)
            {
                if (op.Shuffles is { } plan) plan.AssembleTile(ref x, ref based, count, ref x, stride);
                else op.Copies.AssembleTile(ref x, ref based, g * icg, count, ref x, stride);
                Int8GemmTile.Run(path, op.Panels, op.Output, g, count, ref Unsafe.As<byte, sbyte>(ref x), stride, p0, p1,
                    ref Unsafe.Add(ref y, (nint)m * s.OutChannels), s.OutChannels, tile);
            }
        }
    }

    /// <summary>The most pixels of an im2col block (<see cref="BlockRows"/>).</summary>
    internal const int MaxBlockRows = 64;

    /// <summary>Bytes an im2col block of <see cref="BlockRows"/> pixels may take (L2 holds it beside a panel pair's weights).</summary>
    private const int BlockBytes = 256 * 1024;

    /// <summary>
    /// Pixels per im2col block: for an ungrouped convolution a multiple of 8 up to <see cref="MaxBlockRows"/> in
    /// <see cref="BlockBytes"/>, whose tiles run panel pair by panel pair (<see cref="Int8GemmTile.RunInPlaceRows"/>): a
    /// pair's weights stay in L1 across the block's tiles and the generated kernels run several tiles per call. Tile by
    /// tile against every panel, the weights went through L1 again for each tile — from L3, 7 times for a 7×7 output, where
    /// they pass L2 (ResNet-18's layer 4: 2.4 MB) — and every tile paid a kernel call per panel pair: in the kernel timer
    /// (5 alternated processes) ResNet-18's 1×1 stride-2 convolutions ran 14–18 % faster blocked (56²×64→128 27.9 →
    /// 23.7 µs) and its 3×3 on 28²×128 (147 KB of weights) 5 %; the AVX2 tiles within noise either way. Grouped
    /// convolutions keep <see cref="Int8GemmTile.MaxRows"/> (one tile, per group). A block never passes an image's end, so
    /// an image's pixels are split into blocks of about equal size.
    /// </summary>
    private static int BlockRowsFor(Conv2dShape shape, int rowStride)
    {
        if (shape.Group != 1) return Int8GemmTile.MaxRows;
        int most = Math.Clamp(BlockBytes / rowStride / 8 * 8, Int8GemmTile.MaxRows, MaxBlockRows);
        // An image's pixels in blocks of about equal size (14² = 196 as 56, 56, 56, 28, not 64, 64, 64, 4: every block
        // streams the weights once).
        int pixels = shape.OutH * shape.OutW, blocks = (pixels + most - 1) / most;
        return Math.Min(most, ((pixels + blocks - 1) / blocks + 7) & ~7);
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

    /// <summary>Bytes past <see cref="GatherLength"/> that <see cref="WindowCopies"/> may write: its copies move whole vectors of up to 32 bytes.</summary>
    private const int GatherSlack = 32;

    /// <summary>
    /// How a window is copied from the padded row window: per kernel row (<see cref="RowStep"/> bytes apart),
    /// <see cref="Segments"/> runs of <see cref="SegmentLength"/> bytes <see cref="SegmentStep"/> apart — one run of KW·C
    /// for an ungrouped convolution undilated along W, else one run of ICg per tap. Each run is copied in whole vectors
    /// (<see cref="CopyRun"/>), in increasing order, so a run's last vector may spill into what the next overwrites, and the
    /// last into [K, GatherLength + 32), which only meets zero weights or lies past KPadded; the reads stay inside a slot and
    /// its slack.
    /// </summary>
    internal readonly record struct WindowCopies(int KernelRows, int RowStep, int Segments, int SegmentLength, int SegmentStep)
    {
        /// <summary>
        /// The windows of <paramref name="count"/> pixels, pixel i's at <c>x[bases[i] + offset]</c>, into rows
        /// <paramref name="stride"/> bytes apart from <paramref name="a"/>.
        /// </summary>
        public void AssembleTile(ref byte x, ref int bases, int offset, int count, ref byte a, int stride)
        {
            for (int i = 0; i < count; i++)
            {
                ref byte window = ref Unsafe.Add(ref x, Unsafe.Add(ref bases, i) + offset);
                ref byte to = ref Unsafe.Add(ref a, i * stride);
                for (int kh = 0; kh < KernelRows; kh++)
                {
                    ref byte row = ref Unsafe.Add(ref window, kh * RowStep);
                    for (int j = 0; j < Segments; j++)
                    {
                        CopyRun(ref Unsafe.Add(ref row, j * SegmentStep), ref to, SegmentLength);
                        to = ref Unsafe.Add(ref to, SegmentLength);
                    }
                }
            }
        }

        /// <summary>[0, length) in whole vectors (32 bytes where they are accelerated, else 16): up to 31 bytes more on either side.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void CopyRun(ref byte from, ref byte to, int length)
        {
            if (Vector256.IsHardwareAccelerated)
                for (int o = 0; o < length; o += 32) Vector256.LoadUnsafe(ref from, (nuint)o).StoreUnsafe(ref to, (nuint)o);
            else
                for (int o = 0; o < length; o += 16) Vector128.LoadUnsafe(ref from, (nuint)o).StoreUnsafe(ref to, (nuint)o);
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

        /// <summary>Entries per chunk of a short plan (<see cref="AssembleShort"/>).</summary>
        private const int ShortEntries = 4;

        private readonly byte[]? _short;
        private readonly int[]? _shortOffsets;

        private ShufflePlan(int[] rowOffsets, byte[] masks, int[] chunkEnds)
        {
            (_rowOffsets, _masks, _chunkEnds) = (rowOffsets, masks, chunkEnds);
            int begin = 0;
            bool fits = chunkEnds.Length <= 2;
            foreach (int end in chunkEnds)
            {
                fits &= end - begin <= ShortEntries;
                begin = end;
            }
            if (!fits) return;
            _short = new byte[chunkEnds.Length * ShortEntries * 16];
            _short.AsSpan().Fill(0x80);
            _shortOffsets = new int[chunkEnds.Length * ShortEntries];
            begin = 0;
            for (int chunk = 0; chunk < chunkEnds.Length; chunk++)
            {
                for (int e = begin; e < chunkEnds[chunk]; e++)
                {
                    int slot = chunk * ShortEntries + e - begin;
                    _shortOffsets[slot] = rowOffsets[e];
                    masks.AsSpan(e * 16, 16).CopyTo(_short.AsSpan(slot * 16));
                }
                begin = chunkEnds[chunk];
            }
        }

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

        /// <summary>
        /// The windows of <paramref name="count"/> pixels, pixel i's at <c>x[bases[i]]</c>, into rows <paramref name="stride"/>
        /// bytes apart from <paramref name="a"/>.
        /// </summary>
        public void AssembleTile(ref byte x, ref int bases, int count, ref byte a, int stride)
        {
            if (_short is not null) AssembleShort(ref x, ref bases, count, ref a, stride);
            else
                for (int i = 0; i < count; i++) Assemble(ref Unsafe.Add(ref x, Unsafe.Add(ref bases, i)), ref Unsafe.Add(ref a, i * stride));
        }

        /// <summary>
        /// A plan of one or two chunks with at most <see cref="ShortEntries"/> entries each (3×3 on 1–3 channels, 5×5 on one),
        /// padded with entries that add nothing (mask all 0x80), its masks and offsets held in registers across the tile.
        /// </summary>
        private void AssembleShort(ref byte x, ref int bases, int count, ref byte a, int stride)
        {
            ref byte m = ref MemoryMarshal.GetArrayDataReference(_short!);
            ref int o = ref MemoryMarshal.GetArrayDataReference(_shortOffsets!);
            var m0 = Vector128.LoadUnsafe(ref m, 0);
            var m1 = Vector128.LoadUnsafe(ref m, 16);
            var m2 = Vector128.LoadUnsafe(ref m, 32);
            var m3 = Vector128.LoadUnsafe(ref m, 48);
            nuint o0 = (nuint)o, o1 = (nuint)Unsafe.Add(ref o, 1), o2 = (nuint)Unsafe.Add(ref o, 2), o3 = (nuint)Unsafe.Add(ref o, 3);
            if (_chunkEnds.Length == 1)
            {
                for (int i = 0; i < count; i++)
                {
                    ref byte w = ref Unsafe.Add(ref x, Unsafe.Add(ref bases, i));
                    var v = (Vector128.ShuffleNative(Vector128.LoadUnsafe(ref w, o0), m0) | Vector128.ShuffleNative(Vector128.LoadUnsafe(ref w, o1), m1))
                        | (Vector128.ShuffleNative(Vector128.LoadUnsafe(ref w, o2), m2) | Vector128.ShuffleNative(Vector128.LoadUnsafe(ref w, o3), m3));
                    v.StoreUnsafe(ref a, (nuint)(i * stride));
                }
                return;
            }
            var m4 = Vector128.LoadUnsafe(ref m, 64);
            var m5 = Vector128.LoadUnsafe(ref m, 80);
            var m6 = Vector128.LoadUnsafe(ref m, 96);
            var m7 = Vector128.LoadUnsafe(ref m, 112);
            nuint o4 = (nuint)Unsafe.Add(ref o, 4), o5 = (nuint)Unsafe.Add(ref o, 5), o6 = (nuint)Unsafe.Add(ref o, 6), o7 = (nuint)Unsafe.Add(ref o, 7);
            for (int i = 0; i < count; i++)
            {
                ref byte w = ref Unsafe.Add(ref x, Unsafe.Add(ref bases, i));
                var v = (Vector128.ShuffleNative(Vector128.LoadUnsafe(ref w, o0), m0) | Vector128.ShuffleNative(Vector128.LoadUnsafe(ref w, o1), m1))
                    | (Vector128.ShuffleNative(Vector128.LoadUnsafe(ref w, o2), m2) | Vector128.ShuffleNative(Vector128.LoadUnsafe(ref w, o3), m3));
                var u = (Vector128.ShuffleNative(Vector128.LoadUnsafe(ref w, o4), m4) | Vector128.ShuffleNative(Vector128.LoadUnsafe(ref w, o5), m5))
                    | (Vector128.ShuffleNative(Vector128.LoadUnsafe(ref w, o6), m6) | Vector128.ShuffleNative(Vector128.LoadUnsafe(ref w, o7), m7));
                v.StoreUnsafe(ref a, (nuint)(i * stride));
                u.StoreUnsafe(ref a, (nuint)(i * stride + 16));
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Assemble(ref byte window, ref byte a)
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
