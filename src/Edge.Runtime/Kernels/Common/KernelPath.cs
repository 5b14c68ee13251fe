using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Edge.Runtime.Kernels;

/// <summary>
/// Which implementation of a kernel runs, from the narrowest to the widest. Every path produces the same bits as
/// <see cref="Scalar"/>, the reference. A path whose instructions the machine lacks falls back to the next narrower one
/// it has, down to the scalar reference, so any path may be asked for anywhere; a kernel with no version for a path runs
/// its widest version below it.
/// </summary>
public enum KernelPath
{
    /// <summary>The scalar reference: the contract (docs/int8-arithmetic.md) written out literally.</summary>
    Scalar,

    /// <summary>Portable 128-bit SIMD (<see cref="System.Runtime.Intrinsics.Vector128"/>: SSE on x86, NEON on ARM64).</summary>
    Vector128,

    /// <summary>
    /// x86 AVX2: 256-bit dot products (<c>vpmaddwd</c>) and output stage for convolution, depthwise convolution and GEMM;
    /// the Vector128 path for the other kernels.
    /// </summary>
    Avx2,
}

/// <summary>The kernel paths this process can run.</summary>
public static class KernelPaths
{
    /// <summary>
    /// The fastest path available: <see cref="KernelPath.Avx2"/> where AVX2 is supported, else <see cref="KernelPath.Vector128"/>
    /// when 128-bit SIMD is hardware accelerated, else the scalar reference.
    /// </summary>
    public static KernelPath Best => Supported(KernelPath.Avx2);

    /// <summary>The widest path up to <paramref name="path"/> that this process accelerates.</summary>
    public static KernelPath Supported(KernelPath path)
    {
        if (path >= KernelPath.Avx2 && Avx2.IsSupported) return KernelPath.Avx2;
        if (path >= KernelPath.Vector128 && Vector128.IsHardwareAccelerated) return KernelPath.Vector128;
        return KernelPath.Scalar;
    }

    /// <summary>The path a kernel whose widest version is <paramref name="widest"/> runs when asked for <paramref name="path"/>.</summary>
    public static KernelPath AtMost(KernelPath path, KernelPath widest) => path > widest ? widest : path;
}
