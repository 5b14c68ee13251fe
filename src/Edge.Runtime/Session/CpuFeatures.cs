using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ArmIsa = System.Runtime.Intrinsics.Arm;
using X86Isa = System.Runtime.Intrinsics.X86;

namespace Edge.Runtime.Session;

/// <summary>The instruction sets .NET reports for this process (after any <c>DOTNET_Enable*</c> switches), for reports and benchmarks.</summary>
public static class CpuFeatures
{
    public static Architecture Architecture => RuntimeInformation.ProcessArchitecture;

    /// <summary>The widest vector sizes the JIT accelerates.</summary>
    public static IReadOnlyList<string> VectorSizes { get; } = Accelerated();

    /// <summary>Names of the supported instruction sets, e.g. <c>Sse41, Avx2, Avx512BW, AvxVnni</c> or <c>AdvSimd, Dp</c>.</summary>
    public static IReadOnlyList<string> InstructionSets { get; } = Detect();

    /// <summary>One line: architecture, vector sizes and instruction sets.</summary>
    public static string Describe() => $"{Architecture}; vectors {string.Join("/", VectorSizes)}; {string.Join(", ", InstructionSets)}";

    private static string[] Accelerated()
    {
        var sizes = new List<string>();
        if (Vector128.IsHardwareAccelerated) sizes.Add("128");
        if (Vector256.IsHardwareAccelerated) sizes.Add("256");
        if (Vector512.IsHardwareAccelerated) sizes.Add("512");
        return sizes.Count == 0 ? ["none"] : [.. sizes];
    }

    private static string[] Detect()
    {
        var isas = new List<string>();
        void Add(bool supported, string name)
        {
            if (supported) isas.Add(name);
        }
        Add(X86Isa.Sse2.IsSupported, "Sse2");
        Add(X86Isa.Ssse3.IsSupported, "Ssse3");
        Add(X86Isa.Sse41.IsSupported, "Sse41");
        Add(X86Isa.Sse42.IsSupported, "Sse42");
        Add(X86Isa.Avx.IsSupported, "Avx");
        Add(X86Isa.Avx2.IsSupported, "Avx2");
        Add(X86Isa.Fma.IsSupported, "Fma");
        Add(X86Isa.Avx512F.IsSupported, "Avx512F");
        Add(X86Isa.Avx512BW.IsSupported, "Avx512BW");
        Add(X86Isa.Avx512Vbmi.IsSupported, "Avx512Vbmi");
        Add(X86Isa.AvxVnni.IsSupported, "AvxVnni");
        Add(X86Isa.Avx10v1.IsSupported, "Avx10v1");
        Add(ArmIsa.AdvSimd.IsSupported, "AdvSimd");
        Add(ArmIsa.AdvSimd.Arm64.IsSupported, "AdvSimd.Arm64");
        Add(ArmIsa.Dp.IsSupported, "Dp");
        Add(ArmIsa.Rdm.IsSupported, "Rdm");
        return [.. isas];
    }
}
