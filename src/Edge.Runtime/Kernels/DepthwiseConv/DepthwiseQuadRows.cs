using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Edge.Runtime.Kernels.DepthwiseConv;

/// <summary>
/// The row window of the AVX-512 VNNI depthwise path (<see cref="DepthwiseVnniCode"/>): each input row turned once into
/// quads — per 16-channel block, output column ow and quad j of a kernel row, 16 channels × the four taps
/// <c>kw = 4j … 4j + 3</c> of that column's window, as <c>u = x + 128</c> bytes — so the generated kernel's one load per
/// pixel, kernel row and quad feeds <c>vpdpbusd</c> straight against the block's weights. Each input row is built once and
/// read by every output row over it (a ring of <c>(KH − 1)·dH + 1</c> rows, tagged as in DepthwiseRows.cs).
/// <para>
/// A row is built in two steps, both of a few instructions per 16 bytes. (1) The staging row: the input row with its
/// channels split into 16-byte blocks, <c>[block][column][16]</c> over the padded columns the windows read, XORed with
/// 0x80 (so u = x + 128), the padding columns and the channels past C holding <c>zp + 128</c> (written at
/// <see cref="Reset"/> and never overwritten). The staging row's last 128 bytes are slack that a column's 128-byte read
/// may reach but no index selects. (2) Per block and output column, the window's taps lie in the 128
/// staging bytes from column <c>ow·sW</c> (tap kw at byte <c>kw·dW·16 + c</c>), and one <c>vpermt2b</c> (AVX-512 VBMI)
/// per quad gathers them into <c>[c][tap]</c> order; taps past KW in the last quad repeat the last real tap (their weight is 0).
/// So the layout needs <c>(KW − 1)·dW ≤ 7</c> (<see cref="Fits"/>).
/// </para>
/// <para>
/// Scratch layout (offsets 64-byte aligned):
/// <code>
///  [ tags: R int32, zp row filled ][ KH staging rows: Blocks × StageColumns × 16 bytes, + 128 ][ zp quad row ][ quad ring row 0 ] … [ row R−1 ]
///  a quad row: [block 0: OutW × Q × 64 bytes] … [block B−1]
/// </code>
/// </para>
/// </summary>
internal sealed class DepthwiseQuadRows
{
    /// <summary>Bytes of one quad: 16 channels × 4 taps.</summary>
    public const int QuadBytes = 64;

    public DepthwiseQuadRows(Conv2dShape shape, int blockChannels, int zeroPoint)
    {
        var win = shape.Window;
        Shape = shape;
        Fill = (byte)(zeroPoint + 128);
        Blocks = blockChannels / Int8DepthwiseConv2d.Block;
        Quads = (win.KernelW + 3) / 4;
        Ring = (win.KernelH - 1) * win.DilationH + 1;
        StageColumns = (shape.OutW - 1) * win.StrideW + (win.KernelW - 1) * win.DilationW + 1;
        StageBlockStride = StageColumns * 16;
        BlockStride = shape.OutW * Quads * QuadBytes;
        long stage = Align((long)Blocks * StageBlockStride + 128);
        long quadRow = (long)Blocks * BlockStride;
        long total = Align(4 * (Ring + 1)) + stage * win.KernelH + quadRow * (Ring + 1);
        if (total > int.MaxValue / 2) throw new ArgumentException($"{shape}: the depthwise quad rows would need {total:N0} bytes of scratch");
        StageOffset = Align(4 * (Ring + 1));
        StageStride = (int)stage;
        ZpRowOffset = (int)(StageOffset + stage * win.KernelH);
        QuadRowStride = (int)quadRow;
        RingOffset = ZpRowOffset + QuadRowStride;
        ScratchLength = (int)total;
        // Quad j, byte 4c + t ← tap kw = min(4j + t, KW − 1) of channel c: staging byte kw·dW·16 + c from the column's start.
        Indices = new byte[Quads * 64];
        bool upper = false;
        for (int j = 0; j < Quads; j++)
            for (int c = 0; c < 16; c++)
                for (int t = 0; t < 4; t++)
                {
                    int kw = Math.Min(4 * j + t, win.KernelW - 1), at = kw * win.DilationW * 16 + c;
                    Indices[j * 64 + 4 * c + t] = (byte)at;
                    upper |= at >= 64;
                }
        UsesUpper = upper;
    }

