using System.Diagnostics;
using Edge.Vision.Datasets;
using Edge.Vision.Pipeline;
using Edge.Vision.Sinks;
using Edge.Vision.Sources;

namespace Edge.Vision.Tests;

public class CameraPipelineTests
{
    private static StillFrameSource FashionFrames(int count, double fps = 0, bool loop = false)
    {
        var set = ImageSet.FromIdx(TestFiles.FashionTestImages).Take(count);
        var frames = Enumerable.Range(0, set.Count).Select(i => set.Image(i).ToArray()).ToList();
        return new StillFrameSource(frames, new FrameFormat(28, 28, FramePixelFormat.Gray8), fps, loop, "fashion");
    }

    private sealed record Seen(long Frame, int Class, float Confidence, bool Above, float[] Probabilities);

    private static List<Seen> RunAll(IFrameSource source, PipelineOptions options)
    {
        var seen = new List<Seen>();
        var pipeline = new CameraPipeline(TestFiles.LenetFashion(), source,
            [new CallbackSink((in Prediction p) => seen.Add(new Seen(p.Frame, p.ClassIndex, p.Confidence, p.AboveThreshold, p.Probabilities.ToArray())))],
            options with { StatsInterval = TimeSpan.Zero });
        pipeline.Run();
        return seen;
    }

    [Fact]
    public void Every_policy_predicts_each_frame_in_order_and_matches_the_session_on_the_image()
    {
        using var source = FashionFrames(40);
        var seen = RunAll(source, new PipelineOptions { Policy = FramePolicy.Every });
        Assert.Equal(Enumerable.Range(0, 40).Select(i => (long)i), seen.Select(s => s.Frame));
        // A 28×28 frame for a 28×28 model: the crop is the frame, the resize the identity; the class is the session's on the image.
        var session = TestFiles.LenetFashion();
        var set = ImageSet.FromIdx(TestFiles.FashionTestImages).Take(40);
        var logits = new float[10];
        var probabilities = new float[10];
        for (int i = 0; i < 40; i++)
        {
            session.RunImage(set.Image(i), 28, 28, 1, logits);
            CameraPipeline.Softmax(logits, probabilities);
            Assert.Equal(Array.IndexOf(probabilities, probabilities.Max()), seen[i].Class);
            Assert.Equal(probabilities, seen[i].Probabilities);
        }
    }

    [Fact]
    public void Smoothing_averages_the_last_k_probability_vectors_and_the_threshold_marks_confidence()
    {
        List<Seen> raw, smooth;
        using (var source = FashionFrames(30)) raw = RunAll(source, new PipelineOptions { Policy = FramePolicy.Every });
        using (var source = FashionFrames(30)) smooth = RunAll(source, new PipelineOptions { Policy = FramePolicy.Every, Smoothing = 4, Threshold = 0.6f });
        for (int i = 0; i < 30; i++)
        {
            var window = raw.Skip(Math.Max(0, i - 3)).Take(Math.Min(i + 1, 4)).ToList();
            for (int c = 0; c < 10; c++)
            {
                float mean = window.Sum(w => w.Probabilities[c]) / window.Count;
                Assert.True(Math.Abs(mean - smooth[i].Probabilities[c]) < 1e-5f, $"frame {i} class {c}: mean {mean}, pipeline {smooth[i].Probabilities[c]}");
            }
            Assert.Equal(Array.IndexOf(smooth[i].Probabilities, smooth[i].Probabilities.Max()), smooth[i].Class);
            Assert.Equal(smooth[i].Probabilities.Max(), smooth[i].Confidence);
            Assert.Equal(smooth[i].Confidence >= 0.6f, smooth[i].Above);
        }
        Assert.Contains(smooth, s => !s.Above);
        Assert.Contains(smooth, s => s.Above);
    }

    [Fact]
    public void Latest_policy_drops_stale_frames_and_counts_them()
    {
        using var source = FashionFrames(50, fps: 0, loop: true);
        var frames = new List<long>();
        var pipeline = new CameraPipeline(TestFiles.LenetFashion(), source, [new CallbackSink((in Prediction p) =>
        {
            frames.Add(p.Frame);
            Thread.Sleep(15); // a slow sink: the source outruns the loop
        })], new PipelineOptions { MaxFrames = 12, StatsInterval = TimeSpan.Zero });
        var stats = pipeline.Run();
        Assert.Equal(12, frames.Count);
        Assert.Equal(12, stats.FramesOut);
        Assert.True(stats.Dropped > 0, $"dropped {stats.Dropped}");
        for (int i = 1; i < frames.Count; i++) Assert.True(frames[i] > frames[i - 1], $"frames out of order: {string.Join(",", frames)}");
        Assert.True(frames[^1] >= 11 + 1, "no frame was skipped"); // gaps: stale frames were dropped
        // Every captured frame was either predicted, dropped, or still in flight at the stop (at most two buffers).
        Assert.InRange(stats.FramesIn - stats.FramesOut - stats.Dropped, 0, 2);
    }

