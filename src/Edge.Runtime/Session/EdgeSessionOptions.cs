using Edge.Runtime.Kernels;

namespace Edge.Runtime.Session;

/// <summary>
/// Which kernel implementations a session runs: <see cref="Auto"/> or one <see cref="KernelPath"/> (same names and
/// values), which falls back to the widest path at most that wide that this machine accelerates.
/// </summary>
public enum KernelSelection
{
    /// <summary>The scalar reference kernels everywhere.</summary>
    Scalar = KernelPath.Scalar,

    /// <summary>The portable Vector128 kernels where an op has them (falls back to scalar where 128-bit SIMD is not accelerated).</summary>
    Vector128 = KernelPath.Vector128,

    /// <summary>ARM64 NEON kernels where an op has them, Vector128 elsewhere.</summary>
    AdvSimd = KernelPath.AdvSimd,

    /// <summary>ARM64 NEON + dot-product (<c>sdot</c>) kernels where an op has them.</summary>
    AdvSimdDp = KernelPath.AdvSimdDp,

    /// <summary>The AVX2 kernels where an op has them, Vector128 elsewhere (falls back to Vector128, then scalar, where AVX2 is absent).</summary>
    Avx2 = KernelPath.Avx2,

    /// <summary>AVX-VNNI kernels where an op has them, AVX2 below that.</summary>
    AvxVnni = KernelPath.AvxVnni,

    /// <summary>AVX-512 BW kernels where an op has them, the narrower x86 paths below that.</summary>
    Avx512BW = KernelPath.Avx512BW,

    /// <summary>The fastest path this machine accelerates (<see cref="KernelPaths.Best"/>).</summary>
    Auto = 100,
}

/// <summary>How <see cref="EdgeSession.Load(string, EdgeSessionOptions?)"/> reads and prepares a model.</summary>
public sealed record EdgeSessionOptions
{
    public KernelSelection Kernels { get; init; } = KernelSelection.Auto;

    /// <summary>
    /// Verify the file's SHA-256 before parsing it (default). Turning it off skips only the checksum: every structural and
    /// per-operator check still runs.
    /// </summary>
    public bool VerifyChecksum { get; init; } = true;

    /// <summary>
    /// The largest arena a model may ask for (default 1 GiB): a file whose tensors would need more is refused at load with
    /// an <see cref="Format.EdgeModelFormatException"/> instead of exhausting the device's memory.
    /// </summary>
    public long MaxArenaBytes { get; init; } = 1L << 30;

    /// <summary>The path <see cref="Kernels"/> resolves to on this machine.</summary>
    public KernelPath ResolvePath() => Kernels == KernelSelection.Auto ? KernelPaths.Best : KernelPaths.Supported((KernelPath)Kernels);
}