    /// <summary>Whether the quad layout and a generated kernel serve <paramref name="shape"/>.</summary>
    public static bool Fits(Conv2dShape shape)
    {
        var win = shape.Window;
        return (win.KernelW - 1) * win.DilationW <= 7 && DepthwiseVnniCode.Fits(win.KernelH, (win.KernelW + 3) / 4);
    }

    public Conv2dShape Shape { get; }

    /// <summary>The padding's byte: the input zero point + 128.</summary>
    public byte Fill { get; }

    public int Blocks { get; }

    /// <summary>Quads per kernel row, ⌈KW / 4⌉.</summary>
    public int Quads { get; }

    public int Ring { get; }

    /// <summary>Padded columns the windows read: (OutW − 1)·sW + (KW − 1)·dW + 1.</summary>
    public int StageColumns { get; }

    public int StageBlockStride { get; }

    /// <summary>Bytes from one block's quads to the next within a quad row: OutW·Q·64.</summary>
    public int BlockStride { get; }

    public int StageOffset { get; }

    /// <summary>Bytes from one staging row to the next (one per kernel row: the rows an output row brings in are built block by block).</summary>
    public int StageStride { get; }
    public int ZpRowOffset { get; }
    public int RingOffset { get; }
    public int QuadRowStride { get; }
    public int ScratchLength { get; }

    /// <summary>Per quad, the 64 <c>vpermt2b</c> indices into the 128 staging bytes from a column's start.</summary>
    private byte[] Indices { get; }

    /// <summary>Whether any index reaches the second 64 staging bytes.</summary>
    private bool UsesUpper { get; }

    private static int Align(int bytes) => (bytes + 63) & ~63;
    private static long Align(long bytes) => (bytes + 63) & ~63L;

    /// <summary>
    /// Starts a call: the ring holds no row, the staging rows' padding columns and channels past C hold zp + 128 (their
    /// real bytes are written by every row staged), and the zp quad row is filled on first use (<see cref="Prepare"/>):
    /// a call over a few rows of a thread's share writes only what it reads.
    /// </summary>
    public void Reset(Span<byte> scratch)
    {
        Guard.Length(scratch.Length, ScratchLength, "depthwise scratch");
        MemoryMarshal.Cast<byte, int>(scratch[..(4 * (Ring + 1))]).Clear();
        var s = Shape;
        int padLeft = s.Window.PadLeft, first = Math.Clamp(padLeft, 0, StageColumns), end = Math.Clamp(padLeft + s.InW, first, StageColumns);
        int rest = s.InChannels % 16;
        for (int kh = 0; kh < s.Window.KernelH; kh++)
            for (int b = 0; b < Blocks; b++)
            {
                var block = scratch.Slice(StageOffset + kh * StageStride + b * StageBlockStride, StageBlockStride);
                block[..(16 * first)].Fill(Fill);
                block[(16 * end)..].Fill(Fill);
                if (rest != 0 && b == Blocks - 1)
                    for (int col = first; col < end; col++) block.Slice(16 * col + rest, 16 - rest).Fill(Fill);
            }
    }

    /// <summary>
    /// Makes the KH input rows of output row <paramref name="row"/> (counted across the batch) ready: writes the byte offsets
    /// of their quad rows in <paramref name="scratch"/> (the zp quad row for rows on the padding) to <paramref name="offsets"/>,
    /// stages the rows not yet in the ring and returns them as a bit set over kh; the caller builds their quads
    /// (<see cref="Build(Span{byte}, int, ReadOnlySpan{int})"/>) just before the kernel reads them, while they are in L1.
    /// </summary>
    public int Prepare(ReadOnlySpan<sbyte> input, Span<byte> scratch, int row, Span<int> offsets)
    {
        var s = Shape;
        var win = s.Window;
        int n = row / s.OutH, ih0 = row % s.OutH * win.StrideH - win.PadTop, pending = 0;
        ref int tags = ref Unsafe.As<byte, int>(ref MemoryMarshal.GetReference(scratch));
        for (int kh = 0; kh < win.KernelH; kh++)
        {
            int ih = ih0 + kh * win.DilationH;
            if (ih < 0 || ih >= s.InH)
            {
                ref int zpReady = ref Unsafe.Add(ref tags, Ring);
                if (zpReady == 0)
                {
                    scratch.Slice(ZpRowOffset, QuadRowStride).Fill(Fill);
                    zpReady = 1;
                }
                offsets[kh] = ZpRowOffset;
                continue;
            }
            int slot = ih % Ring, tag = n * s.InH + ih + 1;
            offsets[kh] = RingOffset + slot * QuadRowStride;
            if (Unsafe.Add(ref tags, slot) == tag) continue;
            Unsafe.Add(ref tags, slot) = tag;
            Stage(input.Slice((n * s.InH + ih) * s.InW * s.InChannels, s.InW * s.InChannels), ref scratch[StageOffset + kh * StageStride]);
            pending |= 1 << kh;
        }
        return pending;
    }

