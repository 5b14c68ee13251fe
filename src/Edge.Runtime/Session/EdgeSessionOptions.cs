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

    /// <summary>AVX-512 VNNI (generated code, x86-64 Linux) for convolution, depthwise and fully connected; every other op as <see cref="Auto"/> would run it without them.</summary>
    Avx512Vnni = KernelPath.Avx512Vnni,

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

    /// <summary>
    /// Threads that run one <c>Run</c>, the calling thread included: 1 (the default) runs everything on the caller; N &gt; 1
    /// gives the session a pool of N − 1 worker threads of its own (released by <see cref="EdgeSession.Dispose"/>) that split
    /// each large operator by output rows; 0 means <see cref="AutoThreads"/>. Every thread count gives the same output
    /// bytes.
    /// <para>
    /// Why 1 by default: a session runs one inference at a time, and the documented way to use several cores is often one
    /// session per thread (batch evaluation, servers, parallel tests) — workers of their own in every session would then
    /// compete for the same cores, and their spinning between operators would cost more than it gives. Threads is the knob
    /// for one latency-critical session, such as the camera loop on a Raspberry Pi 4/5 (4 cores: <c>Threads = 4</c>, or 0).
    /// </para>
    /// </summary>
    public int Threads { get; init; } = 1;

    /// <summary><c>min(4, Environment.ProcessorCount)</c>: what <see cref="Threads"/> = 0 means (4: a Raspberry Pi's cores).</summary>
    public static int AutoThreads => Math.Clamp(Environment.ProcessorCount, 1, 4);

    /// <summary>The thread count <see cref="Threads"/> resolves to; throws for a negative count or one above 256.</summary>
    public int ResolveThreads()
    {
        if (Threads < 0 || Threads > 256)
            throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "threads must be 0 (auto) or 1..256");
        return Threads == 0 ? AutoThreads : Threads;
    }

    /// <summary>The path <see cref="Kernels"/> resolves to on this machine.</summary>
    public KernelPath ResolvePath() => Kernels == KernelSelection.Auto ? KernelPaths.Best : KernelPaths.Supported((KernelPath)Kernels);
}
