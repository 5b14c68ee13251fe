using System.Runtime.Intrinsics;
using ArmIsa = System.Runtime.Intrinsics.Arm;
using X86Isa = System.Runtime.Intrinsics.X86;

namespace Edge.Runtime.Kernels;

/// <summary>
/// Which implementation of a kernel runs. Two families share the portable levels: x86 (<see cref="Avx2"/> and wider) and
/// ARM64 (<see cref="AdvSimd"/>, <see cref="AdvSimdDp"/>); within a family the order is narrowest to widest. Every path
/// produces the same bits as <see cref="Scalar"/>, the reference. A path whose instructions the machine lacks falls back
/// to the next narrower one it has, down to the scalar reference, so any path may be asked for anywhere; a kernel with no
/// version for a path runs its widest version below it in the same family (<see cref="KernelPaths.AtMost"/>).
/// </summary>
public enum KernelPath
{
    /// <summary>The scalar reference: the contract (docs/int8-arithmetic.md) written out literally.</summary>
    Scalar = 0,

    /// <summary>Portable 128-bit SIMD (<see cref="System.Runtime.Intrinsics.Vector128"/>: SSE on x86, NEON on ARM64).</summary>
    Vector128 = 1,

    /// <summary>ARM64 NEON (<c>AdvSimd</c>): Cortex-A72 (Raspberry Pi 4) and later.</summary>
    AdvSimd = 2,

    /// <summary>ARM64 NEON with the dot-product extension (<c>Dp</c>, <c>sdot</c>): Cortex-A76 (Raspberry Pi 5) and later.</summary>
    AdvSimdDp = 3,

    /// <summary>x86 AVX2 (256-bit).</summary>
    Avx2 = 4,

    /// <summary>x86 AVX-VNNI (<c>vpdpbusd</c> on 256 bits), where .NET reports <c>AvxVnni</c>.</summary>
    AvxVnni = 5,

    /// <summary>x86 AVX-512 BW (512-bit byte and word instructions).</summary>
    Avx512BW = 6,

    /// <summary>
    /// x86 AVX-512 VNNI (<c>vpdpbusd</c> on 512 bits), which .NET 10 has no intrinsic for: the GEMM tiles behind
    /// convolution and fully connected run machine code made at startup (<c>VnniTileCode</c>, x86-64 Linux); every other
    /// kernel runs what <see cref="KernelPaths.Best"/> would choose without it (<see cref="KernelPaths.BelowVnni"/>).
    /// </summary>
    Avx512Vnni = 7,
}

/// <summary>The kernel paths this process can run.</summary>
public static class KernelPaths
{
    /// <summary>
    /// The fastest managed path (no generated code): what <see cref="Best"/> is without AVX-512 VNNI, and what the kernels
    /// with no VNNI version run on the <see cref="KernelPath.Avx512Vnni"/> path.
    /// </summary>
    public static KernelPath BestManaged { get; } = ChooseBestManaged();

    /// <summary>
    /// The fastest path available on this machine: the widest it accelerates, except that AMD cores before Zen 5
    /// (family 19h and older) run 512-bit instructions as two 256-bit halves, where the AVX-512BW kernels measured
    /// 0–15 % slower than AVX2 (bench/RESULTS.md), so <see cref="KernelPath.Avx2"/> is chosen there; and
    /// <see cref="KernelPath.Avx512Vnni"/> wherever the generated VNNI tiles run (the other kernels then run <see cref="BestManaged"/>).
    /// </summary>
    public static KernelPath Best { get; } = ChooseBest(); // after BestManaged: static initializers run in order

    private static KernelPath ChooseBest()
        => BestManaged.IsX86() && Supported(KernelPath.Avx512Vnni) == KernelPath.Avx512Vnni ? KernelPath.Avx512Vnni : BestManaged;

    private static KernelPath ChooseBestManaged()
    {
        var widest = Supported(KernelPath.Avx512BW);
        return widest == KernelPath.Avx512BW && SplitsAvx512() ? Supported(KernelPath.AvxVnni) : widest;
    }

