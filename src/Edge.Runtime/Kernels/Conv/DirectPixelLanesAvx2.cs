using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels.Gemm;

namespace Edge.Runtime.Kernels.Conv;

/// <summary>
/// The direct convolution with output pixels in the vector lanes on AVX2, for a one-channel input and few output channels
/// (LeNet's first 5×5 on a grey image: 6 channels, which fill 6 of the 8 lanes of <see cref="DirectPairs"/>' narrow tile
/// and leave its output stage a tile per 8 pixels). The AVX-512 VNNI path has its own (<see cref="DirectPixelLanes"/>).
/// <para>
/// Per output row, the kernel rows of the padded row window (<see cref="ConvRowWindow"/>) are widened to int16 once, and
/// each kernel row's KW taps are taken as P = ⌈KW/2⌉ pairs, as in DirectPairs. A block is 16 pixels in two int32 vectors,
/// A and B: at stride 1, A holds the even pixels and B the odd ones — the dwords of one 256-bit load at int16 offset 2j
/// are the pairs <c>(x[2l + 2j], x[2l + 2j + 1])</c> of pixels 2l, and the load one int16 later those of pixels 2l + 1;
/// at stride 2 a pixel's window starts at int16 offset 2l, so A holds pixels 0–7 and B pixels 8–15 (a load 16 int16 on).
/// Per channel and pair, one <c>vpmaddwd</c> against the channel's pair of weights repeated in every lane (prepared here)
/// adds two products to each pixel's sum — exact, |x·w| ≤ 128·127 — with the folded bias
/// (<see cref="GemmPanels.FoldedBias"/>: <c>−zp_x·Σw</c>, so the zero-point padding adds nothing) as the start. Channels
/// run in groups of up to four (eight accumulators), the loads repeated per group.
/// </para>
/// <para>
/// Then per channel the short output stage with that channel's constants in every lane, two saturating packs (as one
/// saturation to int8: the clamp's range lies inside it) into the channel's 16 bytes in pixel order, the clamp, and an
/// 8 × 16 byte transpose (three rounds of unpacks) into each pixel's 8 channel bytes, stored 8 bytes a pixel in increasing
/// order — each store's bytes past the channels are overwritten by the next pixels' — while the 8 bytes end inside the
/// block's valid pixels, the rest byte by byte, so nothing past them is written. Where: AVX2, ungrouped, one input channel, stride 1 or 2 along W, undilated
/// along W, KW ≤ 16, 1–8 output channels, all on the short stage (every calibrated layer), at least 8 output columns.
/// Each pixel's sum and stage are the same in whatever block or lane it is computed, so any split gives the same bytes.
/// </para>
/// </summary>
internal sealed class DirectPixelLanesAvx2
{
    private const int Block = 16;

    /// <summary>Output channels the kernel takes (two groups of four).</summary>
    public const int MaxChannels = 8;

    /// <summary>[channel][kernel row][pair] × 16 int16: the pair (w[c][kh][2j], w[c][kh][2j + 1]) in each of the 8 dwords.</summary>
    private readonly short[] _weights;
    private readonly int[] _bias, _multiplier, _shift, _add;
    private readonly OutputStage _stage;

    private DirectPixelLanesAvx2(Conv2dShape shape, GemmPanels panels, OutputStage stage, ConvRowWindow rows, int offset)
    {
        var win = shape.Window;
        int oc = shape.OutChannels;
        Shape = shape;
        Pairs = (win.KernelW + 1) / 2;
        PixelStep = win.StrideW;
        RowStep = win.DilationH * rows.RowStride;
        // A widened kernel row: the int8 row's RowStride values, then room for what a block past the row's end reads: up
        // to 15 pixel steps (stride 1: B's load one int16 on), 2·(P − 1) and a 16-value load.
        WideRow = (rows.RowStride + Block * PixelStep + 2 * Pairs + 16 + 15) & ~15;
        Offset = offset;
        End = offset + win.KernelH * WideRow * sizeof(short);
        _weights = new short[oc * win.KernelH * Pairs * 16];
        for (int c = 0; c < oc; c++)
            for (int kh = 0; kh < win.KernelH; kh++)
                for (int kw = 0; kw < win.KernelW; kw++)
                    for (int lane = 0; lane < 8; lane++)
                        _weights[((c * win.KernelH + kh) * Pairs + kw / 2) * 16 + lane * 2 + kw % 2] = panels.Weight(c, kh * win.KernelW + kw);
        _bias = panels.FoldedBias.AsSpan(0, oc).ToArray();
        (_multiplier, _shift, _add) = (new int[oc], new int[oc], new int[oc]);
        for (int c = 0; c < oc; c++) (_multiplier[c], _shift[c], _add[c]) = OutputStage.ShortConstants(stage.Multipliers[c]);
        _stage = stage;
    }

