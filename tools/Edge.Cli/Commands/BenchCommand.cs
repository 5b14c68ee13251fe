using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Edge.Cli.Output;
using Edge.Core.Tensors;
using Edge.Reference;
using Edge.Runtime.Session;

namespace Edge.Cli.Commands;

/// <summary>
/// <c>edge bench MODEL [--iterations N] [--warmup N] [--json]</c>, the on-device benchmark: warm-up runs, then N timed
/// runs on one seeded input — latency p50/p90/p99, mean, min, max, throughput, managed bytes allocated per run (this
/// thread's <c>GC.GetAllocatedBytesForCurrentThread</c> over the timed runs, divided by N), the CPU features .NET reports,
/// the kernel path of every operator and the arena size. An int8 <c>.edge</c> model runs in an <see cref="EdgeSession"/>
/// (<c>Run</c> on a float NCHW input, quantized into the int8 input tensor); an ONNX model on the float reference path.
/// </summary>
public static class BenchCommand
{
    public static Command Create(CliIO io)
    {
        var model = new Argument<string>("model") { Description = "An int8 model (.edge), or an ONNX model (.onnx: the float reference path)." };
        var iterations = new Option<int>("--iterations", "-n") { Description = "Timed runs.", DefaultValueFactory = _ => 100 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed runs first; the warm-up also lasts at least 1 s, so the JIT's tiered compilation settles.", DefaultValueFactory = _ => 10 };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON." };
        var kernels = ModelFiles.KernelsOption();
        var threads = ModelFiles.ThreadsOption();
        var command = new Command("bench", "Measure a model's latency, throughput and allocations on this machine.") { model, iterations, warmup, json, kernels, threads };
        command.SetAction(parse =>
        {
            string path = parse.GetRequiredValue(model);
            int n = parse.GetValue(iterations), w = parse.GetValue(warmup);
            if (n < 1) throw new CliUsageException($"--iterations {n}: must be at least 1");
            if (w < 0) throw new CliUsageException($"--warmup {w}: must not be negative");
            var result = ModelFiles.KindOf(path) == ModelKind.Edge
                ? BenchInt8(path, ModelFiles.LoadSession(path, ModelFiles.ParseKernels(parse.GetValue(kernels)), ModelFiles.ParseThreads(parse.GetValue(threads))), n, w)
                : BenchFloat(path, n, w);
            if (parse.GetValue(json)) io.Out.WriteLine(JsonSerializer.Serialize(result, JsonDefaults.Indented));
            else Write(io, result);
            return EdgeCli.Ok;
        });
        return command;
    }

    public sealed record Latency(double P50, double P90, double P99, double Mean, double Min, double Max);

    public sealed record OperatorPath(int Index, string Name, string Type, string Kernel, string Path);

    public sealed record Cpu(string Architecture, IReadOnlyList<string> VectorSizes, IReadOnlyList<string> InstructionSets);

    public sealed record BenchResult(
        string Model, string Engine, string? Kernels, int Iterations, int Warmup, Latency LatencyMs, double ThroughputPerSecond,
        double AllocatedBytesPerRun, Cpu Cpu, long? ArenaBytes, long? LowerBoundBytes, OperatorPath[] Operators, int Threads = 1);

    private static BenchResult BenchInt8(string path, EdgeSession session, int n, int warmup)
    {
        using var _ = session;
        var input = SeededInput(session.Inputs[0].ElementCount);
        var output = new float[session.Outputs[0].ElementCount];
        var (latency, allocated) = Measure(() => session.Run(input, output), n, warmup);
        var ops = session.Operators.Select(o => new OperatorPath(o.Index, o.Name, o.Type.ToString(), o.Kernel, o.Path.ToString())).ToArray();
        return new BenchResult(Path.GetFileName(path), "int8", session.KernelPath.ToString(), n, warmup, latency, 1000.0 / latency.Mean,
            allocated, CpuInfo(), session.ArenaBytes, session.LowerBoundBytes, ops, session.Threads);
    }

    private static BenchResult BenchFloat(string path, int n, int warmup)
    {
        var graph = ModelFiles.LoadFloatGraph(path);
        if (graph.Inputs.Count != 1) throw new CliUsageException($"{path}: bench feeds one input; the model has {graph.Inputs.Count}");
        var executor = new ReferenceExecutor(graph, 1);
        var input = SeededInput((int)executor.ShapesFor(1)[graph.Inputs[0].Name].ElementCount);
        var (latency, allocated) = Measure(() => executor.Run(input, 1), n, warmup);
        var ops = graph.Nodes.Select((node, i) => new OperatorPath(i, node.Name, node.OpType, "float reference", "Float32")).ToArray();
        return new BenchResult(Path.GetFileName(path), "float reference", null, n, warmup, latency, 1000.0 / latency.Mean,
            allocated, CpuInfo(), null, null, ops);
    }

    /// <summary>The shortest warm-up: .NET recompiles hot methods optimized after 30 calls and a 100 ms delay, in the background.</summary>
    private static readonly TimeSpan MinimumWarmup = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Warm-up (<paramref name="warmup"/> runs, and at least <see cref="MinimumWarmup"/> unless no warm-up is asked for),
    /// then <paramref name="n"/> timed runs on this thread: per-run latency (ms) and allocated bytes per run.
    /// </summary>
    private static (Latency, double Allocated) Measure(Action run, int n, int warmup)
    {
        long warmupStart = Stopwatch.GetTimestamp();
        for (int i = 0; i < warmup || (warmup > 0 && Stopwatch.GetElapsedTime(warmupStart) < MinimumWarmup); i++) run();
        var ms = new double[n];
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < n; i++)
        {
            long start = Stopwatch.GetTimestamp();
            run();
            ms[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        double allocated = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / (double)n;
        var sorted = ms.Order().ToArray();
        return (new Latency(Percentile(sorted, 50), Percentile(sorted, 90), Percentile(sorted, 99), ms.Average(), sorted[0], sorted[^1]), allocated);
    }

    /// <summary>The nearest-rank percentile of sorted values.</summary>
    private static double Percentile(double[] sorted, int p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];

    /// <summary>A fixed pseudo-random input in [−2, 2): latency does not depend on the values, but a constant input could flatter a kernel.</summary>
    private static float[] SeededInput(int length)
    {
        var rng = new Random(1234);
        return Enumerable.Range(0, length).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray();
    }

    private static Cpu CpuInfo() => new(CpuFeatures.Architecture.ToString(), CpuFeatures.VectorSizes, CpuFeatures.InstructionSets);

    private static void Write(CliIO io, BenchResult r)
    {
        string F(double v) => v.ToString("F3", CultureInfo.InvariantCulture);
        var l = r.LatencyMs;
        io.Out.WriteLine($"{r.Model}: {r.Engine}{(r.Kernels is null ? "" : $", kernels {r.Kernels}")}{(r.Threads > 1 ? $", {r.Threads} threads" : "")}, {r.Iterations} runs after {r.Warmup} warm-up");
        io.Out.WriteLine($"  latency ms   p50 {F(l.P50)}  p90 {F(l.P90)}  p99 {F(l.P99)}  mean {F(l.Mean)}  min {F(l.Min)}  max {F(l.Max)}");
        io.Out.WriteLine($"  throughput   {r.ThroughputPerSecond.ToString("F1", CultureInfo.InvariantCulture)} inferences/s ({(r.Threads == 1 ? "1 thread" : $"{r.Threads} threads")}, batch 1)");
        io.Out.WriteLine($"  allocated    {r.AllocatedBytesPerRun.ToString("F0", CultureInfo.InvariantCulture)} bytes per run");
        if (r.ArenaBytes is { } arena) io.Out.WriteLine($"  arena        {arena:N0} bytes (lower bound {r.LowerBoundBytes:N0})");
        io.Out.WriteLine($"  cpu          {r.Cpu.Architecture}; vectors {string.Join("/", r.Cpu.VectorSizes)}; {string.Join(", ", r.Cpu.InstructionSets)}");
        io.Out.WriteLine("  kernels      " + string.Join(", ", r.Operators.GroupBy(o => o.Kernel == "float reference" || o.Kernel == "view" ? o.Kernel : $"{o.Kernel}/{o.Path}")
            .Select(g => $"{g.Key} ×{g.Count()}")));
        foreach (var o in r.Operators) io.Out.WriteLine($"    {o.Index,3} {o.Name} ({o.Type}): {o.Kernel}{(o.Kernel is "view" or "float reference" ? "" : "/" + o.Path)}");
    }
}
