using Edge.Conformance;
using Edge.Conformance.Models;
using Edge.Runtime.Kernels;
using Edge.Tests.Shared;

namespace Edge.Runtime.Tests.Conformance;

/// <summary>The runner reports every failure with its parameters, survives throwing cases, and the shipped-model family catches altered files.</summary>
public class ConformanceRunnerTests
{
    private static ConformanceFamily Family(string name, params ConformanceCase[] cases) => new(name, (path, _) => path == KernelPath.Scalar ? cases : []);

    [Fact]
    public void A_mismatch_and_a_throwing_case_are_failures_with_their_parameters_and_the_run_goes_on()
    {
        var family = Family("Broken",
            new ConformanceCase("Broken/Scalar", "n 3, seed 1", () => null),
            new ConformanceCase("Broken/Scalar", "n 5, seed 2", () => Compare.FirstDifference<sbyte>([1, 2, 3], [1, 2, 4])),
            new ConformanceCase("Broken/Scalar", "n 7, seed 3", () => throw new IndexOutOfRangeException("past the end")));
        var report = ConformanceRunner.Run([family, Family("Fine", new ConformanceCase("Fine/Scalar", "x", () => null))], [KernelPath.Scalar], quick: true);
        Assert.False(report.Passed);
        Assert.Equal(4, report.Cases);
        Assert.Equal(2, report.Failed);
        var broken = report.Families[0];
        Assert.Equal(("Broken/Scalar", 3, 2), (broken.Family, broken.Cases, broken.Failed));
        Assert.Equal("n 5, seed 2", broken.Failures[0].Parameters);
        Assert.Contains("index 2: reference 3, actual 4", broken.Failures[0].Difference);
        Assert.Contains("threw IndexOutOfRangeException: past the end", broken.Failures[1].Difference);
        Assert.True(report.Families[1].Passed);
    }

    [Fact]
    public void Every_failure_is_counted_and_the_first_ten_are_kept()
    {
        var cases = Enumerable.Range(0, 25).Select(i => new ConformanceCase("Many/Scalar", $"case {i}", () => "differs")).ToArray();
        var line = Assert.Single(ConformanceRunner.RunFamily(Family("Many", cases), KernelPath.Scalar, quick: false));
        Assert.Equal(25, line.Failed);
        Assert.Equal(ConformanceRunner.MaxFailuresKept, line.Failures.Count);
        Assert.Equal("case 0", line.Failures[0].Parameters);
    }

    [Fact]
    public void A_family_whose_cases_cannot_be_made_fails_and_a_run_without_cases_does_not_pass()
    {
        static IEnumerable<ConformanceCase> Throwing(KernelPath path, bool quick)
        {
            yield return new ConformanceCase("Bad/Scalar", "first", () => null);
            throw new ArgumentException("channels must be positive");
        }
        var line = Assert.Single(ConformanceRunner.RunFamily(new ConformanceFamily("Bad", Throwing), KernelPath.Scalar, false));
        Assert.Equal((1, 1), (line.Cases, line.Failed));
        Assert.Contains("channels must be positive", line.Failures[0].Difference);
        Assert.False(ConformanceRunner.Run([Family("Empty")], [KernelPath.Scalar], true).Passed);
    }

    [Fact]
    public void The_registry_lists_its_families_by_name_with_the_suffix_dropped()
    {
        Assert.NotEmpty(ConformanceFamilies.Kernels);
        Assert.All(ConformanceFamilies.Kernels, f => Assert.False(string.IsNullOrEmpty(f.Name) || f.Name.EndsWith("Conformance", StringComparison.Ordinal)));
        Assert.Equal(ConformanceFamilies.Kernels.Select(f => f.Name).Order(StringComparer.Ordinal), ConformanceFamilies.Kernels.Select(f => f.Name));
    }

    [Fact]
    public void The_shipped_model_family_names_the_input_and_element_of_a_changed_output_and_a_changed_edge_file()
    {
        using var copy = new FolderCopy(FirmwareModels.Directory);
        var record = ShippedModelConformance.ReadRecord(Path.Combine(copy.Path, "golden", ShippedModelConformance.RecordName("lenet5-fashion")));
        string bytesPath = Path.Combine(copy.Path, "golden", record.File);
        var bytes = File.ReadAllBytes(bytesPath);
        bytes[2 * 10 + 7] ^= 1; // golden input 2, logit 7
        File.WriteAllBytes(bytesPath, bytes);
        var edge = File.ReadAllBytes(Path.Combine(copy.Path, "mobilenet-fashion.edge"));
        edge[^1] ^= 1;
        File.WriteAllBytes(Path.Combine(copy.Path, "mobilenet-fashion.edge"), edge);

        var line = Assert.Single(ConformanceRunner.RunFamily(ShippedModelConformance.Family(copy.Path), KernelPath.Scalar, quick: true));
        Assert.Equal((3, 2), (line.Cases, line.Failed));
        Assert.StartsWith("lenet5-fashion", line.Failures[0].Parameters);
        Assert.Contains("golden input 2, element 7 of 'logits.int8'", line.Failures[0].Difference);
        Assert.StartsWith("mobilenet-fashion", line.Failures[1].Parameters);
        Assert.Contains("re-record with 'edge selftest --record'", line.Failures[1].Difference);
    }

    [Fact]
    public void Recording_again_writes_the_committed_bytes()
    {
        using var copy = new FolderCopy(FirmwareModels.Directory);
        var written = ShippedModelConformance.Record(copy.Path, ConformanceFamilies.PathsOfThisCpu());
        Assert.Equal(3, written.Count);
        foreach (var (record, path) in written)
        {
            string name = Path.GetFileName(path);
            Assert.Equal(File.ReadAllBytes(Path.Combine(FirmwareModels.Directory, "golden", name)), File.ReadAllBytes(path));
            Assert.Equal(File.ReadAllBytes(Path.Combine(FirmwareModels.Directory, "golden", record.File)), File.ReadAllBytes(Path.Combine(copy.Path, "golden", record.File)));
        }
    }

    /// <summary>The manifest, the .edge files and golden/ of firmware-models in a temporary folder, removed after the test.</summary>
    private sealed class FolderCopy : IDisposable
    {
        public FolderCopy(string source)
        {
            Directory.CreateDirectory(System.IO.Path.Combine(Path, "golden"));
            File.Copy(System.IO.Path.Combine(source, "manifest.json"), System.IO.Path.Combine(Path, "manifest.json"));
            foreach (var f in Directory.GetFiles(source, "*.edge")) File.Copy(f, System.IO.Path.Combine(Path, System.IO.Path.GetFileName(f)));
            foreach (var f in Directory.GetFiles(System.IO.Path.Combine(source, "golden")).Where(f => !f.EndsWith(".gz", StringComparison.Ordinal)))
                File.Copy(f, System.IO.Path.Combine(Path, "golden", System.IO.Path.GetFileName(f)));
        }

        public string Path { get; } = Directory.CreateTempSubdirectory("edge-conformance").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