    public Conv2dShape Shape { get; }

    /// <summary>⌈KW/2⌉: the pairs of one kernel row.</summary>
    public int Pairs { get; }

    /// <summary>int16 values between the windows of neighbouring output pixels: sW (one channel).</summary>
    public int PixelStep { get; }

    /// <summary>Bytes between the int8 window's kernel rows (dH rows of the row window).</summary>
    public int RowStep { get; }

    /// <summary>int16 values per widened kernel row.</summary>
    public int WideRow { get; }

    /// <summary>Where the widened rows start in the scratch, and the scratch bytes up to their end.</summary>
    public int Offset { get; }
    public int End { get; }

    /// <summary>The plan for <paramref name="shape"/> where AVX2 runs and the layer suits the kernel (see the type), or null.</summary>
    public static DirectPixelLanesAvx2? For(Conv2dShape shape, GemmPanels panels, OutputStage stage, ConvRowWindow? rows)
    {
        var win = shape.Window;
        if (!Avx2.IsSupported || rows is null || shape.Group != 1 || shape.InChannels != 1 || win.DilationW != 1) return null;
        if (win.StrideW is not (1 or 2) || win.KernelW > 16 || shape.OutChannels > MaxChannels || shape.OutW < 8) return null;
        if (!Array.TrueForAll(stage.Multipliers, OutputStage.FitsShort)) return null;
        return new DirectPixelLanesAvx2(shape, panels, stage, rows, (rows.End + 63) & ~63);
    }

    /// <summary>True when <paramref name="path"/> (resolved) runs this kernel: the x86 paths below VNNI's own pixel lanes.</summary>
    public static bool Runs(KernelPath path) => DirectPairs.Runs(path);

    /// <summary>Output pixels [<paramref name="m0"/>, <paramref name="m1"/>), every channel, an output row segment at a time.</summary>
    public void Run(Int8Conv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch, int m0, int m1)
    {
        var s = Shape;
        var rows = op.RowWindow!;
        int pixels = s.OutH * s.OutW, oc = s.OutChannels;
        ref byte sb = ref MemoryMarshal.GetReference(scratch);
        ref short wide = ref Unsafe.As<byte, short>(ref Unsafe.Add(ref sb, Offset));
        ref sbyte y = ref MemoryMarshal.GetReference(output);
        Span<Vector128<sbyte>> bytes = stackalloc Vector128<sbyte>[MaxChannels];
        for (int m = m0; m < m1;)
        {
            int n = m / pixels, oh = m % pixels / s.OutW, ow = m % s.OutW;
            int count = Math.Min(m1 - m, s.OutW - ow);
            int rowBase = rows.Row(input, scratch, n, oh, op.InputZeroPoint);
            for (int kh = 0; kh < s.Window.KernelH; kh++)
                DirectPairs.Widen(ref Unsafe.Add(ref sb, rowBase + kh * RowStep), ref Unsafe.Add(ref wide, kh * WideRow), rows.RowStride);
            ref short x = ref Unsafe.Add(ref wide, ow * PixelStep);
            for (int i = 0; i < count; i += Block)
            {
                ref short xi = ref Unsafe.Add(ref x, i * PixelStep);
                for (int c0 = 0; c0 < oc; c0 += 4) Group(ref xi, c0, Math.Min(4, oc - c0), bytes);
                Store(bytes, Math.Min(Block, count - i), ref Unsafe.Add(ref y, (nint)(m + i) * oc), oc);
            }
            m += count;
        }
    }

