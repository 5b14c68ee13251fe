using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Edge.Runtime.Kernels.DepthwiseConv;

/// <summary>
/// The AVX-512 BW depthwise convolution: the AVX2 path's pairs of taps (Int8DepthwiseConv2d.Avx2.cs) with one
/// <c>vpmaddwd</c> on 512 bits per pair and 16 channels — the interleaved bytes of both halves join in one 256-bit register,
/// widen to 32 int16 (<c>vpmovsxbw</c> zmm) and meet the block's 32 pair weights — then the AVX2 paths' output stage
/// (OutputStage.Avx2.cs) on both halves and one truncating narrow (<c>vpmovdb</c>, exact: the values already lie
/// in [−128, 127]). Same exactness argument as the AVX2 path. 3×3 filters the pair layout fits run on the pair rows
/// instead (Int8DepthwiseConv3x3.Avx512BW.cs).
/// </summary>
public sealed partial class Int8DepthwiseConv2d
{
    /// <summary>The AVX-512 BW path, bit-exact with <see cref="RunScalar"/>; the AVX2 path when AVX-512 BW is not supported.</summary>
    public static void RunAvx512BW(Int8DepthwiseConv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch)
    {
        Guard.Length(input.Length, op.Shape.InputLength, "input");
        Guard.Length(output.Length, op.Shape.OutputLength, "output");
        Avx512Rows(op, input, output, scratch, 0, op.RowCount);
    }

    private static void Avx512Rows(Int8DepthwiseConv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch, int begin, int end)
    {
        if (!Avx512BW.IsSupported)
        {
            Avx2Rows(op, input, output, scratch, begin, end);
            return;
        }
        if (op.PairRows is not null)
        {
            Pairs3x3Avx512Rows(op, input, output, scratch, begin, end);
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
                var bias16 = Vector512.LoadUnsafe(ref bias, (nuint)b);
                ref byte x = ref Unsafe.Add(ref window, b);
                for (int ow = 0; ow < s.OutW; ow++)
                {
                    ref byte xp = ref Unsafe.Add(ref x, ow * step);
                    var a = bias16;
                    for (int p = 0; p < pairs; p++)
                    {
                        int t0 = Unsafe.Add(ref tap, 2 * p);
                        int t1 = 2 * p + 1 < taps ? Unsafe.Add(ref tap, 2 * p + 1) : t0;
                        a += PairAvx512(ref Unsafe.Add(ref xp, t0), ref Unsafe.Add(ref xp, t1), ref Unsafe.Add(ref wb, p * 2 * Block));
                    }
                    StoreAvx512(op, a, b, y.Slice(ow * c), tail);
                }
            }
        }
    }

    /// <summary>One pair of taps on 16 channels: <c>x₀·w₀ + x₁·w₁</c> per channel, in channel order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> PairAvx512(ref byte x0, ref byte x1, ref short w)
    {
        var v0 = Vector128.LoadUnsafe(ref x0);
        var v1 = Vector128.LoadUnsafe(ref x1);
        var pairs = Vector256.Create(Sse2.UnpackLow(v0, v1), Sse2.UnpackHigh(v0, v1)).AsSByte();
        return Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(pairs), Vector512.LoadUnsafe(ref w));
    }

    /// <summary>The 16-lane output stage on channels [b, b + 16) of one pixel and the store, as <see cref="StoreAvx2"/> does it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreAvx512(Int8DepthwiseConv2d op, Vector512<int> acc, int b, Span<sbyte> y, Span<sbyte> tail)
    {
        int c = op.Channels;
        var stage = op.Avx2Stage;
        var v = Vector512.Create(stage.Apply(acc.GetLower(), b), b + 8 < c ? stage.Apply(acc.GetUpper(), b + 8) : default);
        var bytes = Avx512F.ConvertToVector128SByte(v);
        if (b + Block <= c)
        {
            bytes.StoreUnsafe(ref MemoryMarshal.GetReference(y), (nuint)b);
            return;
        }
        bytes.StoreUnsafe(ref MemoryMarshal.GetReference(tail));
        DepthwiseRows.StorePartial(tail, y.Slice(b), c - b);
    }
}
