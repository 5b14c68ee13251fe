using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;

namespace Edge.Runtime.Kernels.DepthwiseConv;

/// <summary>
/// The ARM64 NEON depthwise convolution (Cortex-A72, the Raspberry Pi 4, and later): the row window of DepthwiseRows.cs,
/// channels 16 per block, taps in pairs, the gemmlowp/ruy scheme on channel lanes.
/// <para>
/// Per pair of taps and 16 channels: <c>smull</c>/<c>smull2</c> multiply the int8 rows x₀ and w₀ into int16, and
/// <c>smlal</c>/<c>smlal2</c> add x₁·w₁: exact, because |x| ≤ 128 and |w| ≤ 127 (weights are never −128), so the pair sum is
/// at most 2·128·127 = 32512 &lt; 2^15. <c>saddw</c>/<c>saddw2</c> widen the sums onto the four int32 accumulators (wrapping,
/// as the contract's accumulator). Eight instructions per 32 multiply-adds, no zero-point subtraction (it is folded into the
/// bias, Int8DepthwiseConv2d.cs).
/// </para>
/// <para>
/// Output stage per four lanes: <see cref="Arithmetic.OutputStage"/>'s four-lane stage, which on ARM64 is
/// <c>smull</c>/<c>smull2</c>, the rounding added in int64 and <c>sshl</c> by −n (OutputStage.AdvSimd.cs).
/// </para>
/// </summary>
public sealed partial class Int8DepthwiseConv2d
{
    /// <summary>The ARM64 NEON path, bit-exact with <see cref="RunScalar"/>; the Vector128 path where AdvSimd is not supported.</summary>
    public static void RunAdvSimd(Int8DepthwiseConv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch)
    {
        Guard.Length(input.Length, op.Shape.InputLength, "input");
        Guard.Length(output.Length, op.Shape.OutputLength, "output");
        AdvSimdRows(op, input, output, scratch, 0, op.RowCount);
    }

    private static void AdvSimdRows(Int8DepthwiseConv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch, int begin, int end)
    {
        if (!AdvSimd.Arm64.IsSupported)
        {
            Vector128Rows(op, input, output, scratch, begin, end);
            return;
        }
        var rows = op.Rows;
        rows.Reset(scratch, op.InputZeroPoint);
        var s = op.Shape;
        int c = op.Channels, cs = op.BlockChannels, step = s.Window.StrideW * cs, taps = op.Taps;
        var stage = op.Output;
        ref byte window = ref MemoryMarshal.GetReference(scratch);
        ref sbyte w = ref MemoryMarshal.GetArrayDataReference(op.PaddedWeights);
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
                        var x0 = Vector128.LoadUnsafe(ref Unsafe.Add(ref window, Unsafe.Add(ref tap, t) + at)).AsSByte();
                        var x1 = Vector128.LoadUnsafe(ref Unsafe.Add(ref window, Unsafe.Add(ref tap, t + 1) + at)).AsSByte();
                        var w0 = Vector128.LoadUnsafe(ref w, (nuint)(t * cs + b));
                        var w1 = Vector128.LoadUnsafe(ref w, (nuint)((t + 1) * cs + b));
                        var pl = AdvSimd.MultiplyWideningLowerAndAdd(AdvSimd.MultiplyWideningLower(x0.GetLower(), w0.GetLower()), x1.GetLower(), w1.GetLower());
                        var ph = AdvSimd.MultiplyWideningUpperAndAdd(AdvSimd.MultiplyWideningUpper(x0, w0), x1, w1);
                        a0 = AdvSimd.AddWideningLower(a0, pl.GetLower());
                        a1 = AdvSimd.AddWideningUpper(a1, pl);
                        a2 = AdvSimd.AddWideningLower(a2, ph.GetLower());
                        a3 = AdvSimd.AddWideningUpper(a3, ph);
                    }
                    if (t < taps)
                    {
                        var x0 = Vector128.LoadUnsafe(ref Unsafe.Add(ref window, Unsafe.Add(ref tap, t) + at)).AsSByte();
                        var w0 = Vector128.LoadUnsafe(ref w, (nuint)(t * cs + b));
                        var pl = AdvSimd.MultiplyWideningLower(x0.GetLower(), w0.GetLower());
                        var ph = AdvSimd.MultiplyWideningUpper(x0, w0);
                        a0 = AdvSimd.AddWideningLower(a0, pl.GetLower());
                        a1 = AdvSimd.AddWideningUpper(a1, pl);
                        a2 = AdvSimd.AddWideningLower(a2, ph.GetLower());
                        a3 = AdvSimd.AddWideningUpper(a3, ph);
                    }
                    var q01 = Vector128.Narrow(stage.Apply(a0, b), b + 4 < c ? stage.Apply(a1, b + 4) : default);
                    var q23 = Vector128.Narrow(b + 8 < c ? stage.Apply(a2, b + 8) : default, b + 12 < c ? stage.Apply(a3, b + 12) : default);
                    var bytes = Vector128.Narrow(q01, q23);
                    var yp = y.Slice(ow * c);
                    if (b + Block <= c) bytes.StoreUnsafe(ref MemoryMarshal.GetReference(yp), (nuint)b);
                    else
                    {
                        bytes.StoreUnsafe(ref MemoryMarshal.GetReference(tail));
                        DepthwiseRows.StorePartial(tail, yp.Slice(b), c - b);
                    }
                }
        }
    }
}
