using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Edge.Runtime.Kernels.DepthwiseConv;

/// <summary>
/// The Vector128 depthwise convolution (portable: SSE on x86, NEON on ARM64): per output row, the row window
/// (DepthwiseRows.cs) is brought up to date once, then each pixel computes its channels 16 at a time, two taps at a time.
/// <para>
/// Arithmetic per pair of taps: x (int8, zp_x folded into the bias) and w widen to int16, and
/// <c>x₀·w₀ + x₁·w₁</c> is exact in int16: |x| ≤ 128, |w| ≤ 127, so |sum| ≤ 2·128·127 = 32512 &lt; 2^15. The sum widens to
/// int32 and accumulates onto the folded bias (wrapping as the contract's accumulator does).
/// </para>
/// </summary>
public sealed partial class Int8DepthwiseConv2d
{
    /// <summary>The Vector128 path, bit-exact with <see cref="RunScalar"/>; the scalar reference when Vector128 is not accelerated.</summary>
    public static void RunVector128(Int8DepthwiseConv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch)
    {
        Guard.Length(input.Length, op.Shape.InputLength, "input");
        Guard.Length(output.Length, op.Shape.OutputLength, "output");
        Vector128Rows(op, input, output, scratch, 0, op.RowCount);
    }

    private static void Vector128Rows(Int8DepthwiseConv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch, int begin, int end)
    {
        if (!Vector128.IsHardwareAccelerated)
        {
            ScalarRows(op, input, output, begin, end);
            return;
        }
        var rows = op.Rows;
        rows.Reset(scratch, op.InputZeroPoint);
        var s = op.Shape;
        int c = op.Channels, cs = op.BlockChannels, step = s.Window.StrideW * cs, taps = op.Taps;
        ref byte window = ref MemoryMarshal.GetReference(scratch);
        ref short w = ref MemoryMarshal.GetArrayDataReference(op.PaddedWeights16);
        ref int bias = ref MemoryMarshal.GetArrayDataReference(op.FoldedBias);
        Span<sbyte> tail = stackalloc sbyte[Block];
        for (int row = begin; row < end; row++)
        {
            ref int tap = ref MemoryMarshal.GetReference(rows.Prepare(input, scratch, row));
            var y = output.Slice(row * s.OutW * c, s.OutW * c);
            for (int ow = 0; ow < s.OutW; ow++)
                for (int b = 0; b < cs; b += Block)
                {
                    nint at = ow * step + b;
                    var a0 = Vector128.LoadUnsafe(ref bias, (nuint)b);
                    var a1 = Vector128.LoadUnsafe(ref bias, (nuint)b + 4);
                    var a2 = Vector128.LoadUnsafe(ref bias, (nuint)b + 8);
                    var a3 = Vector128.LoadUnsafe(ref bias, (nuint)b + 12);
                    int t = 0;
                    for (; t + 1 < taps; t += 2)
                    {
                        var (x0l, x0h) = Vector128.Widen(Vector128.LoadUnsafe(ref Unsafe.Add(ref window, Unsafe.Add(ref tap, t) + at)).AsSByte());
                        var (x1l, x1h) = Vector128.Widen(Vector128.LoadUnsafe(ref Unsafe.Add(ref window, Unsafe.Add(ref tap, t + 1) + at)).AsSByte());
                        ref short w0 = ref Unsafe.Add(ref w, t * cs + b);
                        ref short w1 = ref Unsafe.Add(ref w0, cs);
                        var pl = x0l * Vector128.LoadUnsafe(ref w0) + x1l * Vector128.LoadUnsafe(ref w1);
                        var ph = x0h * Vector128.LoadUnsafe(ref w0, 8) + x1h * Vector128.LoadUnsafe(ref w1, 8);
                        Accumulate(pl, ph, ref a0, ref a1, ref a2, ref a3);
                    }
                    if (t < taps)
                    {
                        var (x0l, x0h) = Vector128.Widen(Vector128.LoadUnsafe(ref Unsafe.Add(ref window, Unsafe.Add(ref tap, t) + at)).AsSByte());
                        ref short w0 = ref Unsafe.Add(ref w, t * cs + b);
                        Accumulate(x0l * Vector128.LoadUnsafe(ref w0), x0h * Vector128.LoadUnsafe(ref w0, 8), ref a0, ref a1, ref a2, ref a3);
                    }
                    StoreVector128(op, a0, a1, a2, a3, b, y.Slice(ow * c), tail);
                }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(Vector128<short> pl, Vector128<short> ph, ref Vector128<int> a0, ref Vector128<int> a1, ref Vector128<int> a2, ref Vector128<int> a3)
    {
        var (p0, p1) = Vector128.Widen(pl);
        var (p2, p3) = Vector128.Widen(ph);
        a0 += p0;
        a1 += p1;
        a2 += p2;
        a3 += p3;
    }

    /// <summary>
    /// The output stage on channels [b, b + 16) of one pixel (<paramref name="y"/> starts at the pixel) and the store; past
    /// the last channel only the 4-lane groups that start below C are requantized (the stage's tables end there) and only
    /// the channels below C are written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreVector128(Int8DepthwiseConv2d op, Vector128<int> a0, Vector128<int> a1, Vector128<int> a2, Vector128<int> a3, int b, Span<sbyte> y, Span<sbyte> tail)
    {
        int c = op.Channels;
        var stage = op.Output;
        if (b + Block <= c)
        {
            var q01 = Vector128.Narrow(stage.Apply(a0, b), stage.Apply(a1, b + 4));
            var q23 = Vector128.Narrow(stage.Apply(a2, b + 8), stage.Apply(a3, b + 12));
            Vector128.Narrow(q01, q23).StoreUnsafe(ref MemoryMarshal.GetReference(y), (nuint)b);
            return;
        }
        var r0 = stage.Apply(a0, b);
        var r1 = b + 4 < c ? stage.Apply(a1, b + 4) : default;
        var r2 = b + 8 < c ? stage.Apply(a2, b + 8) : default;
        var r3 = b + 12 < c ? stage.Apply(a3, b + 12) : default;
        Vector128.Narrow(Vector128.Narrow(r0, r1), Vector128.Narrow(r2, r3)).StoreUnsafe(ref MemoryMarshal.GetReference(tail));
        DepthwiseRows.StorePartial(tail, y.Slice(b), c - b);
    }
}
