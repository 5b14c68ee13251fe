using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Edge.Runtime.Kernels.DepthwiseConv;

/// <summary>
/// The AVX2 depthwise convolution: the row window of DepthwiseRows.cs, channels 16 per block, taps in pairs through
/// <c>vpmaddwd</c>. 3×3 filters whose stride the pair layout fits (strides 1 and 2, DepthwisePairRows.cs) run on widened
/// pair rows instead (Int8DepthwiseConv3x3.Avx2.cs); every other filter walks its pairs of taps here in a loop.
/// <para>
/// Per pair of taps and 16 channels: the two 16-byte rows of x interleave bytewise (<c>punpcklbw</c>/<c>punpckhbw</c>:
/// <c>[x₀[c], x₁[c]]</c> for c = 0..7 and 8..15), sign-extend to int16 (<c>vpmovsxbw</c>), and <c>vpmaddwd</c> against the
/// packed pair weights <c>[w₀[c], w₁[c]]</c> gives <c>x₀·w₀ + x₁·w₁</c> per channel in int32, in channel order. Exact: each
/// product is at most 128·127 in magnitude, the pair sum at most 32512 (<c>vpmaddwd</c> overflows only for
/// (−32768)²·2), and the int32 accumulation onto the folded bias wraps as the contract's accumulator does.
/// </para>
/// </summary>
public sealed partial class Int8DepthwiseConv2d
{
    /// <summary>The AVX2 path, bit-exact with <see cref="RunScalar"/>; the Vector128 path when AVX2 is not supported.</summary>
    public static void RunAvx2(Int8DepthwiseConv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch)
    {
        Guard.Length(input.Length, op.Shape.InputLength, "input");
        Guard.Length(output.Length, op.Shape.OutputLength, "output");
        Avx2Rows(op, input, output, scratch, 0, op.RowCount);
    }

    private static void Avx2Rows(Int8DepthwiseConv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch, int begin, int end)
    {
        if (!Avx2.IsSupported)
        {
            Vector128Rows(op, input, output, scratch, begin, end);
            return;
        }
        if (op.PairRows is not null)
        {
            Pairs3x3Avx2Rows(op, input, output, scratch, begin, end);
            return;
        }
        var rows = op.Rows;
        rows.Reset(scratch, op.InputZeroPoint);
        var s = op.Shape;
        int c = op.Channels, cs = op.BlockChannels, step = s.Window.StrideW * cs, pairs = op.Pairs, taps = op.Taps;
        ref byte window = ref MemoryMarshal.GetReference(scratch);
        ref short pw = ref MemoryMarshal.GetArrayDataReference(op.PairWeights);
        ref int bias = ref MemoryMarshal.GetArrayDataReference(op.FoldedBias);
        Span<sbyte> tail = stackalloc sbyte[Block];
        for (int row = begin; row < end; row++)
        {
            ref int tap = ref MemoryMarshal.GetReference(rows.Prepare(input, scratch, row));
            var y = output.Slice(row * s.OutW * c, s.OutW * c);
            for (int b = 0; b < cs; b += Block)
            {
                ref short wb = ref Unsafe.Add(ref pw, b / Block * pairs * 2 * Block);
                var bias0 = Vector256.LoadUnsafe(ref bias, (nuint)b);
                var bias1 = Vector256.LoadUnsafe(ref bias, (nuint)b + 8);
                ref byte x = ref Unsafe.Add(ref window, b);
                for (int ow = 0; ow < s.OutW; ow++)
                {
                    ref byte xp = ref Unsafe.Add(ref x, ow * step);
                    var a0 = bias0;
                    var a1 = bias1;
                    for (int p = 0; p < pairs; p++)
                    {
                        int t0 = Unsafe.Add(ref tap, 2 * p);
                        int t1 = 2 * p + 1 < taps ? Unsafe.Add(ref tap, 2 * p + 1) : t0;
                        PairAvx2(ref Unsafe.Add(ref xp, t0), ref Unsafe.Add(ref xp, t1), ref Unsafe.Add(ref wb, p * 2 * Block), ref a0, ref a1);
                    }
                    StoreAvx2(op, a0, a1, b, y.Slice(ow * c), tail);
                }
            }
        }
    }

    /// <summary>One pair of taps on 16 channels: <c>a0 += x₀·w₀ + x₁·w₁</c> for channels 0..7, <c>a1</c> for 8..15.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PairAvx2(ref byte x0, ref byte x1, ref short w, ref Vector256<int> a0, ref Vector256<int> a1)
    {
        var v0 = Vector128.LoadUnsafe(ref x0);
        var v1 = Vector128.LoadUnsafe(ref x1);
        var lo = Avx2.ConvertToVector256Int16(Sse2.UnpackLow(v0, v1).AsSByte());
        var hi = Avx2.ConvertToVector256Int16(Sse2.UnpackHigh(v0, v1).AsSByte());
        a0 += Avx2.MultiplyAddAdjacent(lo, Vector256.LoadUnsafe(ref w));
        a1 += Avx2.MultiplyAddAdjacent(hi, Vector256.LoadUnsafe(ref w, 16));
    }

    /// <summary>
    /// The AVX2 output stage on channels [b, b + 16) of one pixel and the store (<paramref name="y"/> starts at the pixel);
    /// past the last channel, as <see cref="StoreVector128"/>: the stage reads its tables only for blocks starting below C.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreAvx2(Int8DepthwiseConv2d op, Vector256<int> a0, Vector256<int> a1, int b, Span<sbyte> y, Span<sbyte> tail)
    {
        int c = op.Channels;
        var stage = op.Avx2Stage;
        var q0 = stage.Apply(a0, b);
        var q1 = b + 8 < c ? stage.Apply(a1, b + 8) : default;
        // Lanes are in [−128, 127]: the two packs are exact; packs work per 128-bit half, so the halves interleave and one
        // permutation restores the order.
        var w16 = Avx2.PackSignedSaturate(q0, q1);                       // [q0 0-3, q1 0-3 | q0 4-7, q1 4-7]
        var w8 = Avx2.PackSignedSaturate(w16, w16);                      // [q0 0-3 q1 0-3 (twice) | q0 4-7 q1 4-7 (twice)]
        var bytes = Avx2.PermuteVar8x32(w8.AsInt32(), Vector256.Create(0, 4, 1, 5, 0, 0, 0, 0)).GetLower().AsSByte();
        if (b + Block <= c)
        {
            bytes.StoreUnsafe(ref MemoryMarshal.GetReference(y), (nuint)b);
            return;
        }
        bytes.StoreUnsafe(ref MemoryMarshal.GetReference(tail));
        DepthwiseRows.StorePartial(tail, y.Slice(b), c - b);
    }
}