    [Fact]
    public void The_inference_loop_allocates_nothing_per_frame()
    {
        using var source = FashionFrames(20, loop: true);
        long at50 = 0, at250 = 0;
        int n = 0;
        var pipeline = new CameraPipeline(TestFiles.LenetFashion(), source, [new CallbackSink((in Prediction p) =>
        {
            n++;
            if (n == 50) at50 = GC.GetAllocatedBytesForCurrentThread();
            if (n == 250) at250 = GC.GetAllocatedBytesForCurrentThread();
        })], new PipelineOptions { MaxFrames = 250, Smoothing = 5, Threshold = 0.5f, StatsInterval = TimeSpan.Zero });
        pipeline.Run();
        Assert.Equal(250, n);
        Assert.Equal(0, at250 - at50);
    }

    [Fact]
    public void A_source_that_fails_is_rethrown_after_the_sinks_are_stopped()
    {
        using var source = new ProcessFrameSource(new ProcessFrameSourceOptions
        {
            Program = "/bin/sh",
            Arguments = ["-c", "echo 'no camera' >&2; exit 1"],
            Format = new FrameFormat(28, 28, FramePixelFormat.Gray8),
        });
        bool stopped = false;
        var pipeline = new CameraPipeline(TestFiles.LenetFashion(), source, [new CallbackSink((in Prediction _) => { }, () => stopped = true)]);
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<FrameSourceException>(() => pipeline.Run());
        Assert.Contains("no camera", e.Message);
        Assert.True(stopped);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Cancellation_stops_a_live_run_promptly_and_a_sink_crash_still_stops_every_sink()
    {
        using (var source = FashionFrames(10, fps: 20, loop: true))
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            int n = 0;
            var pipeline = new CameraPipeline(TestFiles.LenetFashion(), source, [new CallbackSink((in Prediction _) => n++)]);
            var watch = Stopwatch.StartNew();
            pipeline.Run(cts.Token);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
            Assert.True(n > 0);
        }
        using (var source = FashionFrames(10, loop: true))
        {
            int stops = 0, n = 0;
            var pipeline = new CameraPipeline(TestFiles.LenetFashion(), source,
            [
                new CallbackSink((in Prediction _) => { if (++n == 5) throw new InvalidOperationException("user code failed"); }, () => stops++),
                new CallbackSink((in Prediction _) => { }, () => stops++),
            ]);
            var e = Assert.Throws<InvalidOperationException>(() => pipeline.Run());
            Assert.Equal("user code failed", e.Message);
            Assert.Equal(2, stops);
        }
    }

    [Fact]
    public void Stats_lines_come_every_interval_with_rates_latency_and_drops()
    {
        using var source = FashionFrames(10, fps: 200, loop: true);
        var lines = new List<string>();
        var pipeline = new CameraPipeline(TestFiles.LenetFashion(), source, [], new PipelineOptions
        {
            MaxFrames = 60,
            StatsInterval = TimeSpan.FromMilliseconds(100),
            Log = l => lines.Add(l),
        });
        var final = pipeline.Run();
        Assert.True(lines.Count >= 2, string.Join("\n", lines));
        Assert.Matches(@"^stats: in \d+\.\d fps, out \d+\.\d fps, latency p50 \d+\.\d\d ms p99 \d+\.\d\d ms, frames \d+ in \d+ out, dropped \d+, partial 0, restarts 0$", lines[0]);
        Assert.StartsWith("stats (total):", lines[^1]);
        Assert.True(final.Final);
        Assert.Equal(60, final.FramesOut);
        Assert.True(final.LatencyP99Milliseconds >= final.LatencyP50Milliseconds && final.LatencyP50Milliseconds > 0);
    }
}

public class LatencyHistogramTests
{
    [Fact]
    public void Percentiles_are_within_two_percent_of_the_exact_ones()
    {
        var rng = new Random(3);
        var h = new Edge.Vision.Pipeline.LatencyHistogram();
        var values = Enumerable.Range(0, 20_000).Select(_ => (long)(Math.Exp(rng.NextDouble() * 16) * 10)).ToArray();
        foreach (var v in values) h.Record(v);
        Array.Sort(values);
        foreach (var p in new[] { 0.01, 0.5, 0.9, 0.99, 1.0 })
        {
            long exact = values[Math.Clamp((int)Math.Ceiling(p * values.Length) - 1, 0, values.Length - 1)];
            double got = h.Percentile(p);
            Assert.True(Math.Abs(got - exact) <= Math.Max(1, exact / 50.0), $"p{p}: histogram {got}, exact {exact}");
        }
        Assert.Equal(0, new Edge.Vision.Pipeline.LatencyHistogram().Percentile(0.5));
    }
}
