using System.Text.Json;
using Edge.Cli.Commands;
using Edge.Conformance;
using Edge.Runtime.Kernels;
using Edge.Tests.Shared;

namespace Edge.Cli.Tests;

/// <summary>
/// <c>edge selftest</c> through the CLI: passes on this machine with a line per family, and fails loudly — exit code 1,
/// the failing case's parameters and first difference printed — when a kernel is broken (a family injected for the test
/// whose "vector path" adds 1 to one element, as a wrong SIMD kernel would).
/// </summary>
public class SelfTestCommandTests
{
    /// <summary>A deliberately broken kernel: the scalar "reference" doubles, the "vector" path gets element 5 wrong by one.</summary>
    private static ConformanceFamily BrokenKernel() => new("BrokenDouble", (path, quick) =>
    {
        if (path != KernelPath.Scalar) return [];
        return Enumerable.Range(0, 3).Select(seed => new ConformanceCase("BrokenDouble/Scalar", $"length 9, seed {seed}, zp -128", () =>
        {
            var rng = new Random(seed);
            var x = Enumerable.Range(0, 9).Select(_ => (sbyte)rng.Next(-64, 64)).ToArray();
            var reference = x.Select(v => (sbyte)(2 * v)).ToArray();
            var broken = x.Select((v, i) => (sbyte)(2 * v + (i == 5 ? 1 : 0))).ToArray();
            return Compare.FirstDifference<sbyte>(reference, broken);
        }));
    });

    [Fact]
    public void Quick_selftest_passes_here_with_a_line_per_family_and_path_and_the_shipped_models()
    {
        var (exit, stdout, stderr) = CliRunner.Run("selftest", "--quick", "--models", FirmwareModels.Directory);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("kernel paths: Scalar", stdout);
        foreach (var line in new[] { "OutputStage/Scalar", "Int8Lookup/Scalar", "Int8Lrn/Scalar", "ShippedModel/Scalar" })
            Assert.Matches($@"\n  {line} +\d+ cases +[\d.]+ s  ok", stdout);
        if (KernelPaths.Supported(KernelPath.Vector128) == KernelPath.Vector128) Assert.Contains("ShippedModel/Vector128", stdout);
        Assert.Matches(@"\nPASS: \d+ family lines, [\d,]+ cases bit-exact with the reference", stdout);
        Assert.Equal("", stderr);
    }

    [Fact]
    public void A_broken_kernel_fails_loudly_with_exit_code_1_and_every_parameter()
    {
        SelfTestCommand.InjectedFamilies.Value = [BrokenKernel()];
        var (exit, stdout, stderr) = CliRunner.Run("selftest", "--quick", "--family", "OutputStage", "--family", "BrokenDouble");
        SelfTestCommand.InjectedFamilies.Value = null;
        Assert.Equal(1, exit);
        Assert.Contains("BrokenDouble/Scalar", stdout);
        Assert.Contains("FAIL (3 of 3 failed)", stdout);
        Assert.Matches(@"length 9, seed 0, zp -128: first difference at index 5: reference -?\d+, actual -?\d+", stdout);
        Assert.Contains("length 9, seed 2, zp -128", stdout);
        Assert.Matches(@"\nFAIL: 1 of \d+ family lines, 3 of [\d,]+ cases failed", stdout);
        Assert.Matches(@"OutputStage/Scalar +\d+ cases +[\d.]+ s  ok", stdout); // the sound families still pass beside it
        Assert.StartsWith("edge: selftest failed: 3 of", stderr);
        Assert.Contains("BrokenDouble/Scalar", stderr);
    }

    [Fact]
    public void Json_report_has_the_verdict_the_paths_and_the_failures()
    {
        SelfTestCommand.InjectedFamilies.Value = [BrokenKernel()];
        var (exit, stdout, _) = CliRunner.Run("selftest", "--quick", "--json", "--family", "Int8Pad", "--family", "Broken");
        SelfTestCommand.InjectedFamilies.Value = null;
        Assert.Equal(1, exit);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.False(root.GetProperty("passed").GetBoolean());
        Assert.Equal(3, root.GetProperty("failed").GetInt32());
        Assert.Contains("Scalar", root.GetProperty("paths").EnumerateArray().Select(p => p.GetString()));
        var families = root.GetProperty("families").EnumerateArray().ToArray();
        Assert.Equal(["Int8Pad/Scalar", "BrokenDouble/Scalar"], families.Select(f => f.GetProperty("family").GetString()));
        Assert.True(families[0].GetProperty("passed").GetBoolean());
        var failure = families[1].GetProperty("failures")[0];
        Assert.Equal("length 9, seed 0, zp -128", failure.GetProperty("parameters").GetString());
        Assert.StartsWith("first difference at index 5", failure.GetProperty("difference").GetString());
    }

    [Fact]
    public void An_unknown_family_or_models_folder_is_a_user_error()
    {
        Assert.Contains("--family Nonesuch: no such family", CliRunner.AssertUserError(CliRunner.Run("selftest", "--family", "Nonesuch")));
        using var dir = new TempDir();
        Assert.Contains("no manifest.json", CliRunner.AssertUserError(CliRunner.Run("selftest", "--models", dir.Path)));
    }
}
