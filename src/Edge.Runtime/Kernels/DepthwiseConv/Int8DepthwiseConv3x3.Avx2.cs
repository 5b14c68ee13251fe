using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Edge.Runtime.Kernels.DepthwiseConv;

/// <summary>
/// The 3×3 depthwise filter on AVX2 (MobileNet v1/v2's; strides 1 and 2, any dilation the pair layout fits) on the widened
/// pair rows of DepthwisePairRows.cs: per output pixel, 8 channels and kernel row, one 32-byte load of the pairs
/// <c>[x_kw0[c], x_kw1[c]]</c> straight into <c>vpmaddwd</c> against <c>[w0[c], w1[c]]</c>, and one of the pairs whose first half
/// is tap kw = 2 against <c>[w2[c], 0]</c>: six <c>vpmaddwd</c> per 8 channels, no shuffle in the pixel loop. Four pixels per
/// step share the six weight registers of a half block; their output stages run before any store and two pixels share
/// one pack. Without AVX-512 VL (16 ymm registers) a block's row runs in two passes instead (<see cref="TwoPassAvx2"/>):
/// the sums of every pixel to scratch, then the stage with its constants in registers. Exact as the AVX2 path (Int8DepthwiseConv2d.Avx2.cs): every int16 is a sign-extended int8, the pair sums
/// are at most 32512 in magnitude, and the int32 sums onto the folded bias wrap as the contract's accumulator does.
/// </summary>
public sealed partial class Int8DepthwiseConv2d
{
    private static void Pairs3x3Avx2Rows(Int8DepthwiseConv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch, int begin, int end)
    {
        var rows = op.PairRows!;
        rows.Reset(scratch);
        int c = op.Channels, outW = op.Shape.OutW;
        nint far = (nint)rows.Far * DepthwisePairRows.PositionBytes;
        ref byte window = ref MemoryMarshal.GetReference(scratch);
        ref short pw = ref MemoryMarshal.GetArrayDataReference(op.RowPairWeights);
        ref int bias = ref MemoryMarshal.GetArrayDataReference(op.FoldedBias);
        ref sbyte y = ref MemoryMarshal.GetReference(output);
        var shortStage = op.ShortStage!;
        ref int sums = ref Unsafe.As<byte, int>(ref Unsafe.Add(ref window, rows.SumsOffset));
        for (int row = begin; row < end; row++)
        {
            var (o0, o1, o2) = rows.Prepare(input, scratch, row);
            ref sbyte yr = ref Unsafe.Add(ref y, (nint)row * outW * c);
            for (int b = 0, at = 0; b < c; b += Block, at += rows.BlockStride)
            {
                ref byte r0 = ref Unsafe.Add(ref window, o0 + at), r1 = ref Unsafe.Add(ref window, o1 + at), r2 = ref Unsafe.Add(ref window, o2 + at);
                ref short w = ref Unsafe.Add(ref pw, b * 12);
                ref int bb = ref Unsafe.Add(ref bias, b);
                if (!shortStage.Fits[b / Block]) BlockAvx2<StageNarrow>(op, ref r0, ref r1, ref r2, far, ref w, ref bb, b, ref yr);
                else if (Avx512F.VL.IsSupported) BlockAvx2<ShortNarrow>(op, ref r0, ref r1, ref r2, far, ref w, ref bb, b, ref yr);
                else if (b + Block <= c) TwoPassAvx2<WholeBlock>(op, ref r0, ref r1, ref r2, far, ref w, ref bb, b, ref yr, ref sums);
                else TwoPassAvx2<PartialBlock>(op, ref r0, ref r1, ref r2, far, ref w, ref bb, b, ref yr, ref sums);
            }
        }
    }

    /// <summary>
    /// The last block of a C not a multiple of 16 stores through a call; its own instance keeps the call, and the vector
    /// registers it clobbers, out of the other blocks' pixel loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BlockAvx2<TNarrow>(Int8DepthwiseConv2d op, ref byte r0, ref byte r1, ref byte r2, nint far, ref short w, ref int bias, int b, ref sbyte y)
        where TNarrow : struct, INarrowPair<TNarrow>
    {
        if (b + Block <= op.Channels) Conv3x3PairsAvx2<TNarrow, WholeBlock>(op, ref r0, ref r1, ref r2, far, ref w, ref bias, b, ref y);
        else Conv3x3PairsAvx2<TNarrow, PartialBlock>(op, ref r0, ref r1, ref r2, far, ref w, ref bias, b, ref y);
    }

