using Edge.Conformance;
using Edge.Conformance.Families;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Conv;

namespace Edge.Runtime.Tests.Kernels;

/// <summary>
/// The shipped conformance families of the GEMM engine (src/Edge.Conformance/Families: Int8GemmConformance,
/// Int8ConvConformance) on every kernel path this process offers — the same cases <c>edge selftest</c> runs on a device.
/// CI re-runs this category with AVX-512, AVX2 and all intrinsics switched off, so every x86 level is covered.
/// </summary>
[Trait("Category", "Conformance")]
public class GemmConformanceTests
{
    /// <summary>Every distinct path the engine resolves to on this machine (Scalar always among them).</summary>
    public static KernelPath[] MachinePaths => Enum.GetValues<KernelPath>().Select(Int8Conv2d.PathFor).Distinct().ToArray();

    public static TheoryData<KernelPath> Paths() => new(MachinePaths);

    [Theory]
    [MemberData(nameof(Paths))]
    public void Gemm_families(KernelPath path) => AssertAll(Int8GemmConformance.Cases(path, quick: false));

    [Theory]
    [MemberData(nameof(Paths))]
    public void Conv_families(KernelPath path) => AssertAll(Int8ConvConformance.Cases(path, quick: false));

    [Theory]
    [MemberData(nameof(Paths))]
    public void Quick_subsets_are_nonempty_and_pass(KernelPath path)
    {
        var gemm = Int8GemmConformance.Cases(path, quick: true).ToList();
        var conv = Int8ConvConformance.Cases(path, quick: true).ToList();
        Assert.True(gemm.Count >= 10 && conv.Count >= 10, $"quick subsets too small: {gemm.Count} GEMM, {conv.Count} conv cases");
        Assert.True(gemm.Count < Int8GemmConformance.Cases(path, quick: false).Count(), "the quick GEMM subset is not a subset");
        AssertAll(gemm.Concat(conv));
    }

    /// <summary>
    /// A broken kernel must fail: the cases compare against the reference, so feeding a case a perturbed reference
    /// output must be reported (here: the comparison itself, on a flipped byte, names the index and both values).
    /// </summary>
    [Fact]
    public void A_difference_is_reported_with_its_index_and_values()
    {
        sbyte[] a = [1, 2, 3, 4], b = [1, 2, 5, 4];
        Assert.Equal("first difference at index 2 (n 0, h 0, w 1, c 0): reference 3, actual 5", Compare.FirstDifference<sbyte>(a, b, Compare.Nhwc(1, 2, 2)));
    }

    private static void AssertAll(IEnumerable<ConformanceCase> cases)
    {
        var failures = new List<string>();
        int count = 0;
        foreach (var c in cases)
        {
            count++;
            if (c.Check() is { } difference) failures.Add($"{c}: {difference}");
        }
        Assert.True(count > 0, "no cases");
        Assert.True(failures.Count == 0, $"{failures.Count} of {count} cases differ:\n{string.Join("\n", failures.Take(20))}");
    }
}
