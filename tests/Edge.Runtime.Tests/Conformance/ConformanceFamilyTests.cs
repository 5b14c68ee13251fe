using Edge.Conformance;
using Edge.Conformance.Models;
using Edge.Runtime.Kernels;
using Edge.Tests.Shared;

namespace Edge.Runtime.Tests.Conformance;

/// <summary>
/// The shipped conformance cases (src/Edge.Conformance) under xunit: every registered kernel family and the shipped-model
/// family, in full, on every kernel path this process offers — the same cases <c>edge selftest</c> runs on a device. CI
/// re-runs this category with instruction sets turned off, and under qemu for ARM64.
/// </summary>
[Trait("Category", "Conformance")]
public class ConformanceFamilyTests
{
    private static IEnumerable<ConformanceFamily> Families
        => ConformanceFamilies.Kernels.Append(ShippedModelConformance.Family(FirmwareModels.Directory));

    /// <summary>Every (family, path) pair of this process.</summary>
    public static TheoryData<string, KernelPath> Lines()
    {
        var data = new TheoryData<string, KernelPath>();
        foreach (var f in Families)
            foreach (var p in ConformanceFamilies.PathsOfThisCpu()) data.Add(f.Name, p);
        return data;
    }

    [Theory]
    [MemberData(nameof(Lines))]
    public void Every_case_of_the_family_holds_on_the_path(string family, KernelPath path)
    {
        var f = Families.Single(x => x.Name == family);
        foreach (var line in ConformanceRunner.RunFamily(f, path, quick: false))
        {
            if (!line.Passed)
                Assert.Fail($"{line.Family}: {line.Failed} of {line.Cases} cases failed:\n" + string.Join("\n", line.Failures));
            Assert.True(line.Cases > 0, $"{line.Family}: no case ran");
        }
    }

    /// <summary>Each of the families this file's owner wrote has cases on the paths it has versions for.</summary>
    [Theory]
    [InlineData("OutputStage", KernelPath.Scalar)]
    [InlineData("OutputStage", KernelPath.Vector128)]
    [InlineData("Int8Lookup", KernelPath.Scalar)]
    [InlineData("Int8Rescale", KernelPath.Scalar)]
    [InlineData("Int8Concat", KernelPath.Scalar)]
    [InlineData("Int8Pad", KernelPath.Scalar)]
    [InlineData("Int8Softmax", KernelPath.Scalar)]
    [InlineData("Int8Lrn", KernelPath.Scalar)]
    public void The_family_is_registered_and_has_cases_quick_and_full(string family, KernelPath path)
    {
        var f = Assert.Single(ConformanceFamilies.Kernels, x => x.Name == family);
        int quick = f.Cases(path, true).Count(), full = f.Cases(path, false).Count();
        Assert.True(quick > 0 && full > quick, $"{family}/{path}: {quick} quick cases, {full} full");
        Assert.All(f.Cases(path, true), c => Assert.Equal($"{family}/{path}", c.Family));
    }

    [Fact]
    public void The_avx2_output_stage_has_cases_and_no_family_yields_cases_for_a_path_it_has_no_version_for()
    {
        var stage = ConformanceFamilies.Kernels.Single(x => x.Name == "OutputStage");
        Assert.NotEmpty(stage.Cases(KernelPath.Avx2, true));
        Assert.Empty(stage.Cases(KernelPath.Avx512BW, true));
        foreach (var name in new[] { "Int8Lookup", "Int8Rescale", "Int8Concat", "Int8Pad", "Int8Softmax", "Int8Lrn" })
            Assert.Empty(ConformanceFamilies.Kernels.Single(x => x.Name == name).Cases(KernelPath.Vector128, true));
    }

    [Fact]
    public void Every_shipped_edge_model_has_recorded_int8_outputs_of_every_golden_input()
    {
        var models = ShippedModelConformance.ShippedEdgeModels(FirmwareModels.Directory);
        Assert.Equal(FirmwareModels.All.Where(m => m.Edge is not null).Select(m => m.Name), models.Select(m => m.Name));
        foreach (var m in models)
        {
            var record = ShippedModelConformance.ReadRecord(Path.Combine(FirmwareModels.Directory, "golden", ShippedModelConformance.RecordName(m.Name)));
            Assert.Equal(32, record.Count);
            Assert.Equal(ShippedModelConformance.RecordCommand, record.Command);
            long bytes = new FileInfo(Path.Combine(FirmwareModels.Directory, "golden", record.File)).Length;
            Assert.Equal(record.Shape.Aggregate(1L, (a, d) => a * d), bytes);
        }
    }
}
