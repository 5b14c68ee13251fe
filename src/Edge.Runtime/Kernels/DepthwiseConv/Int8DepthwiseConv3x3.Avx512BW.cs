using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Edge.Runtime.Kernels.DepthwiseConv;

/// <summary>
/// The 3×3 depthwise filter on AVX-512 BW: as Int8DepthwiseConv3x3.Avx2.cs, the five pairs unrolled, each one 512-bit
/// <c>vpmaddwd</c> on 16 channels (Int8DepthwiseConv2d.Avx512BW.cs).
/// </summary>
public sealed partial class Int8DepthwiseConv2d
{
    private static void Conv3x3Avx512(Int8DepthwiseConv2d op, ref byte x, ref int tap, ref short w, Vector512<int> bias, int step, int b,
        Span<sbyte> y, Span<sbyte> tail)
    {
        nint t0 = Unsafe.Add(ref tap, 0), t1 = Unsafe.Add(ref tap, 1), t2 = Unsafe.Add(ref tap, 2);
        nint t3 = Unsafe.Add(ref tap, 3), t4 = Unsafe.Add(ref tap, 4), t5 = Unsafe.Add(ref tap, 5);
        nint t6 = Unsafe.Add(ref tap, 6), t7 = Unsafe.Add(ref tap, 7), t8 = Unsafe.Add(ref tap, 8);
        int c = op.Channels, outW = op.Shape.OutW;
        for (int ow = 0; ow < outW; ow++)
        {
            ref byte xp = ref Unsafe.Add(ref x, ow * step);
            var a = bias + PairAvx512(ref Unsafe.Add(ref xp, t0), ref Unsafe.Add(ref xp, t1), ref w);
            var a2 = PairAvx512(ref Unsafe.Add(ref xp, t2), ref Unsafe.Add(ref xp, t3), ref Unsafe.Add(ref w, 32));
            a += PairAvx512(ref Unsafe.Add(ref xp, t4), ref Unsafe.Add(ref xp, t5), ref Unsafe.Add(ref w, 64));
            a2 += PairAvx512(ref Unsafe.Add(ref xp, t6), ref Unsafe.Add(ref xp, t7), ref Unsafe.Add(ref w, 96));
            a += PairAvx512(ref Unsafe.Add(ref xp, t8), ref Unsafe.Add(ref xp, t8), ref Unsafe.Add(ref w, 128));
            StoreAvx512(op, a + a2, b, y.Slice(ow * c), tail);
        }
    }
}