    /// <summary>
    /// <paramref name="path"/> for a kernel with no AVX-512 VNNI version: <see cref="BestManaged"/> in place of
    /// <see cref="KernelPath.Avx512Vnni"/> (on AMD Zen 4 that is AVX2: its AVX-512 kernels measured slower), otherwise itself.
    /// </summary>
    public static KernelPath BelowVnni(KernelPath path) => path == KernelPath.Avx512Vnni ? BestManaged : path;

    /// <summary>True on AMD processors whose family (CPUID leaf 1) is at most 19h: Zen 4 and older double-pump 512-bit operations.</summary>
    private static bool SplitsAvx512()
    {
        if (!X86Isa.X86Base.IsSupported) return false;
        var (_, ebx, ecx, edx) = X86Isa.X86Base.CpuId(0, 0);
        bool amd = ebx == 0x68747541 && edx == 0x69746e65 && ecx == 0x444d4163; // "Auth" "enti" "cAMD"
        if (!amd) return false;
        int eax = X86Isa.X86Base.CpuId(1, 0).Eax;
        int family = ((eax >> 8) & 0xF) + (((eax >> 8) & 0xF) == 0xF ? (eax >> 20) & 0xFF : 0);
        return family <= 0x19;
    }

    /// <summary>True for the ARM64-only paths.</summary>
    public static bool IsArm64(this KernelPath path) => path is KernelPath.AdvSimd or KernelPath.AdvSimdDp;

    /// <summary>True for the x86-only paths.</summary>
    public static bool IsX86(this KernelPath path) => path >= KernelPath.Avx2;

    /// <summary>
    /// The widest path up to <paramref name="path"/> that this process accelerates. An x86 path asked for on ARM64 (or an
    /// ARM64 path on x86) means "the widest this machine has up to that width": the other family's best.
    /// </summary>
    public static KernelPath Supported(KernelPath path)
    {
        if (path == KernelPath.Scalar) return KernelPath.Scalar;
        if (path >= KernelPath.AdvSimd)
        {
            if (path >= KernelPath.Avx512Vnni && Gemm.VnniTileCode.IsSupported) return KernelPath.Avx512Vnni;
            if (path >= KernelPath.Avx512BW && X86Isa.Avx512BW.IsSupported) return KernelPath.Avx512BW;
            if (path >= KernelPath.AvxVnni && X86Isa.AvxVnni.IsSupported) return KernelPath.AvxVnni;
            if (path >= KernelPath.Avx2 && X86Isa.Avx2.IsSupported) return KernelPath.Avx2;
            if (path >= KernelPath.AdvSimdDp && ArmIsa.Dp.IsSupported && ArmIsa.AdvSimd.Arm64.IsSupported) return KernelPath.AdvSimdDp;
            if (ArmIsa.AdvSimd.Arm64.IsSupported) return KernelPath.AdvSimd;
        }
        return Vector128.IsHardwareAccelerated ? KernelPath.Vector128 : KernelPath.Scalar;
    }

    /// <summary>
    /// The path a kernel whose widest version is <paramref name="widest"/> runs when asked for <paramref name="path"/>:
    /// <paramref name="path"/> itself when it is at most <paramref name="widest"/> in the same family, otherwise
    /// <paramref name="widest"/> when both are of one family, otherwise the portable level below both.
    /// </summary>
    public static KernelPath AtMost(KernelPath path, KernelPath widest)
    {
        if (widest < KernelPath.Avx512Vnni) path = BelowVnni(path);
        if (path <= widest && !(path.IsArm64() && widest.IsX86())) return path;
        bool sameFamily = (path.IsArm64() && widest.IsArm64()) || (path.IsX86() && widest.IsX86());
        if (sameFamily || widest <= KernelPath.Vector128) return path < widest ? path : widest;
        return KernelPath.Vector128;
    }
}