    /// <summary>
    /// One 16-channel block (from channel <paramref name="b"/>) of one output row; <paramref name="y"/> is the row's first
    /// byte. Not inlined: inlined into the row loop, the register pressure of both spills the stage's temporaries.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Conv3x3PairsAvx2<TNarrow, TStore>(Int8DepthwiseConv2d op, ref byte r0, ref byte r1, ref byte r2, nint far, ref short w, ref int bias, int b, ref sbyte y)
        where TNarrow : struct, INarrowPair<TNarrow> where TStore : struct, IBlockStore
    {
        int c = op.Channels, outW = op.Shape.OutW;
        var narrow = TNarrow.For(op, b);
        var bias0 = Vector256.LoadUnsafe(ref bias);
        var bias1 = Vector256.LoadUnsafe(ref bias, 8);
        int ow = 0;
        for (; ow + 4 <= outW; ow += 4)
        {
            nint at = (nint)ow * DepthwisePairRows.PositionBytes;
            Half4(ref r0, ref r1, ref r2, at, far, ref w, bias0, out var a0, out var a1, out var a2, out var a3);
            Half4(ref r0, ref r1, ref r2, at + 32, far, ref Unsafe.Add(ref w, 16), bias1, out var e0, out var e1, out var e2, out var e3);
            var v01 = narrow.Narrow(a0, e0, a1, e1);
            var v23 = narrow.Narrow(a2, e2, a3, e3);
            nint px = (nint)ow * c + b;
            TStore.Store(v01.GetLower(), ref y, px, c - b);
            TStore.Store(v01.GetUpper(), ref y, px + c, c - b);
            TStore.Store(v23.GetLower(), ref y, px + 2 * c, c - b);
            TStore.Store(v23.GetUpper(), ref y, px + 3 * c, c - b);
        }
        for (; ow < outW; ow++)
        {
            nint at = (nint)ow * DepthwisePairRows.PositionBytes;
            var a = Pixel(ref r0, ref r1, ref r2, at, far, ref w, bias0);
            var e = Pixel(ref r0, ref r1, ref r2, at + 32, far, ref Unsafe.Add(ref w, 16), bias1);
            var v = narrow.Narrow(a, e, a, e).GetLower();
            nint px = (nint)ow * c + b;
            TStore.Store(v, ref y, px, c - b);
        }
    }

