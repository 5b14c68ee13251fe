using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Edge.Runtime.Kernels.Pool;

/// <summary>
/// The wider blocks of the max pool's interior (Int8MaxPool.Vector128.cs, <c>FullWindows</c>): on the AVX2 path and above
/// (x86), layers of at least 32 channels reduce 32 channels per load (<c>vpmaxsb</c> on 256 bits), and on AVX-512BW at
/// least 64 per load; as in the 16-channel blocks a last block ends at C and overlaps the one before it (max is
/// idempotent). The border pixels, whose windows are clipped, keep the 16-channel blocks: a few per row.
/// </summary>
public sealed partial class Int8MaxPool
{
    /// <summary>Channels per interior load on <paramref name="path"/> for a layer of <paramref name="channels"/>: 64, 32 or 16.</summary>
    internal static int InteriorWidth(KernelPath path, int channels)
    {
        var p = KernelPaths.Supported(KernelPaths.BelowVnni(path));
        if (!p.IsX86()) return 16;
        if (p >= KernelPath.Avx512BW && channels >= 64 && Vector512.IsHardwareAccelerated) return 64;
        return p >= KernelPath.Avx2 && channels >= 32 && Vector256.IsHardwareAccelerated ? 32 : 16;
    }

    /// <summary>One interior pixel's <paramref name="channels"/> (≥ <paramref name="width"/>) in blocks of <paramref name="width"/> (32 or 64).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MaxTapsWide(ref sbyte x, ref sbyte y, nint first, nint yo, int channels, int width, ref nint off, int taps)
    {
        if (width == 64)
        {
            int c = 0;
            for (; c + 64 <= channels; c += 64) MaxTaps64(ref x, first + c, ref off, taps).StoreUnsafe(ref y, (nuint)(yo + c));
            if (c < channels) MaxTaps64(ref x, first + channels - 64, ref off, taps).StoreUnsafe(ref y, (nuint)(yo + channels - 64));
            return;
        }
        int d = 0;
        for (; d + 32 <= channels; d += 32) MaxTaps32(ref x, first + d, ref off, taps).StoreUnsafe(ref y, (nuint)(yo + d));
        if (d < channels) MaxTaps32(ref x, first + channels - 32, ref off, taps).StoreUnsafe(ref y, (nuint)(yo + channels - 32));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<sbyte> MaxTaps32(ref sbyte x, nint at, ref nint off, int taps)
    {
        var m = Vector256.LoadUnsafe(ref x, (nuint)(at + off));
        for (int k = 1; k < taps; k++) m = Vector256.Max(m, Vector256.LoadUnsafe(ref x, (nuint)(at + Unsafe.Add(ref off, k))));
        return m;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<sbyte> MaxTaps64(ref sbyte x, nint at, ref nint off, int taps)
    {
        var m = Vector512.LoadUnsafe(ref x, (nuint)(at + off));
        for (int k = 1; k < taps; k++) m = Vector512.Max(m, Vector512.LoadUnsafe(ref x, (nuint)(at + Unsafe.Add(ref off, k))));
        return m;
    }
}
