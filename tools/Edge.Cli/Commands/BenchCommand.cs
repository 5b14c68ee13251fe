using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Edge.Cli.Output;
using Edge.Core.Tensors;
using Edge.Core.Analysis;
using Edge.Reference;
using Edge.Runtime.Diagnostics;
using Edge.Runtime.Session;

namespace Edge.Cli.Commands;

/// <summary>
/// <c>edge bench MODEL [--iterations N] [--warmup N] [--peak] [--json]</c>, the on-device benchmark: warm-up runs, then N timed
/// runs on one seeded input — latency p50/p90/p99, mean, min, max, throughput, managed bytes allocated per run (this
/// thread's <c>GC.GetAllocatedBytesForCurrentThread</c> over the timed runs, divided by N), the CPU features .NET reports,
/// the kernel path of every operator and the arena size. An int8 <c>.edge</c> model runs in an <see cref="EdgeSession"/>
/// (<c>Run</c> on a float NCHW input, quantized into the int8 input tensor); an ONNX model on the float reference path.
/// For <c>.edge</c> models, N more runs through <see cref="EdgeSession.RunObserved"/> time every operator (median per
/// operator; the first one also holds the input's quantization) and give its MACs and GMAC/s; the model's GMAC/s is its
/// MACs over the p50. <c>--peak</c> measures this core's multiply-accumulate peak per instruction pattern
/// (<see cref="MacPeak"/>) and gives every operator's GMAC/s as a share of the limit of its kernel path; without a model
/// it prints only the peaks.
/// </summary>
public static class BenchCommand
{
    public static Command Create(CliIO io)
    {
        var model = new Argument<string?>("model") { Description = "An int8 model (.edge), or an ONNX model (.onnx: the float reference path); optional with --peak.", Arity = ArgumentArity.ZeroOrOne };
        var iterations = new Option<int>("--iterations", "-n") { Description = "Timed runs.", DefaultValueFactory = _ => 100 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed runs first; the warm-up also lasts at least 1 s, so the JIT's tiered compilation settles.", DefaultValueFactory = _ => 10 };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON." };
        var peak = new Option<bool>("--peak") { Description = "Also measure this core's multiply-accumulate peak per instruction pattern (≈ 1 s), and give each operator's GMAC/s as a share of its kernel path's limit." };
        var kernels = ModelFiles.KernelsOption();
        var threads = ModelFiles.ThreadsOption();
        var command = new Command("bench", "Measure a model's latency, throughput, allocations and per-operator time on this machine.") { model, iterations, warmup, json, peak, kernels, threads };
        command.SetAction(parse =>
        {
            string? path = parse.GetValue(model);
            int n = parse.GetValue(iterations), w = parse.GetValue(warmup);
            if (n < 1) throw new CliUsageException($"--iterations {n}: must be at least 1");
            if (w < 0) throw new CliUsageException($"--warmup {w}: must not be negative");
            bool withPeak = parse.GetValue(peak);
            if (path is null && !withPeak) throw new CliUsageException("bench needs a model (MODEL.edge or MODEL.onnx), or --peak alone");
            // The model first (its errors are the user's), then the peaks: the micro-loops do not disturb the model's timings.
            var session = path is not null && ModelFiles.KindOf(path) == ModelKind.Edge
                ? ModelFiles.LoadSession(path, ModelFiles.ParseKernels(parse.GetValue(kernels)), ModelFiles.ParseThreads(parse.GetValue(threads)))
                : null;
            var result = path is null ? null : session is not null ? BenchInt8(path, session, n, w) : BenchFloat(path, n, w);
            var peaks = withPeak ? MacPeak.Measure().Select(p => new Peak(p.Name, p.Instructions, p.DataType, p.Path?.ToString(), p.GmacPerSecond)).ToArray() : null;
            if (result is not null && peaks is not null) result = WithPeak(result, peaks);
            if (parse.GetValue(json))
            {
                object document = result is not null ? result : new PeakResult(CpuInfo(), peaks!);
                io.Out.WriteLine(JsonSerializer.Serialize(document, JsonDefaults.Indented));
            }
            else
            {
                if (result is not null) Write(io, result);
                if (peaks is not null) WritePeaks(io, peaks);
            }
            return EdgeCli.Ok;
        });
        return command;
    }

    public sealed record Latency(double P50, double P90, double P99, double Mean, double Min, double Max);

    /// <summary>
    /// One operator: its kernel and path, and for int8 models its median and mean time over the observed runs, its MACs, GMAC/s (at the median) and
    /// (with --peak) that as a share of its path's limit (<see cref="MacPeak.LimitFor"/>; null when the path has none).
    /// </summary>
    public sealed record OperatorPath(int Index, string Name, string Type, string Kernel, string Path, long Macs,
        double? MedianUs = null, double? MeanUs = null, double? GmacPerSecond = null, double? PeakShare = null);

    public sealed record Cpu(string Architecture, IReadOnlyList<string> VectorSizes, IReadOnlyList<string> InstructionSets);

    /// <summary>One micro-loop of <see cref="MacPeak"/>: its limit on this core, one thread.</summary>
    public sealed record Peak(string Name, string Instructions, string DataType, string? KernelPath, double GmacPerSecond);

    /// <summary><c>edge bench --peak</c> without a model.</summary>
    public sealed record PeakResult(Cpu Cpu, Peak[] Peak);

    /// <summary>
    /// What <c>edge bench MODEL</c> reports. <c>TotalMacs</c>: the model's multiply-accumulates at batch 1;
    /// <c>GmacPerSecond</c>: those over the p50 latency; <c>OperatorSumUs</c>: the sum of the operators' medians and
    /// <c>ObservedMeanUs</c>: the mean over the observed runs of each run's span from before its input to its last
    /// operator, which the operators' intervals partition, so it equals the sum of their means (int8 models only);
    /// <c>Peak</c>: with --peak.
    /// </summary>
    public sealed record BenchResult(
        string Model, string Engine, string? Kernels, int Iterations, int Warmup, Latency LatencyMs, double ThroughputPerSecond,
        double AllocatedBytesPerRun, Cpu Cpu, long? ArenaBytes, long? LowerBoundBytes, OperatorPath[] Operators,
        long TotalMacs, double GmacPerSecond, double? OperatorSumUs, double? ObservedMeanUs, Peak[]? Peak = null, int Threads = 1);

    private static BenchResult BenchInt8(string path, EdgeSession session, int n, int warmup)
    {
        using var _ = session;
        var input = SeededInput(session.Inputs[0].ElementCount);
        var output = new float[session.Outputs[0].ElementCount];
        var (latency, allocated) = Measure(() => session.Run(input, output), n, warmup);
        var (medians, means, observedMean) = ProfileOperators(session, input, output, n);
        var ops = session.Operators.Select(o =>
        {
            long macs = OperatorMacs.Of(session.Model, o.Index);
            double us = medians[o.Index];
            return new OperatorPath(o.Index, o.Name, o.Type.ToString(), o.Kernel, o.Path.ToString(), macs, us, means[o.Index],
                macs > 0 && us > 0 ? macs / (us * 1e3) : null);
        }).ToArray();
        long total = ops.Sum(o => o.Macs);
        return new BenchResult(Path.GetFileName(path), "int8", session.KernelPath.ToString(), n, warmup, latency, 1000.0 / latency.Mean,
            allocated, CpuInfo(), session.ArenaBytes, session.LowerBoundBytes, ops, total, total / (latency.P50 * 1e6), medians.Sum(), observedMean, Threads: session.Threads);
    }

    private static BenchResult BenchFloat(string path, int n, int warmup)
    {
        var graph = ModelFiles.LoadFloatGraph(path);
        if (graph.Inputs.Count != 1) throw new CliUsageException($"{path}: bench feeds one input; the model has {graph.Inputs.Count}");
        var executor = new ReferenceExecutor(graph, 1);
        var input = SeededInput((int)executor.ShapesFor(1)[graph.Inputs[0].Name].ElementCount);
        var (latency, allocated) = Measure(() => executor.Run(input, 1), n, warmup);
        var layers = ModelSummary.Of(graph).Layers;
        var ops = graph.Nodes.Select((node, i) => new OperatorPath(i, node.Name, node.OpType, "float reference", "Float32", layers[i].Macs)).ToArray();
        long total = ops.Sum(o => o.Macs);
        return new BenchResult(Path.GetFileName(path), "float reference", null, n, warmup, latency, 1000.0 / latency.Mean,
            allocated, CpuInfo(), null, null, ops, total, total / (latency.P50 * 1e6), null, null);
    }

    /// <summary>
    /// <paramref name="runs"/> runs through <see cref="EdgeSession.RunObserved"/> (after a few untimed ones), a timestamp
    /// after every operator: each operator's median and mean time (µs; the first interval starts before the input's
    /// quantization), and the mean of each run's span from before its input to its last operator.
    /// </summary>
    private static (double[] MediansUs, double[] MeansUs, double ObservedMeanUs) ProfileOperators(EdgeSession session, float[] input, float[] output, int runs)
    {
        int count = session.Operators.Count;
        var stamps = new long[count + 1];
        TensorObserver observer = (op, _, _) => stamps[op.Index + 1] = Stopwatch.GetTimestamp();
        for (int i = 0; i < Math.Min(runs, 5); i++) session.RunObserved(input, output, observer);
        var times = new double[count][];
        for (int i = 0; i < count; i++) times[i] = new double[runs];
        var totals = new double[runs];
        double toMicroseconds = 1e6 / Stopwatch.Frequency;
        for (int r = 0; r < runs; r++)
        {
            stamps[0] = Stopwatch.GetTimestamp();
            session.RunObserved(input, output, observer);
            for (int i = 0; i < count; i++) times[i][r] = (stamps[i + 1] - stamps[i]) * toMicroseconds;
            totals[r] = (stamps[count] - stamps[0]) * toMicroseconds;
        }
        return (times.Select(Median).ToArray(), times.Select(t => t.Average()).ToArray(), totals.Average());
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static BenchResult WithPeak(BenchResult r, Peak[] peaks)
    {
        var results = peaks.Select(p => new MacPeakResult(p.Name, p.Instructions, p.DataType,
            p.KernelPath is null ? null : Enum.Parse<Edge.Runtime.Kernels.KernelPath>(p.KernelPath), 0, p.GmacPerSecond)).ToArray();
        var ops = r.Operators.Select(o =>
        {
            double? limit = Enum.TryParse<Edge.Runtime.Kernels.KernelPath>(o.Path, out var path) ? MacPeak.LimitFor(path, results) : null;
            return o with { PeakShare = o.GmacPerSecond is { } g && limit is { } l ? g / l : null };
        }).ToArray();
        return r with { Operators = ops, Peak = peaks };
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
        io.Out.WriteLine($"  MACs         {r.TotalMacs:N0}: {r.GmacPerSecond.ToString("F2", CultureInfo.InvariantCulture)} GMAC/s at the p50");
        io.Out.WriteLine("  kernels      " + string.Join(", ", r.Operators.GroupBy(o => o.Kernel == "float reference" || o.Kernel == "view" ? o.Kernel : $"{o.Kernel}/{o.Path}")
            .Select(g => $"{g.Key} ×{g.Count()}")));
        if (r.OperatorSumUs is { } sum)
        {
            io.Out.WriteLine($"  per operator median of {r.Iterations} observed runs (the first includes the input's quantization); GMAC/s"
                             + (r.Peak is null ? "" : " and its share of the path's int8 peak (--peak)"));
        }
        int width = Math.Max(10, r.Operators.Length == 0 ? 0 : r.Operators.Max(o => $"{o.Index,3} {o.Name} ({o.Type}): {o.Kernel}/{o.Path}".Length));
        foreach (var o in r.Operators)
        {
            string head = $"{o.Index,3} {o.Name} ({o.Type}): {o.Kernel}{(o.Kernel is "view" or "float reference" ? "" : "/" + o.Path)}";
            string timing = o.MedianUs is { } us
                ? $"  {us.ToString("F2", CultureInfo.InvariantCulture),10} µs" + (o.Macs > 0 ? $"  {o.Macs / 1e6,8:F3} M MACs  {o.GmacPerSecond?.ToString("F2", CultureInfo.InvariantCulture),7} GMAC/s" : "")
                  + (o.PeakShare is { } share ? $"  {(100 * share).ToString("F1", CultureInfo.InvariantCulture),5} % of peak" : "")
                : "";
            io.Out.WriteLine($"    {head.PadRight(timing.Length > 0 ? width : 0)}{timing}".TrimEnd());
        }
        if (r.OperatorSumUs is { } total)
        {
            io.Out.WriteLine($"  operators    sum of medians {total.ToString("F2", CultureInfo.InvariantCulture)} µs; observed runs' mean "
                             + $"{r.ObservedMeanUs?.ToString("F2", CultureInfo.InvariantCulture)} µs; Run p50 {(r.LatencyMs.P50 * 1000).ToString("F2", CultureInfo.InvariantCulture)} µs");
        }
    }

    private static void WritePeaks(CliIO io, Peak[] peaks)
    {
        io.Out.WriteLine($"multiply-accumulate peak of one core ({CpuFeatures.Describe()}): best of 50 × 2 ms, {MacPeak.Chains} accumulator chains per loop");
        foreach (var p in peaks)
        {
            io.Out.WriteLine($"  {p.Name,-18} {p.DataType,-5} {p.GmacPerSecond.ToString("F1", CultureInfo.InvariantCulture),7} GMAC/s"
                             + $"  {(p.KernelPath is null ? "(fp32: what float engines stand on)" : $"(limit of the {p.KernelPath} kernels)")}  {p.Instructions}");
        }
    }
}