    /// <summary>
    /// One 16-channel block of one output row on AVX2 without AVX-512 VL, in two passes: the sums of every pixel, half a
    /// block at a time (its six weight vectors, four pixels' sums and the loads fit the 16 ymm registers), into
    /// <paramref name="sums"/> (OutW × 16 int32 of scratch); then the short stage on them, its constants for the block held
    /// in registers across the row (<see cref="ShortNarrow"/>), two pixels per narrowing. In one pass the sums of four
    /// pixels and the stage's constants do not fit the registers, and the kernel spilled both in every step.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void TwoPassAvx2<TStore>(Int8DepthwiseConv2d op, ref byte r0, ref byte r1, ref byte r2, nint far, ref short w, ref int bias, int b,
        ref sbyte y, ref int sums) where TStore : struct, IBlockStore
    {
        int c = op.Channels, outW = op.Shape.OutW;
        SumsHalf(ref r0, ref r1, ref r2, 0, far, ref w, Vector256.LoadUnsafe(ref bias), outW, ref sums);
        SumsHalf(ref r0, ref r1, ref r2, 32, far, ref Unsafe.Add(ref w, 16), Vector256.LoadUnsafe(ref bias, 8), outW, ref Unsafe.Add(ref sums, 8));
        var narrow = ShortNarrow.For(op, b);
        int ow = 0;
        for (; ow + 2 <= outW; ow += 2)
        {
            ref int s = ref Unsafe.Add(ref sums, ow * Block);
            var v = narrow.Narrow(Vector256.LoadUnsafe(ref s), Vector256.LoadUnsafe(ref s, 8), Vector256.LoadUnsafe(ref s, 16), Vector256.LoadUnsafe(ref s, 24));
            nint px = (nint)ow * c + b;
            TStore.Store(v.GetLower(), ref y, px, c - b);
            TStore.Store(v.GetUpper(), ref y, px + c, c - b);
        }
        if (ow < outW)
        {
            ref int s = ref Unsafe.Add(ref sums, ow * Block);
            var a = Vector256.LoadUnsafe(ref s);
            var e = Vector256.LoadUnsafe(ref s, 8);
            TStore.Store(narrow.Narrow(a, e, a, e).GetLower(), ref y, (nint)ow * c + b, c - b);
        }
    }

    /// <summary>
    /// The sums of eight channels (the half block whose pairs start <paramref name="half"/> bytes into each position) of
    /// every output pixel of the row, onto <paramref name="bias"/>, to <c>sums + 16·ow</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SumsHalf(ref byte r0, ref byte r1, ref byte r2, nint half, nint far, ref short w, Vector256<int> bias, int outW, ref int sums)
    {
        HalfWeights(ref w, out var w00, out var w01, out var w10, out var w11, out var w20, out var w21);
        int ow = 0;
        for (; ow + 2 <= outW; ow += 2)
        {
            nint at = (nint)ow * DepthwisePairRows.PositionBytes + half;
            NineTaps(ref r0, ref r1, ref r2, at, far, w00, w01, w10, w11, w20, w21, bias).StoreUnsafe(ref sums, (nuint)(ow * Block));
            NineTaps(ref r0, ref r1, ref r2, at + DepthwisePairRows.PositionBytes, far, w00, w01, w10, w11, w20, w21, bias)
                .StoreUnsafe(ref sums, (nuint)(ow * Block + Block));
        }
        if (ow < outW)
            NineTaps(ref r0, ref r1, ref r2, (nint)ow * DepthwisePairRows.PositionBytes + half, far, w00, w01, w10, w11, w20, w21, bias)
                .StoreUnsafe(ref sums, (nuint)(ow * Block));
    }

    /// <summary>
    /// Eight channels of four adjacent output pixels: the six weight vectors of the half block (kernel row kh at
    /// <c>w + 64·kh</c> int16, its far pair 32 int16 on) held across the pixels, pixel i's pairs at <c>at + 64·i</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Half4(ref byte r0, ref byte r1, ref byte r2, nint at, nint far, ref short w, Vector256<int> bias,
        out Vector256<int> a0, out Vector256<int> a1, out Vector256<int> a2, out Vector256<int> a3)
    {
        HalfWeights(ref w, out var w00, out var w01, out var w10, out var w11, out var w20, out var w21);
        a0 = NineTaps(ref r0, ref r1, ref r2, at, far, w00, w01, w10, w11, w20, w21, bias);
        a1 = NineTaps(ref r0, ref r1, ref r2, at + 64, far, w00, w01, w10, w11, w20, w21, bias);
        a2 = NineTaps(ref r0, ref r1, ref r2, at + 128, far, w00, w01, w10, w11, w20, w21, bias);
        a3 = NineTaps(ref r0, ref r1, ref r2, at + 192, far, w00, w01, w10, w11, w20, w21, bias);
    }

    /// <summary>The six weight vectors of a half block: per kernel row kh its near pair at <c>w + 64·kh</c> int16 and its far pair 32 int16 on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void HalfWeights(ref short w, out Vector256<short> w00, out Vector256<short> w01, out Vector256<short> w10,
        out Vector256<short> w11, out Vector256<short> w20, out Vector256<short> w21)
    {
        w00 = Vector256.LoadUnsafe(ref w);
        w01 = Vector256.LoadUnsafe(ref w, 32);
        w10 = Vector256.LoadUnsafe(ref w, 64);
        w11 = Vector256.LoadUnsafe(ref w, 96);
        w20 = Vector256.LoadUnsafe(ref w, 128);
        w21 = Vector256.LoadUnsafe(ref w, 160);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Pixel(ref byte r0, ref byte r1, ref byte r2, nint at, nint far, ref short w, Vector256<int> bias)
    {
        HalfWeights(ref w, out var w00, out var w01, out var w10, out var w11, out var w20, out var w21);
        return NineTaps(ref r0, ref r1, ref r2, at, far, w00, w01, w10, w11, w20, w21, bias);
    }

    /// <summary>The nine taps of one pixel on 8 channels: per kernel row its near pair (kw 0, 1) and far pair (kw 2, weight-0 partner).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> NineTaps(ref byte r0, ref byte r1, ref byte r2, nint at, nint far,
        Vector256<short> w00, Vector256<short> w01, Vector256<short> w10, Vector256<short> w11, Vector256<short> w20, Vector256<short> w21, Vector256<int> bias)
    {
        // The pairs are the second operand: the JIT folds the load into vpmaddwd only there.
        var s0 = Avx2.MultiplyAddAdjacent(w00, Load16(ref r0, at)) + Avx2.MultiplyAddAdjacent(w01, Load16(ref r0, at + far));
        var s1 = Avx2.MultiplyAddAdjacent(w10, Load16(ref r1, at)) + Avx2.MultiplyAddAdjacent(w11, Load16(ref r1, at + far));
        var s2 = Avx2.MultiplyAddAdjacent(w20, Load16(ref r2, at)) + Avx2.MultiplyAddAdjacent(w21, Load16(ref r2, at + far));
        return (s0 + bias) + (s1 + s2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Load16(ref byte row, nint at) => Vector256.LoadUnsafe(ref Unsafe.Add(ref row, at)).AsInt16();

    /// <summary>
    /// The output stage on 16 channels of two pixels (<c>a0</c>, <c>a1</c>: channels 0..7 and 8..15 of the first, <c>b0</c>,
    /// <c>b1</c> of the second) and the narrowing: the first pixel's 16 bytes in the lower half, the second's in the upper.
    /// </summary>
    private interface INarrowPair<TSelf> where TSelf : struct, INarrowPair<TSelf>
    {
        /// <summary>The stage of the block from channel <paramref name="b"/>.</summary>
        static abstract TSelf For(Int8DepthwiseConv2d op, int b);

        Vector256<sbyte> Narrow(Vector256<int> a0, Vector256<int> a1, Vector256<int> b0, Vector256<int> b1);
    }

    /// <summary>
    /// <see cref="DepthwiseShortStage"/>'s constants of one block, in registers. The requantized int32 lanes narrow to int16
    /// with saturation before the clamp, which is exact: the clamp's bounds lie in [−255, 255], so saturating a value
    /// beyond int16 does not move it across a bound; the zero point is added in int16 after the clamp (the sums are in
    /// [−128, 127]), and the last pack to int8 is exact. Packs work per 128-bit half; one permutation restores the order.
    /// </summary>
    private readonly struct ShortNarrow(DepthwiseShortStage stage, int b) : INarrowPair<ShortNarrow>
    {
        private readonly Arithmetic.OutputStage.ShortLanes lower = stage.Load(b), upper = stage.Load(b + 8);
        private readonly Vector256<short> low = Vector256.Create((short)stage.Low), high = Vector256.Create((short)stage.High), zp = Vector256.Create((short)stage.ZeroPoint);

        public static ShortNarrow For(Int8DepthwiseConv2d op, int b) => new(op.ShortStage!, b);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<sbyte> Narrow(Vector256<int> a0, Vector256<int> a1, Vector256<int> b0, Vector256<int> b1)
        {
            var p = Avx2.PackSignedSaturate(lower.Requantize(a0), upper.Requantize(a1));      // [a 0-3, a 8-11 | a 4-7, a 12-15]
            var q = Avx2.PackSignedSaturate(lower.Requantize(b0), upper.Requantize(b1));
            p = Vector256.Min(Vector256.Max(p, low), high) + zp;
            q = Vector256.Min(Vector256.Max(q, low), high) + zp;
            var bytes = Avx2.PackSignedSaturate(p, q);                                          // dwords [a0-3 a8-11 b0-3 b8-11 | a4-7 a12-15 b4-7 b12-15]
            return Avx2.PermuteVar8x32(bytes.AsInt32(), Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7)).AsSByte();
        }
    }

    /// <summary>
    /// <see cref="Arithmetic.OutputStage"/>'s eight-lane stage, for blocks with a multiplier of 1/4 or more; past the last
    /// channel, as <see cref="StoreAvx2"/>, the stage reads its tables only for lanes starting below C.
    /// </summary>
    private readonly struct StageNarrow(Arithmetic.OutputStage stage, int b, int c) : INarrowPair<StageNarrow>
    {
        public static StageNarrow For(Int8DepthwiseConv2d op, int b) => new(op.Avx2Stage, b, op.Channels);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<sbyte> Narrow(Vector256<int> a0, Vector256<int> a1, Vector256<int> b0, Vector256<int> b1)
        {
            bool upper = b + 8 < c;
            var p = Avx2.PackSignedSaturate(stage.Apply(a0, b), upper ? stage.Apply(a1, b + 8) : default);
            var q = Avx2.PackSignedSaturate(stage.Apply(b0, b), upper ? stage.Apply(b1, b + 8) : default);
            var bytes = Avx2.PackSignedSaturate(p, q);
            return Avx2.PermuteVar8x32(bytes.AsInt32(), Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7)).AsSByte();
        }
    }

    /// <summary>The store of one pixel's 16 output bytes at <c>y + at</c>, <c>count</c> of which are channels.</summary>
    private interface IBlockStore
    {
        static abstract void Store(Vector128<sbyte> block, ref sbyte y, nint at, int count);
    }

    /// <summary>A block whose 16 channels all lie below C.</summary>
    private readonly struct WholeBlock : IBlockStore
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector128<sbyte> block, ref sbyte y, nint at, int count) => block.StoreUnsafe(ref y, (nuint)at);
    }

    /// <summary>The last block of a C not a multiple of 16: its first <c>count</c> bytes only.</summary>
    private readonly struct PartialBlock : IBlockStore
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector128<sbyte> block, ref sbyte y, nint at, int count) => StoreTail(block, ref Unsafe.Add(ref y, at), count);
    }

    /// <summary>The first <paramref name="count"/> bytes of a block computed past the last channel.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void StoreTail(Vector128<sbyte> block, ref sbyte destination, int count)
    {
        Span<sbyte> tail = stackalloc sbyte[Block];
        block.StoreUnsafe(ref MemoryMarshal.GetReference(tail));
        tail[..count].CopyTo(MemoryMarshal.CreateSpan(ref destination, count));
    }
}
