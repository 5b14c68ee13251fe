using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Edge.Runtime.Kernels.Conv;

/// <summary>
/// The padded row window of the im2col convolution: the input rows the output rows of a tile read, copied once into
/// scratch with their padding written out as the input zero point, so that every window is "inside" — window row kh of
/// output (oh, ow), group g, is the run at <c>Row(oh) + kh·dH·RowStride + ow·sW·C + g·ICg</c>, with no bounds test, no
/// clipping and no division per pixel.
/// <para>
/// Rows are counted in the padded image: virtual row u = ih + PadTop (u = oh·sH + kh·dH), the rows above and below the
/// input being zp rows. Scratch layout (offsets from <see cref="Offset"/>, 64-byte aligned):
/// <code>
///  [ tags: Ring int64 ][ slot 0 ] … [ slot Ring − 1 ][ mirror of slots 0 … Reach − 2 ]
///  a slot: [ PadLeft pixels of zp ][ InW input pixels ][ zp up to the last column read ][ 32 bytes of slack ]
/// </code>
/// Virtual row u of image n lives in slot u mod Ring, its tag n·VirtualHeight + u + 1 recording which row is there (so
/// each row is copied once per call while consecutive output rows and tiles overlap). Slots 0 … Reach − 2 are mirrored
/// after the last slot, so the Reach = (KH − 1)·dH + 1 rows one output row reads always lie at consecutive slots from
/// slot (oh·sH) mod Ring. Ring = Reach + (S − 1)·sH for the S output rows a tile of up to
/// <see cref="Gemm.Int8GemmTile.MaxRows"/> pixels of one image can span: bringing in a later output row of the tile never evicts a row an earlier
/// pixel of the same tile reads (tiles do not cross images).
/// </para>
/// </summary>
internal sealed class ConvRowWindow
{
    /// <summary>Bytes past a slot's last column that whole-vector reads of a window row may touch.</summary>
    public const int Slack = 32;

    public ConvRowWindow(Conv2dShape shape, int offset, int maxTileRows)
    {
        var win = shape.Window;
        Shape = shape;
        Offset = offset;
        Reach = (win.KernelH - 1) * win.DilationH + 1;
        int spanned = Math.Min(shape.OutH, 1 + (maxTileRows - 1 + shape.OutW - 1) / shape.OutW);
        Ring = Reach + (spanned - 1) * win.StrideH;
        VirtualHeight = (shape.OutH - 1) * win.StrideH + Reach;
        int lastColumn = (shape.OutW - 1) * win.StrideW - win.PadLeft + (win.KernelW - 1) * win.DilationW;
        long width = win.PadLeft + (long)Math.Max(shape.InW, lastColumn + 1);
        long stride = (width * shape.InChannels + Slack + 63) & ~63L;
        long slots = (long)Ring + Reach - 1;
        long total = offset + Align(8L * Ring) + stride * slots;
        if (total > int.MaxValue / 2) throw new ArgumentException($"{shape}: the im2col row window would need {total:N0} bytes of scratch");
        RowStride = (int)stride;
        SlotsOffset = offset + (int)Align(8L * Ring);
        End = (int)total;
    }

    public Conv2dShape Shape { get; }

    /// <summary>Where the window starts in the scratch.</summary>
    public int Offset { get; }

    /// <summary>Padded rows one output row reads: (KH − 1)·dH + 1.</summary>
    public int Reach { get; }

    /// <summary>Slots in the ring (not counting the mirrored ones).</summary>
    public int Ring { get; }

    /// <summary>Virtual rows per image that any output row reads: (OutH − 1)·sH + Reach.</summary>
    public int VirtualHeight { get; }

    /// <summary>
    /// Whether every padded row of an image has its own slot (Ring ≥ VirtualHeight: built for a tile of the whole image),
    /// so output row oh's window starts at <c>SlotsOffset + oh·sH·RowStride</c> and all of an image's rows can be present at once.
    /// </summary>
    public bool HoldsImage => Ring >= VirtualHeight;

    public int RowStride { get; }
    public int SlotsOffset { get; }

    /// <summary>The scratch bytes up to the window's end.</summary>
    public int End { get; }

    private static long Align(long bytes) => (bytes + 63) & ~63L;

    /// <summary>
    /// Starts a call: writes the zero point into every slot's padding columns and forgets which rows the slots held.
    /// <paramref name="unsigned"/>: this call's rows hold <c>u = x + 128</c> (x XOR 0x80), what the VNNI tiles multiply, so
    /// the tiles of a direct convolution need not flip every byte they broadcast (<see cref="DirectVnni"/>).
    /// </summary>
    public void Reset(Span<byte> scratch, int zeroPoint, bool unsigned = false)
    {
        MemoryMarshal.Cast<byte, long>(scratch.Slice(Offset, 8 * Ring)).Clear();
        // A slot's input columns are written whenever a row comes in (zp rows above and below the input included); only
        // its padding columns need the zero point here (threads call this once per range of items, so a fill of every
        // slot was paid again for every chunk).
        int left = Shape.Window.PadLeft * Shape.InChannels;
        RowPadding.Fill(scratch[SlotsOffset..End], Ring + Reach - 1, RowStride, left, left + Shape.InW * Shape.InChannels, Byte(zeroPoint, unsigned));
    }

