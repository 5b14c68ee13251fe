using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Edge.Runtime.Kernels.DepthwiseConv;

/// <summary>
/// The row window of the x86 3×3 depthwise paths (Int8DepthwiseConv3x3.Avx2.cs, .Avx512BW.cs): each input row widened once
/// to int16 and stored as the pairs <c>vpmaddwd</c> reads, so the pixel loop loads every pair of taps straight into the
/// multiply — no interleave, no sign extension — while each input row is converted once and read by all three output
/// rows over it.
/// <para>
/// With X the input row padded as in DepthwiseRows.cs (zp columns, channels padded to 16 with zp), pair position q of a
/// row holds <c>[X[q·sW][c], X[q·sW + dW][c]]</c>: taps kw = 0, 1 of output column ow are position ow, and tap kw = 2,
/// which reads <c>X[ow·sW + 2·dW]</c>, is the first half of position <c>ow + 2·dW / sW</c> (its partner gets weight 0). So the
/// layout needs <c>2·dW</c> to be a multiple of sW (<see cref="Fits"/>: strides 1 and 2, any dilation in stride 1).
/// </para>
/// <para>
/// Scratch layout (offsets 64-byte aligned):
/// <code>
///  [ tags: R int32 ][ staging row: InW·BlockChannels bytes ][ zp pair row ][ pair ring row 0 ] … [ pair ring row R−1 ][ sums ]
///  a pair row: [block 0: Positions × 64 bytes] … [block B−1], a position's 64 bytes = 16 channels × [x₀, x₁] int16
/// </code>
/// R = 2·dH + 1 ring rows as in DepthwiseRows.cs (input row ih in slot ih mod R, tagged). The staging row holds the InW
/// pixels of a new input row with their channels padded to 16 by zp, needed only where C is not a multiple of 16 (else
/// the row is widened straight from the input, and the staging row is empty); columns on the padding read a zp vector.
/// </para>
/// </summary>
internal sealed class DepthwisePairRows
{
    /// <summary>Bytes of one pair position of one 16-channel block: 16 channels × 2 int16.</summary>
    public const int PositionBytes = 64;

    public DepthwisePairRows(Conv2dShape shape, int blockChannels, int zeroPoint)
    {
        ZeroPoint = (sbyte)zeroPoint;
        var win = shape.Window;
        Shape = shape;
        BlockChannels = blockChannels;
        Blocks = blockChannels / Int8DepthwiseConv2d.Block;
        Ring = 2 * win.DilationH + 1;
        Far = 2 * win.DilationW / win.StrideW;
        Positions = shape.OutW + Far;
        long stage = blockChannels == shape.InChannels ? 0 : ((long)shape.InW * blockChannels + 63) & ~63L;
        long pairRow = (long)Blocks * Positions * PositionBytes;
        StageOffset = Align(4 * Ring);
        long zpRow = StageOffset + stage;
        long ring = zpRow + pairRow;
        long sums = ring + pairRow * Ring;
        long total = sums + (long)shape.OutW * PositionBytes;
        if (total > int.MaxValue / 2) throw new ArgumentException($"{shape}: the depthwise pair rows would need {total:N0} bytes of scratch");
        (ZpRowOffset, RingOffset, PairRowStride, BlockStride, SumsOffset, ScratchLength) = ((int)zpRow, (int)ring, (int)pairRow, Positions * PositionBytes, (int)sums, (int)total);
    }

    /// <summary>Whether the pair layout serves <paramref name="shape"/>: a 3×3 filter with 2·dW a multiple of sW.</summary>
    public static bool Fits(Conv2dShape shape)
    {
        var win = shape.Window;
        return win.KernelH == 3 && win.KernelW == 3 && 2 * win.DilationW % win.StrideW == 0;
    }

    public Conv2dShape Shape { get; }

    /// <summary>The input zero point: the padding's value.</summary>
    public sbyte ZeroPoint { get; }
    public int BlockChannels { get; }
    public int Blocks { get; }
    public int Ring { get; }

    /// <summary>Positions from tap kw = 0 to tap kw = 2: 2·dW / sW.</summary>
    public int Far { get; }

    /// <summary>Pair positions per row and block: OutW + <see cref="Far"/>.</summary>
    public int Positions { get; }

    public int StageOffset { get; }
    public int ZpRowOffset { get; }
    public int RingOffset { get; }
    public int PairRowStride { get; }

    /// <summary>Bytes from one block's pair row to the next: Positions · 64.</summary>
    public int BlockStride { get; }

    /// <summary>
    /// Where the int32 sums of one block's output row go between the two passes of the AVX2 kernel without AVX-512 VL
    /// (Int8DepthwiseConv3x3.Avx2.cs): OutW × 16 int32.
    /// </summary>
    public int SumsOffset { get; }