    /// <summary>The quads of every row <see cref="Prepare"/> returned as pending, block after block.</summary>
    public void Build(Span<byte> scratch, int pending, ReadOnlySpan<int> offsets)
    {
        for (int kh = 0; pending != 0; kh++, pending >>= 1)
            if ((pending & 1) != 0)
                for (int b = 0; b < Blocks; b++)
                    Build(ref scratch[StageOffset + kh * StageStride + b * StageBlockStride], ref scratch[offsets[kh] + b * BlockStride]);
    }

    /// <summary>The input row into the staging row: block b of pixel w to <c>[b][PadLeft + w]</c>, XORed with 0x80.</summary>
    private void Stage(ReadOnlySpan<sbyte> source, ref byte stage)
    {
        var s = Shape;
        int c = s.InChannels, padLeft = s.Window.PadLeft, whole = c / 16, rest = c % 16;
        // Input columns the windows read: padded column padLeft + w in [0, StageColumns).
        int w0 = Math.Max(0, -padLeft), w1 = Math.Min(s.InW, StageColumns - padLeft);
        var flip = Vector128.Create((byte)0x80);
        ref byte x = ref Unsafe.As<sbyte, byte>(ref MemoryMarshal.GetReference(source));
        for (int w = w0; w < w1; w++)
        {
            ref byte pixel = ref Unsafe.Add(ref x, (nint)w * c);
            ref byte column = ref Unsafe.Add(ref stage, (nint)(padLeft + w) * 16);
            for (int b = 0; b < whole; b++)
                (Vector128.LoadUnsafe(ref pixel, (nuint)(16 * b)) ^ flip).StoreUnsafe(ref column, (nuint)(b * StageBlockStride));
            if (rest != 0)
            {
                ref byte last = ref Unsafe.Add(ref column, whole * StageBlockStride);
                for (int i = 0; i < rest; i++) Unsafe.Add(ref last, i) = (byte)(Unsafe.Add(ref pixel, 16 * whole + i) ^ 0x80);
            }
        }
    }

    /// <summary>One block's quads from its staging row: per output column and quad, one <c>vpermt2b</c> of the 128 bytes from column ow·sW.</summary>
    private void Build(ref byte src, ref byte dst)
    {
        int outW = Shape.OutW, step = Shape.Window.StrideW * 16, q = Quads;
        ref byte indices = ref MemoryMarshal.GetArrayDataReference(Indices);
        var index0 = Vector512.LoadUnsafe(ref indices);
        if (!UsesUpper)
        {
            ref byte from = ref src, to = ref dst;
            for (int ow = 0; ow < outW; ow++, from = ref Unsafe.Add(ref from, step), to = ref Unsafe.Add(ref to, QuadBytes))
                Avx512Vbmi.PermuteVar64x8(Vector512.LoadUnsafe(ref from), index0).StoreUnsafe(ref to);
            return;
        }
        var index1 = q > 1 ? Vector512.LoadUnsafe(ref indices, 64) : index0;
        for (int ow = 0; ow < outW; ow++)
        {
            var lo = Vector512.LoadUnsafe(ref src, (nuint)(ow * step));
            var hi = Vector512.LoadUnsafe(ref src, (nuint)(ow * step + 64));
            nuint at = (nuint)(ow * q * QuadBytes);
            Avx512Vbmi.PermuteVar64x8x2(lo, index0, hi).StoreUnsafe(ref dst, at);
            if (q > 1) Avx512Vbmi.PermuteVar64x8x2(lo, index1, hi).StoreUnsafe(ref dst, at + QuadBytes);
        }
    }
}
