using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Edge.Runtime.Kernels;

/// <summary>Stores of the first n bytes of a 512-bit vector (AVX-512BW masked stores: nothing is written past them), and their masks.</summary>
internal static class MaskedStore
{
    private static readonly Vector512<sbyte> Ramp = Vector512.Create(
        (sbyte)0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
        32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63);

    /// <summary>The byte mask of the first <paramref name="count"/> (0–64) lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<sbyte> FirstMask(int count) => Vector512.LessThan(Ramp, Vector512.Create((sbyte)count));

    /// <summary>The first <paramref name="count"/> (0–64) bits set: a k-register mask of that many byte lanes.</summary>
    public static ulong FirstBits(int count) => count >= 64 ? ulong.MaxValue : (1UL << count) - 1;

    /// <summary>Bytes [0, <paramref name="count"/>) of <paramref name="v"/> to <paramref name="y"/>, 1 ≤ count ≤ 64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void First(sbyte* y, Vector512<sbyte> v, int count)
    {
        if (count == 64) v.Store(y);
        else Avx512BW.MaskStore(y, FirstMask(count), v);
    }
}
