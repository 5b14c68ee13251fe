using Edge.Vision.Pipeline;
using Edge.Vision.Sinks;
using Edge.Vision.Sources;

namespace Edge.Vision.Tests;

/// <summary>
/// The pipeline running for a long time keeps its memory flat. Opt-in length: <c>EDGE_SOAK_SECONDS</c> (README: 600 for
/// the 10-minute soak); without it the test runs 3 seconds, as CI does. Category <c>Soak</c> selects it:
/// <c>EDGE_SOAK_SECONDS=600 dotnet test tests/Edge.Vision.Tests -c Release --filter Category=Soak</c>.
/// Runs alone (its collection disables parallelization): the managed heap is the process's, and tests of other classes
/// running beside it would grow it.
/// </summary>
[Collection(nameof(SoakTests))]
public class SoakTests
{
    [Fact]
    [Trait("Category", "Soak")]
    public void A_long_run_keeps_memory_flat()
    {
        double seconds = double.TryParse(Environment.GetEnvironmentVariable("EDGE_SOAK_SECONDS"), System.Globalization.CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 3;
        // A 640×480 I420 stream (random frames, looped at full speed) through the 28×28 model, with drops, smoothing,
        // a threshold, a JSON sink writing to a null stream and stats lines every second.
        var format = new FrameFormat(640, 480, FramePixelFormat.I420);
        var rng = new Random(7);
        var frames = Enumerable.Range(0, 8).Select(_ => { var f = new byte[format.FrameBytes]; rng.NextBytes(f); return f; }).ToList();
        using var source = new StillFrameSource(frames, format, framesPerSecond: 0, loop: true, name: "soak");
        long n = 0, allocatedAtWarm = 0, heapAtWarm = 0;
        var lines = new List<string>();
        long warm = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var pipeline = new CameraPipeline(TestFiles.LenetFashion(), source,
        [
            new JsonLinesSink(new StreamWriter(Stream.Null)),
            new CallbackSink((in Prediction _) =>
            {
                if (++n == 20)
                {
                    warm = n;
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    heapAtWarm = GC.GetTotalMemory(forceFullCollection: true);
                    allocatedAtWarm = GC.GetAllocatedBytesForCurrentThread();
                }
            }),
        ], new PipelineOptions { Smoothing = 3, Threshold = 0.5f, StatsInterval = TimeSpan.FromSeconds(1), Log = l => { lock (lines) if (lines.Count < 10_000) lines.Add(l); } });
        pipeline.Run(cts.Token);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedAtWarm;
        long heap = GC.GetTotalMemory(forceFullCollection: true);
        Assert.True(warm > 0, $"only {n} frames in {seconds} s");
        // The loop's own allocations after warm-up are the stats lines only (a few hundred bytes a second), whatever the frame count.
        Assert.True(allocated < (seconds + 2) * 4096, $"{allocated} bytes allocated by the inference loop over {n - warm} frames in {seconds} s");
        Assert.True(heap - heapAtWarm < 4 << 20, $"managed heap grew from {heapAtWarm} to {heap} bytes over {n} frames");
    }
}

/// <summary>The soak test's collection: not run in parallel with any other test.</summary>
[CollectionDefinition(nameof(SoakTests), DisableParallelization = true)]
public sealed class SoakTestsCollection;