    /// <summary>Channels [c0, c0 + n) (n ≤ 4) of the block at <paramref name="x"/>: sums, stage, each channel's 16 bytes in pixel order.</summary>
    private void Group(ref short x, int c0, int n, Span<Vector128<sbyte>> bytes)
    {
        int kernelH = Shape.Window.KernelH, pairs = Pairs;
        nint second = PixelStep == 1 ? 1 : 2 * 8;
        ref int bias = ref MemoryMarshal.GetArrayDataReference(_bias);
        Vector256<int> a0 = Vector256.Create(Unsafe.Add(ref bias, c0)), b0 = a0;
        Vector256<int> a1 = n > 1 ? Vector256.Create(Unsafe.Add(ref bias, c0 + 1)) : default, b1 = a1;
        Vector256<int> a2 = n > 2 ? Vector256.Create(Unsafe.Add(ref bias, c0 + 2)) : default, b2 = a2;
        Vector256<int> a3 = n > 3 ? Vector256.Create(Unsafe.Add(ref bias, c0 + 3)) : default, b3 = a3;
        // Channel c's weights for (kh, j) at ((c·KH + kh)·P + j)·16; the next channel KH·P·16 further.
        nint channelStep = kernelH * pairs * 16;
        ref short w = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_weights), c0 * channelStep);
        for (int kh = 0; kh < kernelH; kh++)
        {
            ref short xr = ref Unsafe.Add(ref x, kh * WideRow);
            ref short wr = ref Unsafe.Add(ref w, kh * pairs * 16);
            for (nint j = 0; j < pairs; j++)
            {
                var xa = Vector256.LoadUnsafe(ref xr, (nuint)(2 * j));
                var xb = Vector256.LoadUnsafe(ref xr, (nuint)(2 * j + second));
                var w0 = Vector256.LoadUnsafe(ref wr, (nuint)(j * 16));
                a0 += Avx2.MultiplyAddAdjacent(xa, w0);
                b0 += Avx2.MultiplyAddAdjacent(xb, w0);
                if (n > 1)
                {
                    var w1 = Vector256.LoadUnsafe(ref wr, (nuint)(channelStep + j * 16));
                    a1 += Avx2.MultiplyAddAdjacent(xa, w1);
                    b1 += Avx2.MultiplyAddAdjacent(xb, w1);
                }
                if (n > 2)
                {
                    var w2 = Vector256.LoadUnsafe(ref wr, (nuint)(2 * channelStep + j * 16));
                    a2 += Avx2.MultiplyAddAdjacent(xa, w2);
                    b2 += Avx2.MultiplyAddAdjacent(xb, w2);
                }
                if (n > 3)
                {
                    var w3 = Vector256.LoadUnsafe(ref wr, (nuint)(3 * channelStep + j * 16));
                    a3 += Avx2.MultiplyAddAdjacent(xa, w3);
                    b3 += Avx2.MultiplyAddAdjacent(xb, w3);
                }
            }
        }
        bytes[c0] = Finish(a0, b0, c0);
        if (n > 1) bytes[c0 + 1] = Finish(a1, b1, c0 + 1);
        if (n > 2) bytes[c0 + 2] = Finish(a2, b2, c0 + 2);
        if (n > 3) bytes[c0 + 3] = Finish(a3, b3, c0 + 3);
    }

    /// <summary>
    /// Channel <paramref name="c"/>'s 16 sums (A and B, see the type) through its short stage, the zero point, the packs and
    /// the clamp: 16 bytes, pixel p at byte p.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector128<sbyte> Finish(Vector256<int> a, Vector256<int> b, int c)
    {
        var m = Vector256.Create(_multiplier[c]);
        var stage = new OutputStage.ShortLanes(m, m, Vector256.Create(_add[c]), Vector256.Create((uint)_shift[c]));
        var zp = Vector256.Create(_stage.OutputZeroPoint);
        var ra = stage.Requantize(a) + zp;
        var rb = stage.Requantize(b) + zp;
        Vector256<short> words;
        if (PixelStep == 1)
        {
            // Even pixels in A, odd in B: interleaved per 128-bit half, [p0 … p3, p4 … p7 | p8 … p11, p12 … p15] once packed.
            words = Avx2.PackSignedSaturate(Avx2.UnpackLow(ra, rb), Avx2.UnpackHigh(ra, rb));
        }
        else
        {
            // Pixels 0–7 in A, 8–15 in B: the pack leaves [p0–3, p8–11 | p4–7, p12–15]; qwords 0, 2, 1, 3 put them in order.
            words = Avx2.Permute4x64(Avx2.PackSignedSaturate(ra, rb).AsInt64(), 0b11_01_10_00).AsInt16();
        }
        var q = Sse2.PackSignedSaturate(words.GetLower(), words.GetUpper());
        var clamp = _stage.Clamp;
        if (clamp.Min > sbyte.MinValue) q = Vector128.Max(q, Vector128.Create((sbyte)clamp.Min));
        if (clamp.Max < sbyte.MaxValue) q = Vector128.Min(q, Vector128.Create((sbyte)clamp.Max));
        return q;
    }

    /// <summary>
    /// The block's first <paramref name="valid"/> pixels, <paramref name="oc"/> channels each, from the channel rows of
    /// <paramref name="bytes"/> (rows past oc unused): transposed to 8 bytes a pixel, stored as the type says.
    /// </summary>
    private static void Store(Span<Vector128<sbyte>> bytes, int valid, ref sbyte y, int oc)
    {
        // Round 1: bytes of channel pairs; round 2: of channel quads; round 3: all 8 channels — row k ends as pixels 2k, 2k + 1.
        var t0 = Sse2.UnpackLow(bytes[0], bytes[1]).AsInt16();
        var t1 = Sse2.UnpackHigh(bytes[0], bytes[1]).AsInt16();
        var t2 = Sse2.UnpackLow(bytes[2], bytes[3]).AsInt16();
        var t3 = Sse2.UnpackHigh(bytes[2], bytes[3]).AsInt16();
        var t4 = Sse2.UnpackLow(bytes[4], bytes[5]).AsInt16();
        var t5 = Sse2.UnpackHigh(bytes[4], bytes[5]).AsInt16();
        var t6 = Sse2.UnpackLow(bytes[6], bytes[7]).AsInt16();
        var t7 = Sse2.UnpackHigh(bytes[6], bytes[7]).AsInt16();
        var u0 = Sse2.UnpackLow(t0, t2).AsInt32();
        var u1 = Sse2.UnpackHigh(t0, t2).AsInt32();
        var u2 = Sse2.UnpackLow(t1, t3).AsInt32();
        var u3 = Sse2.UnpackHigh(t1, t3).AsInt32();
        var u4 = Sse2.UnpackLow(t4, t6).AsInt32();
        var u5 = Sse2.UnpackHigh(t4, t6).AsInt32();
        var u6 = Sse2.UnpackLow(t5, t7).AsInt32();
        var u7 = Sse2.UnpackHigh(t5, t7).AsInt32();
        Span<ulong> pixel = stackalloc ulong[Block];
        Sse2.UnpackLow(u0, u4).AsUInt64().CopyTo(pixel);
        Sse2.UnpackHigh(u0, u4).AsUInt64().CopyTo(pixel[2..]);
        Sse2.UnpackLow(u1, u5).AsUInt64().CopyTo(pixel[4..]);
        Sse2.UnpackHigh(u1, u5).AsUInt64().CopyTo(pixel[6..]);
        Sse2.UnpackLow(u2, u6).AsUInt64().CopyTo(pixel[8..]);
        Sse2.UnpackHigh(u2, u6).AsUInt64().CopyTo(pixel[10..]);
        Sse2.UnpackLow(u3, u7).AsUInt64().CopyTo(pixel[12..]);
        Sse2.UnpackHigh(u3, u7).AsUInt64().CopyTo(pixel[14..]);
        ref byte to = ref Unsafe.As<sbyte, byte>(ref y);
        int total = valid * oc;
        for (int p = 0; p < valid; p++)
        {
            if (p * oc + 8 <= total) Unsafe.WriteUnaligned(ref Unsafe.Add(ref to, p * oc), pixel[p]);
            else
                for (int c = 0; c < oc; c++) Unsafe.Add(ref to, p * oc + c) = (byte)(pixel[p] >> (8 * c));
        }
    }
}
