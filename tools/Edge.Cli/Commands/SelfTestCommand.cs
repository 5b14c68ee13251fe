using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Edge.Cli.Output;
using Edge.Conformance;
using Edge.Conformance.Models;
using Edge.Runtime.Kernels;

namespace Edge.Cli.Commands;

/// <summary>
/// <c>edge selftest [--quick] [--json] [--models DIR] [--family NAME] [--record]</c>, the on-device conformance check:
/// every kernel case family of Edge.Conformance on every kernel path this CPU offers against the scalar reference, and
/// the shipped <c>.edge</c> models on their golden inputs against their recorded int8 outputs (firmware-models/golden).
/// One line per family and path, then the verdict. Exit code 0 when every case holds; 1 on any mismatch, with every
/// failing case's parameters and first difference printed (a kernel that disagrees with the reference is a bug in Edge);
/// 2 for a usage mistake. <c>--record</c> writes the shipped models' int8 outputs instead, after checking that every path
/// gives the same bytes.
/// </summary>
public static class SelfTestCommand
{
    /// <summary>The exit code of a run with a mismatch (the CLI's "internal error": a kernel disagreeing with the reference is a bug).</summary>
    public const int Mismatch = EdgeCli.InternalError;

    /// <summary>
    /// Families run after the registered ones, for tests that show a broken kernel failing loudly through the CLI. Async-local,
    /// so a test's injection is seen only by the commands that test runs.
    /// </summary>
    internal static readonly AsyncLocal<IReadOnlyList<ConformanceFamily>?> InjectedFamilies = new();

    public static Command Create(CliIO io)
    {
        var quick = new Option<bool>("--quick") { Description = "A few seconds' worth of cases per family (and 4 golden inputs per model) instead of the full set." };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var models = new Option<string?>("--models") { Description = "The firmware-models folder (default: found above the working directory or the program)." };
        var family = new Option<string[]>("--family") { Description = "Run only the families whose name starts with NAME (repeatable), e.g. Int8Gemm, ShippedModel.", AllowMultipleArgumentsPerToken = false };
        var record = new Option<bool>("--record") { Description = $"Write the shipped models' int8 outputs into firmware-models/golden (after checking every path gives the same bytes), instead of checking them." };
        var command = new Command("selftest", "Check every kernel path of this CPU against the scalar reference, and the shipped models against their recorded outputs.")
        {
            quick, json, models, family, record,
        };
        command.SetAction(parse =>
        {
            string? modelsOption = parse.GetValue(models);
            string? dir = ShippedModelConformance.Locate(modelsOption);
            if (modelsOption is not null && dir is null) throw new CliUsageException($"--models {modelsOption}: no manifest.json in this folder");
            var paths = ConformanceFamilies.PathsOfThisCpu();
            if (parse.GetValue(record)) return Record(io, dir, paths);

            var families = new List<ConformanceFamily>(ConformanceFamilies.Kernels);
            if (dir is not null) families.Add(ShippedModelConformance.Family(dir));
            if (InjectedFamilies.Value is { } injected) families.AddRange(injected);
            var names = parse.GetValue(family) ?? [];
            if (names.Length > 0)
            {
                families = [.. families.Where(f => names.Any(n => f.Name.StartsWith(n, StringComparison.OrdinalIgnoreCase)))];
                if (families.Count == 0) throw new CliUsageException($"--family {string.Join(", ", names)}: no such family; the families are {string.Join(", ", AllNames(dir))}");
            }
            bool asJson = parse.GetValue(json), isQuick = parse.GetValue(quick);
            bool shippedChecked = dir is not null && families.Any(f => f.Name == "ShippedModel");
            if (!asJson)
            {
                io.Out.WriteLine($"edge selftest{(isQuick ? " --quick" : "")}: {Runtime.Session.CpuFeatures.Describe()}");
                io.Out.WriteLine($"kernel paths: {string.Join(", ", paths)}");
                io.Out.WriteLine(dir is null
                    ? "shipped models: not checked (no firmware-models folder above the working directory or the program; pass --models DIR)"
                    : $"shipped models: {dir}");
            }
            var report = ConformanceRunner.Run(families, paths, isQuick, asJson ? null : line => WriteLine(io, line));
            if (asJson) io.Out.WriteLine(JsonSerializer.Serialize(ToJson(report, shippedChecked ? dir : null), JsonDefaults.Indented));
            else WriteVerdict(io, report, shippedChecked);
            if (report.Passed) return EdgeCli.Ok;
            io.Err.WriteLine(report.Cases == 0
                ? "edge: selftest ran no case"
                : $"edge: selftest failed: {report.Failed} of {report.Cases} cases in {string.Join(", ", report.Families.Where(f => !f.Passed).Select(f => f.Family))}");
            return Mismatch;
        });
        return command;
    }

