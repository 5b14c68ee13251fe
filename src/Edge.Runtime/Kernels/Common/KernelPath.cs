using System.Runtime.Intrinsics;

namespace Edge.Runtime.Kernels;

/// <summary>
/// Which implementation of a kernel runs. Every path produces the same bits as <see cref="Scalar"/>, the reference.
/// A path whose instructions the machine lacks falls back to the scalar reference, so any path may be asked for anywhere.
/// </summary>
public enum KernelPath
{
    /// <summary>The scalar reference: the contract (docs/int8-arithmetic.md) written out literally.</summary>
    Scalar,

    /// <summary>Portable 128-bit SIMD (<see cref="System.Runtime.Intrinsics.Vector128"/>: SSE on x86, NEON on ARM64).</summary>
    Vector128,
}

/// <summary>The kernel paths this process can run.</summary>
public static class KernelPaths
{
    /// <summary>The fastest path available: <see cref="KernelPath.Vector128"/> when 128-bit SIMD is hardware accelerated.</summary>
    public static KernelPath Best => Vector128.IsHardwareAccelerated ? KernelPath.Vector128 : KernelPath.Scalar;
}
