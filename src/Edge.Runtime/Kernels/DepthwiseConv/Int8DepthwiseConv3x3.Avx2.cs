using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Edge.Runtime.Kernels.DepthwiseConv;

/// <summary>
/// The 3×3 depthwise filter on AVX2 (MobileNet v1/v2's, any stride and dilation): one channel block of one output row,
/// the nine tap offsets held in registers and the five pairs of <see cref="Int8DepthwiseConv2d"/>'s AVX2 path unrolled
/// (taps 0+1, 2+3, 4+5, 6+7, and 8 with a zero weight). Arithmetic and exactness as in Int8DepthwiseConv2d.Avx2.cs.
/// </summary>
public sealed partial class Int8DepthwiseConv2d
{
    private static void Conv3x3Avx2(Int8DepthwiseConv2d op, ref byte x, ref int tap, ref short w, Vector256<int> bias0, Vector256<int> bias1,
        int step, int b, Span<sbyte> y, Span<sbyte> tail)
    {
        nint t0 = Unsafe.Add(ref tap, 0), t1 = Unsafe.Add(ref tap, 1), t2 = Unsafe.Add(ref tap, 2);
        nint t3 = Unsafe.Add(ref tap, 3), t4 = Unsafe.Add(ref tap, 4), t5 = Unsafe.Add(ref tap, 5);
        nint t6 = Unsafe.Add(ref tap, 6), t7 = Unsafe.Add(ref tap, 7), t8 = Unsafe.Add(ref tap, 8);
        int c = op.Channels, outW = op.Shape.OutW;
        for (int ow = 0; ow < outW; ow++)
        {
            ref byte xp = ref Unsafe.Add(ref x, ow * step);
            var a0 = bias0;
            var a1 = bias1;
            PairAvx2(ref Unsafe.Add(ref xp, t0), ref Unsafe.Add(ref xp, t1), ref w, ref a0, ref a1);
            PairAvx2(ref Unsafe.Add(ref xp, t2), ref Unsafe.Add(ref xp, t3), ref Unsafe.Add(ref w, 32), ref a0, ref a1);
            PairAvx2(ref Unsafe.Add(ref xp, t4), ref Unsafe.Add(ref xp, t5), ref Unsafe.Add(ref w, 64), ref a0, ref a1);
            PairAvx2(ref Unsafe.Add(ref xp, t6), ref Unsafe.Add(ref xp, t7), ref Unsafe.Add(ref w, 96), ref a0, ref a1);
            PairAvx2(ref Unsafe.Add(ref xp, t8), ref Unsafe.Add(ref xp, t8), ref Unsafe.Add(ref w, 128), ref a0, ref a1);
            StoreAvx2(op, a0, a1, b, y.Slice(ow * c), tail);
        }
    }
}
