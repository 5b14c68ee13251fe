using System.Diagnostics;

namespace Edge.Quantization.Evaluation;

/// <summary>Per-image latency at batch 1: median and throughput of timed runs after a warm-up.</summary>
public sealed record Latency(double P50Ms, double MeanMs, double ImagesPerSecond, int Runs);

public static class LatencyProbe
{
    /// <summary>The shortest warm-up: .NET recompiles hot methods optimized after 30 calls and a 100 ms delay, in the background.</summary>
    public static readonly TimeSpan MinimumWarmup = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Runs <paramref name="run"/>(i) untimed for i in [0, warmup) and for at least <see cref="MinimumWarmup"/>, then
    /// for i in [0, runs) timed one by one.
    /// </summary>
    public static Latency Measure(Action<int> run, int runs, int warmup)
    {
        if (runs < 1) throw new ArgumentOutOfRangeException(nameof(runs), runs, "at least one timed run");
        long warmupStart = Stopwatch.GetTimestamp();
        for (int i = 0; i < warmup || Stopwatch.GetElapsedTime(warmupStart) < MinimumWarmup; i++) run(i);
        var ms = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            run(i);
            ms[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(ms);
        double mean = ms.Average();
        return new Latency(ms[(runs - 1) / 2], mean, 1000.0 / mean, runs);
    }
}
