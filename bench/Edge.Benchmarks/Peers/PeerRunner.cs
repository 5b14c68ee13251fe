using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Edge.Benchmarks.Peers;

/// <summary>
/// <c>dotnet run -c Release --project bench/Edge.Benchmarks -- peers [--models a,b] [--threads 1,2] [--iterations N] [--tsv FILE]</c>:
/// says which models it skips (ONNX file absent) and how to make them, converts the int8 models that do not ship, runs
/// <see cref="PeerBenchmarks"/> in one BenchmarkDotNet run, and prints one markdown table: per model and thread count the
/// MACs, the median of Edge int8 and of ONNX Runtime fp32, and ORT / Edge. <c>--tsv</c> also writes the rows
/// (model, MACs, threads, engine, median ms) for bench/side-by-side.sh.
/// </summary>
public static class PeerRunner
{
    public static int Run(string[] args)
    {
        string? tsv = null;
        int iterations = 100;
        var models = PeerModels.Present.Select(m => m.Name).ToList();
        var threads = new List<int> { 1, 2 };
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--models":
                    var asked = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    foreach (var name in asked.Where(n => PeerModels.All.All(m => m.Name != n)))
                    {
                        Console.Error.WriteLine($"peers: unknown model '{name}'; bench/peer-models.json has {string.Join(", ", PeerModels.All.Select(m => m.Name))}");
                        return 2;
                    }
                    models = asked.Where(n => models.Contains(n)).ToList();
                    break;
                case "--threads": threads = Value().Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToList(); break;
                case "--iterations": iterations = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--tsv": tsv = Value(); break;
                default:
                    Console.Error.WriteLine($"peers: unknown option '{args[i]}'. usage: peers [--models a,b] [--threads 1,2] [--iterations N] [--tsv FILE]");
                    return 2;
            }
        }

        var skipped = PeerModels.SkippedLines().ToList();
        foreach (var line in skipped) Console.WriteLine(line);
        var chosen = PeerModels.All.Where(m => models.Contains(m.Name)).ToList();
        foreach (var m in chosen) PeerModels.EnsureEdge(m, Console.Out);   // before timing, so no conversion lands in a measurement
        var macs = chosen.ToDictionary(m => m.Name, PeerModels.Macs);
        PeerSelection.Models = chosen.Select(m => m.Name).ToArray();
        PeerSelection.Threads = threads;

        // In-process: the generated-project build of the default toolchain takes minutes on the shared 2-core machine, and
        // both engines run in the same process anyway. One run per iteration (invocation count and unroll factor 1), so
        // BenchmarkDotNet's median is the p50 of single runs, as PyTorch's figure is: an iteration of many runs averages
        // in every preemption a loaded machine deals out and reads like a mean. Each case is warmed ≥ 1 s in its setup.
        // No forced collection between iterations (BenchmarkDotNet's default is a full GC after each one): with one run per
        // iteration it leaves every run cold (caches, ONNX Runtime's allocator), not back to back as PyTorch's loop and a
        // camera loop run; measured 2026-12-02 (bench/RESULTS.md, third session): ORT fp32 on LeNet-5 0.090 ms with it,
        // 0.034 ms without; Edge, which allocates nothing per run, 0.047 → 0.039 ms.
        var job = Job.Default.WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(5).WithIterationCount(iterations).WithInvocationCount(1).WithUnrollFactor(1).WithGcForce(false);
        var config = ManualConfig.Create(DefaultConfig.Instance).AddJob(job).AddColumn(StatisticColumn.Median);
        var summary = BenchmarkRunner.Run<PeerBenchmarks>(config);

        var rows = Rows(summary).ToList();
        Console.WriteLine();
        Console.WriteLine("| model | MACs | threads | Edge int8 median (ms) | ORT fp32 median (ms) | ORT / Edge |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var g in rows.GroupBy(r => (r.Model, r.Threads)))
        {
            double? edge = g.FirstOrDefault(r => r.Engine == "edge-int8")?.Ms, ort = g.FirstOrDefault(r => r.Engine == "ort-fp32")?.Ms;
            Console.WriteLine($"| {g.Key.Model} | {Mega(macs[g.Key.Model])} | {g.Key.Threads} | {Ms(edge)} | {Ms(ort)} | {Ratio(ort, edge)} |");
        }
        foreach (var line in skipped) Console.WriteLine(line);
        if (tsv is not null)
        {
            File.WriteAllLines(tsv, rows.Select(r => string.Join('\t', r.Model, macs[r.Model].ToString(CultureInfo.InvariantCulture),
                r.Threads.ToString(CultureInfo.InvariantCulture), r.Engine, r.Ms.ToString("R", CultureInfo.InvariantCulture))));
        }
        return rows.Count == 2 * chosen.Count * threads.Count ? 0 : 1;
    }

    private sealed record Row(string Model, int Threads, string Engine, double Ms);

    private static IEnumerable<Row> Rows(Summary summary)
    {
        foreach (var report in summary.Reports)
        {
            if (report.ResultStatistics is not { } stats) continue;
            var c = report.BenchmarkCase;
            string model = (string)c.Parameters["Model"];
            int threads = (int)c.Parameters["Threads"];
            string engine = c.Descriptor.WorkloadMethod.Name == nameof(PeerBenchmarks.EdgeInt8) ? "edge-int8" : "ort-fp32";
            yield return new Row(model, threads, engine, stats.Median / 1e6);
        }
    }

    private static string Mega(long macs) => (macs / 1e6).ToString(macs < 10_000_000 ? "F2" : "F0", CultureInfo.InvariantCulture) + " M";

    private static string Ms(double? ms) => ms is { } v ? v.ToString(v < 1 ? "F3" : "F2", CultureInfo.InvariantCulture) : "–";

    private static string Ratio(double? num, double? den) => num is { } a && den is { } b && b > 0 ? (a / b).ToString("F2", CultureInfo.InvariantCulture) + "×" : "–";
}