    /// <summary>The zero point as the rows store it: as is, or XOR 0x80 for unsigned rows.</summary>
    private static byte Byte(int zeroPoint, bool unsigned) => (byte)((sbyte)zeroPoint ^ (unsigned ? 0x80 : 0));

    /// <summary>
    /// Makes the padded rows output row <paramref name="oh"/> of image <paramref name="n"/> reads present and returns the
    /// scratch offset of its kernel row 0 at output column 0 (kernel row kh at <c>+ kh·dH·RowStride</c>). Rows above or below
    /// the input are written as <paramref name="zeroPoint"/>. <paramref name="unsigned"/> must be what <see cref="Reset"/> was given.
    /// </summary>
    public int Row(ReadOnlySpan<sbyte> input, Span<byte> scratch, int n, int oh, int zeroPoint, bool unsigned = false)
    {
        var s = Shape;
        var win = s.Window;
        ref long tags = ref Unsafe.As<byte, long>(ref Unsafe.Add(ref MemoryMarshal.GetReference(scratch), Offset));
        int u0 = oh * win.StrideH, rowBytes = s.InW * s.InChannels, slot0 = u0 % Ring;
        // Ring ≥ (KH − 1)·dH + 1, so stepping a slot by dH passes the ring's end at most once.
        for (int kh = 0, slot = slot0; kh < win.KernelH; kh++, slot = slot + win.DilationH >= Ring ? slot + win.DilationH - Ring : slot + win.DilationH)
        {
            int u = u0 + kh * win.DilationH;
            long tag = (long)n * VirtualHeight + u + 1;
            if (Unsafe.Add(ref tags, slot) == tag) continue;
            Unsafe.Add(ref tags, slot) = tag;
            int ih = u - win.PadTop;
            var dst = scratch.Slice(SlotsOffset + slot * RowStride + win.PadLeft * s.InChannels, rowBytes);
            if (ih < 0 || ih >= s.InH) dst.Fill(Byte(zeroPoint, unsigned));
            else if (unsigned) FlipCopy(MemoryMarshal.AsBytes(input.Slice((n * s.InH + ih) * rowBytes, rowBytes)), dst);
            else MemoryMarshal.AsBytes(input.Slice((n * s.InH + ih) * rowBytes, rowBytes)).CopyTo(dst);
            if (slot <= Reach - 2) dst.CopyTo(scratch.Slice(SlotsOffset + (slot + Ring) * RowStride + win.PadLeft * s.InChannels, rowBytes));
        }
        return SlotsOffset + slot0 * RowStride;
    }

    /// <summary>
    /// <paramref name="source"/> XOR 0x80 into <paramref name="destination"/>: int8 to <c>u = x + 128</c>. Whole vectors,
    /// the last one overlapping the one before it (the two buffers are distinct), so a short row (LeNet's 28 bytes) is two
    /// 16-byte operations, not 28 scalar ones.
    /// </summary>
    private static void FlipCopy(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int n = source.Length;
        ref byte x = ref MemoryMarshal.GetReference(source);
        ref byte y = ref MemoryMarshal.GetReference(destination);
        if (destination.Length < n) throw new ArgumentException("destination shorter than source", nameof(destination));
        if (Vector256.IsHardwareAccelerated && n >= 32)
        {
            var flip = Vector256.Create((byte)0x80);
            for (int i = 0; i < n - 32; i += 32) (Vector256.LoadUnsafe(ref x, (nuint)i) ^ flip).StoreUnsafe(ref y, (nuint)i);
            (Vector256.LoadUnsafe(ref x, (nuint)(n - 32)) ^ flip).StoreUnsafe(ref y, (nuint)(n - 32));
        }
        else if (Vector128.IsHardwareAccelerated && n >= 16)
        {
            var flip = Vector128.Create((byte)0x80);
            for (int i = 0; i < n - 16; i += 16) (Vector128.LoadUnsafe(ref x, (nuint)i) ^ flip).StoreUnsafe(ref y, (nuint)i);
            (Vector128.LoadUnsafe(ref x, (nuint)(n - 16)) ^ flip).StoreUnsafe(ref y, (nuint)(n - 16));
        }
        else
            for (int i = 0; i < n; i++) Unsafe.Add(ref y, i) = (byte)(Unsafe.Add(ref x, i) ^ 0x80);
    }

}