    private static IEnumerable<string> AllNames(string? dir)
        => ConformanceFamilies.Kernels.Select(f => f.Name).Concat(dir is null ? [] : ["ShippedModel"]);

    private static int Record(CliIO io, string? dir, IReadOnlyList<KernelPath> paths)
    {
        if (dir is null) throw new CliUsageException("--record: no firmware-models folder above the working directory; pass --models DIR");
        IReadOnlyList<(RecordedOutputs Record, string Path)> written;
        try
        {
            written = ShippedModelConformance.Record(dir, paths);
        }
        catch (InvalidOperationException e)
        {
            io.Err.WriteLine($"edge: selftest --record: {e.Message}");
            return Mismatch;
        }
        foreach (var (r, path) in written)
            io.Out.WriteLine($"{r.Model}: {r.Count} golden inputs → '{r.Tensor}' [{string.Join(", ", r.Shape)}] int8, the same bytes on {string.Join(", ", paths)}: {path}");
        return EdgeCli.Ok;
    }

    private static string F(double seconds) => seconds.ToString("F2", CultureInfo.InvariantCulture);

    private static void WriteLine(CliIO io, FamilyResult r)
    {
        string verdict = r.Passed ? "ok" : $"FAIL ({r.Failed} of {r.Cases} failed)";
        io.Out.WriteLine($"  {r.Family,-28} {r.Cases,7:N0} cases {F(r.Seconds),8} s  {verdict}");
        foreach (var f in r.Failures) io.Out.WriteLine($"      {f.Parameters}: {f.Difference}");
        if (r.Failed > r.Failures.Count) io.Out.WriteLine($"      … and {r.Failed - r.Failures.Count} more");
        io.Out.Flush();
    }

    private static void WriteVerdict(CliIO io, ConformanceReport report, bool shippedChecked)
    {
        int lines = report.Families.Count, failedLines = report.Families.Count(f => !f.Passed);
        string scope = shippedChecked ? "" : " (shipped models not checked)";
        io.Out.WriteLine(report.Passed
            ? $"PASS: {lines} family {(lines == 1 ? "line" : "lines")}, {report.Cases:N0} cases bit-exact with the reference in {F(report.Seconds)} s{scope}"
            : $"FAIL: {failedLines} of {lines} family {(lines == 1 ? "line" : "lines")}, {report.Failed:N0} of {report.Cases:N0} cases failed in {F(report.Seconds)} s{scope}");
    }

    public sealed record FailureJson(string Parameters, string Difference);

    public sealed record FamilyJson(string Family, int Cases, int Failed, bool Passed, double Seconds, FailureJson[] Failures);

    public sealed record ReportJson(bool Passed, string Cpu, string[] Paths, bool Quick, string? ShippedModels, int Cases, int Failed, double Seconds, FamilyJson[] Families);

    private static ReportJson ToJson(ConformanceReport r, string? shippedModels) => new(
        r.Passed, r.Cpu, [.. r.Paths.Select(p => p.ToString())], r.Quick, shippedModels, r.Cases, r.Failed, r.Seconds,
        [.. r.Families.Select(f => new FamilyJson(f.Family, f.Cases, f.Failed, f.Passed, f.Seconds, [.. f.Failures.Select(x => new FailureJson(x.Parameters, x.Difference))]))]);
}
