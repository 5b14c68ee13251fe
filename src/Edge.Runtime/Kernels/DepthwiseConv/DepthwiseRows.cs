using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Edge.Runtime.Kernels.DepthwiseConv;

/// <summary>
/// The row window of the SIMD depthwise paths: the input rows an output row reads, copied once into scratch with their
/// padding written out as the input zero point, so the pixel loops load every tap of every pixel with no bounds test,
/// no clipping and no gather.
/// <para>
/// Scratch layout (all offsets 64-byte aligned):
/// <code>
///  [ tags: R int32 ][ taps: KH·KW int32 ][ zp row ][ ring row 0 ] … [ ring row R−1 ]
///                                        ←──────── (R + 1) · RowStride bytes ────────→
///  a row: [ PadLeft pixels of zp ][ InW input pixels ][ zp pixels up to the last column read ], each pixel BlockChannels
///         bytes: the input's C channels, then zp up to the multiple of 16
/// </code>
/// R = (KH − 1)·dH + 1 rows hold every input row one output row reads (input row ih lives in ring row ih mod R, and its
/// tag records which row is there, so each input row is copied once per call while consecutive output rows overlap);
/// rows above or below the input read the zp row. For an output row, <c>taps[t]</c> is the byte offset of tap
/// t = i·KW + j at output column 0: the row of kernel row i, plus j·dW pixels. Pixel ow, channel c of tap t is at
/// <c>taps[t] + ow·sW·BlockChannels + c</c>, always inside the row.
/// </para>
/// </summary>
internal sealed class DepthwiseRows
{
    public DepthwiseRows(Conv2dShape shape, int blockChannels)
    {
        var win = shape.Window;
        Shape = shape;
        BlockChannels = blockChannels;
        Ring = (win.KernelH - 1) * win.DilationH + 1;
        int lastColumn = (shape.OutW - 1) * win.StrideW - win.PadLeft + (win.KernelW - 1) * win.DilationW;
        Width = win.PadLeft + Math.Max(shape.InW, lastColumn + 1);
        long stride = (long)Width * blockChannels;
        RowStride = (int)Math.Min(int.MaxValue, (stride + 63) & ~63L);
        TagsOffset = 0;
        TapsOffset = Align(4 * Ring);
        ZpRowOffset = TapsOffset + Align(4 * win.KernelH * win.KernelW);
        RingOffset = ZpRowOffset + RowStride;
        // Slack for the VNNI column kernels, which read 64 channels at a time (up to 48 bytes past a row's last pixel) or,
        // with 4 pixels per zmm, up to 3 pixels and a 64-byte load past the last column a window reads (128 bytes at C = 16).
        long total = RingOffset + (long)RowStride * Ring + 256;
        if (total > int.MaxValue / 2) throw new ArgumentException($"{shape}: the depthwise row window would need {total:N0} bytes of scratch");
        ScratchLength = (int)total;
    }

    public Conv2dShape Shape { get; }
    public int BlockChannels { get; }

    /// <summary>Rows in the ring: (KH − 1)·dH + 1.</summary>
    public int Ring { get; }

    /// <summary>Pixels per padded row.</summary>
    public int Width { get; }

    public int RowStride { get; }
    public int TagsOffset { get; }
    public int TapsOffset { get; }
    public int ZpRowOffset { get; }
    public int RingOffset { get; }
    public int ScratchLength { get; }

    private static int Align(int bytes) => (bytes + 63) & ~63;

    /// <summary>Starts a call: fills the zp row and the ring with the zero point and forgets which rows the ring held.</summary>
    public void Reset(Span<byte> scratch, int zeroPoint)
    {
        Guard.Length(scratch.Length, ScratchLength, "depthwise scratch");
        MemoryMarshal.Cast<byte, int>(scratch.Slice(TagsOffset, 4 * Ring)).Clear();
        byte zp = (byte)(sbyte)zeroPoint;
        scratch.Slice(ZpRowOffset, RowStride).Fill(zp);
        if (Shape.InChannels != BlockChannels)
        {
            scratch.Slice(RingOffset, RowStride * Ring).Fill(zp); // the channels between C and the block's width stay zp too
            return;
        }
        // A slot's input pixels are copied in before any read; only its padding columns need the zero point (threads call
        // this once per range of rows, so a whole-ring fill was paid again for every chunk).
        int left = Shape.Window.PadLeft * BlockChannels;
        RowPadding.Fill(scratch.Slice(RingOffset, RowStride * Ring), Ring, RowStride, left, left + Shape.InW * BlockChannels, zp);
    }

    /// <summary>
    /// Makes the input rows of output row <paramref name="row"/> (counted across the batch) present and writes the tap
    /// offsets into the scratch's tap table, which it returns.
    /// </summary>
    public ReadOnlySpan<int> Prepare(ReadOnlySpan<sbyte> input, Span<byte> scratch, int row)
    {
        var s = Shape;
        var win = s.Window;
        int n = row / s.OutH, oh = row % s.OutH;
        var tags = MemoryMarshal.Cast<byte, int>(scratch.Slice(TagsOffset, 4 * Ring));
        var taps = MemoryMarshal.Cast<byte, int>(scratch.Slice(TapsOffset, 4 * win.KernelH * win.KernelW));
        int c = s.InChannels, cs = BlockChannels;
        for (int i = 0; i < win.KernelH; i++)
        {
            int ih = oh * win.StrideH - win.PadTop + i * win.DilationH;
            int offset;
            if (ih < 0 || ih >= s.InH) offset = ZpRowOffset;
            else
            {
                int slot = ih % Ring, tag = n * s.InH + ih + 1;
                offset = RingOffset + slot * RowStride;
                if (tags[slot] != tag)
                {
                    tags[slot] = tag;
                    var src = input.Slice((n * s.InH + ih) * s.InW * c, s.InW * c);
                    var dst = MemoryMarshal.Cast<byte, sbyte>(scratch.Slice(offset + win.PadLeft * cs, s.InW * cs));
                    if (c == cs) src.CopyTo(dst);
                    else
                        for (int w = 0; w < s.InW; w++) src.Slice(w * c, c).CopyTo(dst.Slice(w * cs, c));
                }
            }
            for (int j = 0; j < win.KernelW; j++) taps[i * win.KernelW + j] = offset + j * win.DilationW * cs;
        }
        return taps;
    }

    /// <summary>Copies the first <paramref name="count"/> bytes of a 16-byte block computed past the last channel.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void StorePartial(ReadOnlySpan<sbyte> block, Span<sbyte> destination, int count) => block[..count].CopyTo(destination);
}