    public int ScratchLength { get; }

    private static int Align(int bytes) => (bytes + 63) & ~63;

    /// <summary>Starts a call: the staging row (its channel padding) and the zp pair row hold the zero point, the ring holds no row.</summary>
    public void Reset(Span<byte> scratch)
    {
        Guard.Length(scratch.Length, ScratchLength, "depthwise scratch");
        MemoryMarshal.Cast<byte, int>(scratch[..(4 * Ring)]).Clear();
        scratch.Slice(StageOffset, ZpRowOffset - StageOffset).Fill((byte)ZeroPoint);
        MemoryMarshal.Cast<byte, short>(scratch.Slice(ZpRowOffset, PairRowStride)).Fill(ZeroPoint);
    }

    /// <summary>
    /// Makes the three input rows of output row <paramref name="row"/> (counted across the batch) present and returns the
    /// byte offsets of their pair rows in <paramref name="scratch"/> (the zp pair row for rows on the padding).
    /// </summary>
    public (int Row0, int Row1, int Row2) Prepare(ReadOnlySpan<sbyte> input, Span<byte> scratch, int row)
    {
        var s = Shape;
        var win = s.Window;
        int n = row / s.OutH, ih0 = row % s.OutH * win.StrideH - win.PadTop;
        return (Present(input, scratch, n, ih0), Present(input, scratch, n, ih0 + win.DilationH), Present(input, scratch, n, ih0 + 2 * win.DilationH));
    }

    private int Present(ReadOnlySpan<sbyte> input, Span<byte> scratch, int n, int ih)
    {
        var s = Shape;
        if (ih < 0 || ih >= s.InH) return ZpRowOffset;
        int slot = ih % Ring, tag = n * s.InH + ih + 1, offset = RingOffset + slot * PairRowStride;
        ref int tags = ref Unsafe.As<byte, int>(ref MemoryMarshal.GetReference(scratch));
        if (Unsafe.Add(ref tags, slot) == tag) return offset;
        Unsafe.Add(ref tags, slot) = tag;
        int c = s.InChannels, cs = BlockChannels;
        var src = input.Slice((n * s.InH + ih) * s.InW * c, s.InW * c);
        if (c == cs) Widen(ref Unsafe.As<sbyte, byte>(ref MemoryMarshal.GetReference(src)), ref scratch[offset], ZeroPoint);
        else
        {
            var dst = MemoryMarshal.Cast<byte, sbyte>(scratch.Slice(StageOffset, s.InW * cs));
            for (int w = 0; w < s.InW; w++) src.Slice(w * c, c).CopyTo(dst.Slice(w * cs, c));
            Widen(ref scratch[StageOffset], ref scratch[offset], ZeroPoint);
        }
        return offset;
    }

    /// <summary>
    /// An input row (<paramref name="source"/>: InW pixels of BlockChannels bytes) to pairs: per block and position q, the
    /// 16 bytes of columns <c>q·sW − PadLeft</c> and <c>q·sW − PadLeft + dW</c> (the zp vector where a column lies on
    /// the padding) interleave (<c>punpck{l,h}bw</c>) and sign-extend to the position's 32 int16 (<c>vpmovsxbw</c>).
    /// </summary>
    private void Widen(ref byte source, ref byte pairs, sbyte zeroPoint)
    {
        var win = Shape.Window;
        int cs = BlockChannels, positions = Positions, inW = Shape.InW;
        var zp = Vector128.Create((byte)zeroPoint);
        for (int b = 0; b < Blocks; b++)
        {
            ref byte x = ref Unsafe.Add(ref source, b * Int8DepthwiseConv2d.Block);
            ref byte p = ref Unsafe.Add(ref pairs, b * BlockStride);
            for (int q = 0, u0 = -win.PadLeft; q < positions; q++, u0 += win.StrideW)
            {
                int u1 = u0 + win.DilationW;
                var x0 = (uint)u0 < (uint)inW ? Vector128.LoadUnsafe(ref x, (nuint)u0 * (nuint)cs) : zp;
                var x1 = (uint)u1 < (uint)inW ? Vector128.LoadUnsafe(ref x, (nuint)u1 * (nuint)cs) : zp;
                Avx2.ConvertToVector256Int16(Sse2.UnpackLow(x0, x1).AsSByte()).AsByte().StoreUnsafe(ref p);
                Avx2.ConvertToVector256Int16(Sse2.UnpackHigh(x0, x1).AsSByte()).AsByte().StoreUnsafe(ref p, 32);
                p = ref Unsafe.Add(ref p, PositionBytes);
            }
        }
    }
}
