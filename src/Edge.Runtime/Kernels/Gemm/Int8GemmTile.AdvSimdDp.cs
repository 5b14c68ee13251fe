using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;

namespace Edge.Runtime.Kernels.Gemm;

/// <summary>
/// The ARM64 dot-product tiles (Cortex-A76 and later, Raspberry Pi 5): 4 rows × 16 channels in sixteen accumulators, and
/// the one-row twin. A panel quad is four vectors of 4 channels × 4 k; <c>sdot</c> multiplies each by the row's broadcast
/// quad and adds the four int8 products of each channel into its int32 lane — exact products, sums wrapping modulo 2^32.
/// </summary>
internal static partial class Int8GemmTile
{
    private static void AdvSimdDpRows4(ref sbyte a, nint lda, ref sbyte b, int quads, ref int tile)
    {
        Vector128<int> c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default;
        Vector128<int> c20 = default, c21 = default, c22 = default, c23 = default, c30 = default, c31 = default, c32 = default, c33 = default;
        ref sbyte a1 = ref Unsafe.Add(ref a, lda);
        ref sbyte a2 = ref Unsafe.Add(ref a1, lda);
        ref sbyte a3 = ref Unsafe.Add(ref a2, lda);
        for (nint q = 0; q < quads; q++)
        {
            nuint o = (nuint)(q * GemmPanels.QuadBytes);
            var b0 = Vector128.LoadUnsafe(ref b, o);
            var b1 = Vector128.LoadUnsafe(ref b, o + 16);
            var b2 = Vector128.LoadUnsafe(ref b, o + 32);
            var b3 = Vector128.LoadUnsafe(ref b, o + 48);
            var x = Vector128.Create(Quad(ref a, q)).AsSByte();
            c00 = Dp.DotProduct(c00, b0, x);
            c01 = Dp.DotProduct(c01, b1, x);
            c02 = Dp.DotProduct(c02, b2, x);
            c03 = Dp.DotProduct(c03, b3, x);
            x = Vector128.Create(Quad(ref a1, q)).AsSByte();
            c10 = Dp.DotProduct(c10, b0, x);
            c11 = Dp.DotProduct(c11, b1, x);
            c12 = Dp.DotProduct(c12, b2, x);
            c13 = Dp.DotProduct(c13, b3, x);
            x = Vector128.Create(Quad(ref a2, q)).AsSByte();
            c20 = Dp.DotProduct(c20, b0, x);
            c21 = Dp.DotProduct(c21, b1, x);
            c22 = Dp.DotProduct(c22, b2, x);
            c23 = Dp.DotProduct(c23, b3, x);
            x = Vector128.Create(Quad(ref a3, q)).AsSByte();
            c30 = Dp.DotProduct(c30, b0, x);
            c31 = Dp.DotProduct(c31, b1, x);
            c32 = Dp.DotProduct(c32, b2, x);
            c33 = Dp.DotProduct(c33, b3, x);
        }
        c00.StoreUnsafe(ref tile, 0);
        c01.StoreUnsafe(ref tile, 4);
        c02.StoreUnsafe(ref tile, 8);
        c03.StoreUnsafe(ref tile, 12);
        c10.StoreUnsafe(ref tile, 16);
        c11.StoreUnsafe(ref tile, 20);
        c12.StoreUnsafe(ref tile, 24);
        c13.StoreUnsafe(ref tile, 28);
        c20.StoreUnsafe(ref tile, 32);
        c21.StoreUnsafe(ref tile, 36);
        c22.StoreUnsafe(ref tile, 40);
        c23.StoreUnsafe(ref tile, 44);
        c30.StoreUnsafe(ref tile, 48);
        c31.StoreUnsafe(ref tile, 52);
        c32.StoreUnsafe(ref tile, 56);
        c33.StoreUnsafe(ref tile, 60);
    }

    private static void AdvSimdDpRows1(ref sbyte a, ref sbyte b, int quads, ref int tile)
    {
        Vector128<int> c0 = default, c1 = default, c2 = default, c3 = default;
        for (nint q = 0; q < quads; q++)
        {
            nuint o = (nuint)(q * GemmPanels.QuadBytes);
            var x = Vector128.Create(Quad(ref a, q)).AsSByte();
            c0 = Dp.DotProduct(c0, Vector128.LoadUnsafe(ref b, o), x);
            c1 = Dp.DotProduct(c1, Vector128.LoadUnsafe(ref b, o + 16), x);
            c2 = Dp.DotProduct(c2, Vector128.LoadUnsafe(ref b, o + 32), x);
            c3 = Dp.DotProduct(c3, Vector128.LoadUnsafe(ref b, o + 48), x);
        }
        c0.StoreUnsafe(ref tile, 0);
        c1.StoreUnsafe(ref tile, 4);
        c2.StoreUnsafe(ref tile, 8);
        c3.StoreUnsafe(ref tile, 12);
    }
}
