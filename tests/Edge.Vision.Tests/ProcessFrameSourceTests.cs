using System.Diagnostics;
using Edge.Vision.Sources;

namespace Edge.Vision.Tests;

/// <summary>
/// The child-process source with a shell script as the producer: it writes known bytes, is killed mid-frame, exits at
/// once or never exists. Frames here are 4×2 Gray8 (8 bytes), each filled with its number.
/// </summary>
public class ProcessFrameSourceTests
{
    private static readonly FrameFormat Tiny = new(4, 2, FramePixelFormat.Gray8);

    private static ProcessFrameSource Shell(string script, ProducerExitPolicy policy, List<string>? log = null, int maxFailedRestarts = 5)
        => new(new ProcessFrameSourceOptions
        {
            Program = "/bin/sh",
            Arguments = ["-c", script],
            Format = Tiny,
            OnExit = policy,
            InitialBackoff = TimeSpan.FromMilliseconds(20),
            MaxFailedRestarts = maxFailedRestarts,
            Log = log is null ? null : line => { lock (log) log.Add(line); },
        });

    /// <summary>printf for frames first..last (8 bytes each, the frame's number), then half a frame (4 bytes of 0xEE).</summary>
    private static string FramesThenHalf(int first, int last)
    {
        var s = new System.Text.StringBuilder("printf '");
        for (int f = first; f <= last; f++) s.Append(string.Concat(Enumerable.Repeat($"\\{Convert.ToString(f, 8).PadLeft(3, '0')}", 8)));
        s.Append("\\356\\356\\356\\356'");
        return s.ToString();
    }

    [Fact]
    public async Task Killed_mid_frame_the_partial_frame_is_discarded_then_the_stream_ends()
    {
        // Two whole frames and half of a third, then the producer waits to be killed.
        using var source = Shell(FramesThenHalf(1, 2) + "; exec sleep 30", ProducerExitPolicy.Exit);
        var frame = new byte[Tiny.FrameBytes];
        Assert.True(source.ReadFrame(frame, default));
        Assert.All(frame, b => Assert.Equal(1, b));
        Assert.True(source.ReadFrame(frame, default));
        Assert.All(frame, b => Assert.Equal(2, b));
        int pid = source.ProcessId ?? throw new InvalidOperationException("the producer is not running");
        var kill = Task.Run(() =>
        {
            Thread.Sleep(200); // the read below is blocked on the half frame by now
            Process.GetProcessById(pid).Kill();
        });
        var watch = Stopwatch.StartNew();
        Assert.False(source.ReadFrame(frame, default));
        await kill;
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.Equal(1, source.PartialFrames);
        Assert.Equal(2, source.FramesRead);
        Assert.Equal(0, source.Restarts);
    }

    [Fact]
    public void Killed_mid_frame_with_restart_the_partial_frame_is_discarded_and_the_producer_starts_again()
    {
        // Each run writes frames 1 and 2 and half a frame, then exits: as a producer killed mid-frame, every time.
        var log = new List<string>();
        using var source = Shell(FramesThenHalf(1, 2) + "; echo 'camera lost' >&2; exit 3", ProducerExitPolicy.Restart, log);
        var frame = new byte[Tiny.FrameBytes];
        var seen = new List<byte>();
        for (int i = 0; i < 6; i++)
        {
            Assert.True(source.ReadFrame(frame, default));
            Assert.All(frame, b => Assert.Equal(frame[0], b)); // never a frame mixed from two runs
            seen.Add(frame[0]);
        }
        Assert.Equal([1, 2, 1, 2, 1, 2], seen);
        Assert.Equal(2, source.Restarts);
        Assert.True(source.PartialFrames >= 2, $"partial {source.PartialFrames}");
        lock (log)
        {
            Assert.Contains(log, l => l.Contains("camera lost"));
            Assert.Contains(log, l => l.Contains("exited with code 3") && l.Contains("restarting"));
        }
    }

    [Fact]
    public void A_producer_that_exits_at_once_is_a_clear_error_without_a_hang()
    {
        foreach (var policy in new[] { ProducerExitPolicy.Exit, ProducerExitPolicy.Restart })
        {
            using var source = Shell("echo 'no camera found' >&2; exit 7", policy);
            var watch = Stopwatch.StartNew();
            var e = Assert.Throws<FrameSourceException>(() => source.ReadFrame(new byte[Tiny.FrameBytes], default));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
            Assert.Contains("exited with code 7 before its first frame", e.Message);
            Assert.Contains("no camera found", e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
    }

    [Fact]
    public void A_producer_that_never_starts_is_a_clear_error()
    {
        var e = Assert.Throws<ProgramNotFoundException>(() => new ProcessFrameSource(new ProcessFrameSourceOptions
        {
            Program = "edge-no-such-camera-program",
            Arguments = [],
            Format = Tiny,
            InstallHint = "install it",
        }));
        Assert.Equal("edge-no-such-camera-program: not found on the PATH (install it)", e.Message);
    }

    [Fact]
    public void A_restarted_producer_that_keeps_failing_gives_up()
    {
        // The first run delivers a frame; every later run dies before its first.
        using var dir = new TempDir();
        string marker = dir.File("ran");
        using var source = Shell($"if [ -e {marker} ]; then echo 'device busy' >&2; exit 5; fi; touch {marker}; {FramesThenHalf(9, 9)}", ProducerExitPolicy.Restart, maxFailedRestarts: 3);
        var frame = new byte[Tiny.FrameBytes];
        Assert.True(source.ReadFrame(frame, default));
        var e = Assert.Throws<FrameSourceException>(() => source.ReadFrame(frame, default));
        Assert.Contains("restarted 3 times without delivering a frame", e.Message);
        Assert.Contains("device busy", e.Message);
    }

    [Fact]
    public async Task Stop_ends_a_blocked_read_and_the_child()
    {
        using var source = Shell("exec sleep 30", ProducerExitPolicy.Restart);
        var frame = new byte[Tiny.FrameBytes];
        var read = Task.Run(() => source.ReadFrame(frame, default));
        var watch = Stopwatch.StartNew();
        while (source.ProcessId is null && watch.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(10);
        int pid = source.ProcessId!.Value;
        source.Stop();
        Assert.True(await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(5))) == read, "ReadFrame did not return after Stop");
        Assert.False(await read);
        Assert.True(HasExited(pid), $"child {pid} still running");
    }

    [Fact]
    public void Ffmpeg_frames_arrive_whole_and_in_order()
    {
        _ = TestFiles.Ffmpeg;
        // 5 frames of a lavfi test pattern at 64×48: the Y plane of frame i differs from frame i+1 (a moving pattern).
        using var source = ProcessFrameSource.Ffmpeg(["-f", "lavfi", "-i", "testsrc=size=64x48:rate=10", "-frames:v", "5"], 64, 48);
        var frame = new byte[source.Format.FrameBytes];
        int n = 0;
        while (source.ReadFrame(frame, default)) n++;
        Assert.Equal(5, n);
        Assert.Equal(0, source.PartialFrames);
    }

    internal static bool HasExited(int pid)
    {
        for (int i = 0; i < 100; i++)
        {
            try
            {
                using var p = Process.GetProcessById(pid);
                if (p.HasExited) return true;
            }
            catch (ArgumentException)
            {
                return true;
            }
            Thread.Sleep(20);
        }
        return false;
    }
}
