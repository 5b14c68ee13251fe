using Edge.Runtime.Kernels;
using Xunit;

namespace Edge.Runtime.Tests.Kernels;

public class KernelPathTests
{
    [Theory]
    [InlineData(KernelPath.Avx512BW, KernelPath.Avx2, KernelPath.Avx2)]
    [InlineData(KernelPath.AvxVnni, KernelPath.Avx2, KernelPath.Avx2)]
    [InlineData(KernelPath.Avx2, KernelPath.Avx512BW, KernelPath.Avx2)]
    [InlineData(KernelPath.Avx2, KernelPath.Vector128, KernelPath.Vector128)]
    [InlineData(KernelPath.AdvSimdDp, KernelPath.Avx2, KernelPath.Vector128)]
    [InlineData(KernelPath.AdvSimd, KernelPath.Avx512BW, KernelPath.Vector128)]
    [InlineData(KernelPath.AdvSimdDp, KernelPath.AdvSimd, KernelPath.AdvSimd)]
    [InlineData(KernelPath.AdvSimd, KernelPath.AdvSimdDp, KernelPath.AdvSimd)]
    [InlineData(KernelPath.Avx2, KernelPath.AdvSimdDp, KernelPath.Vector128)]
    [InlineData(KernelPath.Scalar, KernelPath.Avx2, KernelPath.Scalar)]
    [InlineData(KernelPath.Vector128, KernelPath.Avx2, KernelPath.Vector128)]
    [InlineData(KernelPath.Avx512BW, KernelPath.Scalar, KernelPath.Scalar)]
    public void AtMost_stays_in_the_family_or_drops_to_the_portable_level(KernelPath asked, KernelPath widest, KernelPath runs)
        => Assert.Equal(runs, KernelPaths.AtMost(asked, widest));

    [Fact]
    public void Supported_never_returns_a_path_of_the_other_family()
    {
        foreach (var p in Enum.GetValues<KernelPath>())
        {
            var s = KernelPaths.Supported(p);
            Assert.True(s <= p || s == KernelPath.Vector128 || s.IsArm64() || s.IsX86(), $"{p} -> {s}");
            if (OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64)
                Assert.False(s.IsArm64(), $"{p} -> {s} on x64");
        }
        Assert.Equal(KernelPath.Scalar, KernelPaths.Supported(KernelPath.Scalar));
    }

    [Fact]
    public void Kernels_without_a_vnni_version_run_the_best_managed_path_on_the_vnni_path()
    {
        Assert.Equal(KernelPaths.BestManaged, KernelPaths.BelowVnni(KernelPath.Avx512Vnni));
        Assert.Equal(KernelPath.Avx2, KernelPaths.BelowVnni(KernelPath.Avx2));
        Assert.Equal(KernelPaths.AtMost(KernelPaths.BestManaged, KernelPath.Avx512BW), KernelPaths.AtMost(KernelPath.Avx512Vnni, KernelPath.Avx512BW));
        Assert.Equal(KernelPath.Avx512Vnni, KernelPaths.AtMost(KernelPath.Avx512Vnni, KernelPath.Avx512Vnni));
        Assert.NotEqual(KernelPath.Avx512Vnni, KernelPaths.BestManaged);
        if (KernelPaths.Supported(KernelPath.Avx512Vnni) == KernelPath.Avx512Vnni) Assert.Equal(KernelPath.Avx512Vnni, KernelPaths.Best);
    }
}
