using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Edge.Runtime.Kernels.DepthwiseConv;

/// <summary>
/// The 3×3 depthwise filter on AVX-512 BW: the AVX2 3×3 path's widened pair rows (Int8DepthwiseConv3x3.Avx2.cs,
/// DepthwisePairRows.cs) with a whole 16-channel block per register — a pair position's 64 bytes are one 512-bit load
/// straight into <c>vpmaddwd</c>, six per pixel, the block's six pair weights held across the row — then the short output
/// stage (DepthwiseShortStage.cs) on 16 lanes and one truncating narrow (<c>vpmovdb</c>, exact: the values already lie in
/// [−128, 127]). Same exactness argument as the AVX2 path.
/// </summary>
public sealed partial class Int8DepthwiseConv2d
{
    private static void Pairs3x3Avx512Rows(Int8DepthwiseConv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch, int begin, int end)
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
        for (int row = begin; row < end; row++)
        {
            var (o0, o1, o2) = rows.Prepare(input, scratch, row);
            ref sbyte yr = ref Unsafe.Add(ref y, (nint)row * outW * c);
            for (int b = 0, at = 0; b < c; b += Block, at += rows.BlockStride)
            {
                ref byte r0 = ref Unsafe.Add(ref window, o0 + at), r1 = ref Unsafe.Add(ref window, o1 + at), r2 = ref Unsafe.Add(ref window, o2 + at);
                ref short w = ref Unsafe.Add(ref pw, b * 12);
                ref int bb = ref Unsafe.Add(ref bias, b);
                // The last block of a C not a multiple of 16 stores through a call; its own instance keeps the call, and
                // the vector registers it clobbers, out of the other blocks' pixel loop.
                bool whole = b + Block <= c;
                        if (shortStage.Fits[b / Block])
                {
                    if (whole) Conv3x3PairsAvx512<ShortNarrow16, WholeBlock>(op, ref r0, ref r1, ref r2, far, ref w, ref bb, b, ref yr);
                    else Conv3x3PairsAvx512<ShortNarrow16, PartialBlock>(op, ref r0, ref r1, ref r2, far, ref w, ref bb, b, ref yr);
                }
                else if (whole) Conv3x3PairsAvx512<StageNarrow16, WholeBlock>(op, ref r0, ref r1, ref r2, far, ref w, ref bb, b, ref yr);
                else Conv3x3PairsAvx512<StageNarrow16, PartialBlock>(op, ref r0, ref r1, ref r2, far, ref w, ref bb, b, ref yr);
            }
        }
    }

    /// <summary>One 16-channel block of one output row, four pixels per step; as <see cref="Conv3x3PairsAvx2{TNarrow, TStore}"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Conv3x3PairsAvx512<TNarrow, TStore>(Int8DepthwiseConv2d op, ref byte r0, ref byte r1, ref byte r2, nint far, ref short w, ref int bias, int b, ref sbyte y)
        where TNarrow : struct, INarrow16<TNarrow> where TStore : struct, IBlockStore
    {
        int c = op.Channels, outW = op.Shape.OutW;
        var narrow = TNarrow.For(op, b);
        var acc0 = Vector512.LoadUnsafe(ref bias);
        var w00 = Vector512.LoadUnsafe(ref w);
        var w01 = Vector512.LoadUnsafe(ref w, 32);
        var w10 = Vector512.LoadUnsafe(ref w, 64);
        var w11 = Vector512.LoadUnsafe(ref w, 96);
        var w20 = Vector512.LoadUnsafe(ref w, 128);
        var w21 = Vector512.LoadUnsafe(ref w, 160);
        int ow = 0;
        for (; ow + 4 <= outW; ow += 4)
        {
            nint at = (nint)ow * DepthwisePairRows.PositionBytes;
            var v0 = narrow.Narrow(NineTaps512(ref r0, ref r1, ref r2, at, far, w00, w01, w10, w11, w20, w21, acc0));
            var v1 = narrow.Narrow(NineTaps512(ref r0, ref r1, ref r2, at + 64, far, w00, w01, w10, w11, w20, w21, acc0));
            var v2 = narrow.Narrow(NineTaps512(ref r0, ref r1, ref r2, at + 128, far, w00, w01, w10, w11, w20, w21, acc0));
            var v3 = narrow.Narrow(NineTaps512(ref r0, ref r1, ref r2, at + 192, far, w00, w01, w10, w11, w20, w21, acc0));
            nint px = (nint)ow * c + b;
            TStore.Store(v0, ref y, px, c - b);
            TStore.Store(v1, ref y, px + c, c - b);
            TStore.Store(v2, ref y, px + 2 * c, c - b);
            TStore.Store(v3, ref y, px + 3 * c, c - b);
        }
        for (; ow < outW; ow++)
        {
            var v = narrow.Narrow(NineTaps512(ref r0, ref r1, ref r2, (nint)ow * DepthwisePairRows.PositionBytes, far, w00, w01, w10, w11, w20, w21, acc0));
            nint px = (nint)ow * c + b;
            TStore.Store(v, ref y, px, c - b);
        }
    }

    /// <summary>The nine taps of one pixel on 16 channels: per kernel row its near pair (kw 0, 1) and far pair (kw 2, weight-0 partner).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> NineTaps512(ref byte r0, ref byte r1, ref byte r2, nint at, nint far,
        Vector512<short> w00, Vector512<short> w01, Vector512<short> w10, Vector512<short> w11, Vector512<short> w20, Vector512<short> w21, Vector512<int> bias)
    {
        var s0 = Avx512BW.MultiplyAddAdjacent(Load32x16(ref r0, at), w00) + Avx512BW.MultiplyAddAdjacent(Load32x16(ref r0, at + far), w01);
        var s1 = Avx512BW.MultiplyAddAdjacent(Load32x16(ref r1, at), w10) + Avx512BW.MultiplyAddAdjacent(Load32x16(ref r1, at + far), w11);
        var s2 = Avx512BW.MultiplyAddAdjacent(Load32x16(ref r2, at), w20) + Avx512BW.MultiplyAddAdjacent(Load32x16(ref r2, at + far), w21);
        return (s0 + bias) + (s1 + s2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<short> Load32x16(ref byte row, nint at) => Vector512.LoadUnsafe(ref Unsafe.Add(ref row, at)).AsInt16();

    /// <summary>The output stage on one pixel's 16 channels and the narrowing to its 16 bytes.</summary>
    private interface INarrow16<TSelf> where TSelf : struct, INarrow16<TSelf>
    {
        /// <summary>The stage of the block from channel <paramref name="b"/>.</summary>
        static abstract TSelf For(Int8DepthwiseConv2d op, int b);

        Vector128<sbyte> Narrow(Vector512<int> acc);
    }

    /// <summary><see cref="DepthwiseShortStage"/>'s constants of one block on 16 lanes, in registers; the clamp in int32, then <c>vpmovdb</c>.</summary>
    private readonly struct ShortNarrow16(DepthwiseShortStage stage, int b) : INarrow16<ShortNarrow16>
    {
        private readonly Arithmetic.OutputStage.ShortLanes16 lanes = stage.Load16(b);
        private readonly Vector512<int> low = Vector512.Create(stage.Low), high = Vector512.Create(stage.High), zp = Vector512.Create(stage.ZeroPoint);

        public static ShortNarrow16 For(Int8DepthwiseConv2d op, int b) => new(op.ShortStage!, b);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector128<sbyte> Narrow(Vector512<int> acc)
            => Avx512F.ConvertToVector128SByte(Vector512.Min(Vector512.Max(lanes.Requantize(acc), low), high) + zp);
    }

    /// <summary><see cref="Arithmetic.OutputStage"/>'s eight-lane stage on both halves, for blocks with a multiplier of 1/4 or more (as <see cref="StoreAvx512"/>).</summary>
    private readonly struct StageNarrow16(Arithmetic.OutputStage stage, int b, int c) : INarrow16<StageNarrow16>
    {
        public static StageNarrow16 For(Int8DepthwiseConv2d op, int b) => new(op.Avx2Stage, b, op.Channels);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector128<sbyte> Narrow(Vector512<int> acc)
            => Avx512F.ConvertToVector128SByte(Vector512.Create(stage.Apply(acc.GetLower(), b), b + 8 < c ? stage.Apply(acc.GetUpper(), b + 8) : default));
    }
}
