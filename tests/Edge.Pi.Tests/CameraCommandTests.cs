using System.Diagnostics;
using System.Text.Json;
using Edge.Cli;

namespace Edge.Pi.Tests;

/// <summary><c>edge camera</c> end to end: in-process for the argument errors, as a child process for signals and PATH.</summary>
public class CameraCommandTests
{
    private static readonly string Model = Repo.Path("firmware-models/lenet5-fashion.edge");
    private const string LiveSource = "ffmpeg:-re -f lavfi -i testsrc=size=640x480:rate=25";

    private static (int Exit, string Out, string Err) RunInProcess(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = EdgeCli.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static string OneLineError((int Exit, string Out, string Err) r)
    {
        Assert.True(r.Exit == 2, $"exit {r.Exit}, stderr: {r.Err}");
        var lines = r.Err.TrimEnd().Split('\n');
        Assert.True(lines.Length == 1, $"expected one line on stderr, got:\n{r.Err}");
        Assert.StartsWith("edge: ", lines[0]);
        Assert.DoesNotContain("   at ", r.Err);
        return lines[0];
    }

    private static Process StartEdge(string pathVariable, params string[] args)
    {
        var edge = Path.Combine(AppContext.BaseDirectory, "edge.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(edge);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["PATH"] = pathVariable;
        return Process.Start(start)!;
    }

    [Fact]
    public void An_unknown_class_name_is_a_one_line_error()
    {
        var line = OneLineError(RunInProcess("camera", "--model", Model, "--source", "file:" + Repo.Path("firmware-models/data/fashion-test-images-idx3-ubyte.gz"), "--gpio", "17:Hat"));
        Assert.Equal("edge: --gpio 17:Hat: the model has no class 'Hat' (classes: T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot)", line);
    }

    [Fact]
    public void A_missing_device_and_a_missing_rpicam_vid_are_one_line_errors()
    {
        Assert.Equal("edge: /dev/video77: no such device (is the webcam plugged in? ls /dev/video*)",
            OneLineError(RunInProcess("camera", "--model", Model, "--source", "v4l2:/dev/video77")));
        if (Edge.Vision.Sources.ProcessFrameSource.Locate("rpicam-vid") is null)
            Assert.Equal("edge: rpicam-vid: not found on the PATH (Raspberry Pi OS: sudo apt install rpicam-apps)",
                OneLineError(RunInProcess("camera", "--model", Model, "--source", "rpicam")));
        Assert.StartsWith("edge: --source webcam: expected rpicam", OneLineError(RunInProcess("camera", "--model", Model, "--source", "webcam")));
    }

    [Fact]
    public void Pins_without_a_gpio_controller_are_a_one_line_error()
    {
        // This build machine has no GPIO chip a user may open: the error says so in one line (on a Pi the pin opens).
        if (File.Exists("/dev/gpiochip0")) return;
        var line = OneLineError(RunInProcess("camera", "--model", Model, "--source", "file:" + Repo.Path("firmware-models/data/fashion-test-images-idx3-ubyte.gz"), "--gpio", "17:Trouser", "--frames", "2"));
        Assert.StartsWith("edge: GPIO: no usable GPIO controller on this machine", line);
    }

    [Fact]
    public void Missing_ffmpeg_is_a_one_line_error()
    {
        using var p = StartEdge("/nonexistent-bin", "camera", "--model", Model, "--source", LiveSource);
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        OneLineError((p.ExitCode, "", err));
        Assert.Equal("edge: ffmpeg: not found on the PATH (Debian/Raspberry Pi OS: sudo apt install ffmpeg)", err.Trim());
    }

    [Fact]
    public void Frames_n_stops_by_itself_with_predictions_and_a_stats_line()
    {
        var r = RunInProcess("camera", "--model", Model, "--source", "file:" + Repo.Path("firmware-models/data/fashion-test-images-idx3-ubyte.gz"), "--frames", "5", "--json");
        Assert.True(r.Exit == 0, r.Err);
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        for (int i = 0; i < 5; i++)
        {
            using var doc = JsonDocument.Parse(lines[i]);
            Assert.Equal(i, doc.RootElement.GetProperty("frame").GetInt64());
        }
        Assert.Contains("stats (total): ", r.Err);
    }

    [Fact]
    public async Task Sigterm_exits_0_within_a_second_with_whole_json_lines_and_the_child_gone()
    {
        using var p = StartEdge(Environment.GetEnvironmentVariable("PATH") ?? "", "camera", "--model", Model, "--source", LiveSource, "--json", "--stats", "0.5");
        var stdout = new List<string>();
        var lines = new SemaphoreSlim(0);
        var outText = new System.Text.StringBuilder();
        var reader = Task.Run(() =>
        {
            var buffer = new char[4096];
            int n;
            while ((n = p.StandardOutput.Read(buffer, 0, buffer.Length)) > 0)
            {
                lock (outText) outText.Append(buffer, 0, n);
                for (int i = 0; i < n; i++) if (buffer[i] == '\n') lines.Release();
            }
        });
        var err = p.StandardError.ReadToEndAsync();
        for (int i = 0; i < 5; i++)
            Assert.True(await lines.WaitAsync(TimeSpan.FromSeconds(30)), $"no predictions; stderr: {(p.HasExited ? await err : "")}");
        var children = ChildrenOf(p.Id);
        Assert.NotEmpty(children); // ffmpeg
        var watch = Stopwatch.StartNew();
        using (var kill = Process.Start("kill", ["-TERM", p.Id.ToString()])) kill.WaitForExit();
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(10)), "edge camera did not exit after SIGTERM");
        var took = watch.Elapsed;
        await reader;
        string stderr = await err;
        Assert.True(p.ExitCode == 0, $"exit {p.ExitCode}; stderr: {stderr}");
        Assert.True(took < TimeSpan.FromSeconds(1), $"exited {took.TotalMilliseconds:0} ms after SIGTERM");
        string text;
        lock (outText) text = outText.ToString();
        Assert.EndsWith("\n", text);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var doc = JsonDocument.Parse(line); // every line whole
            Assert.True(doc.RootElement.TryGetProperty("class", out _));
        }
        foreach (int child in children) Assert.False(IsRunning(child), $"child {child} still running");
        Assert.Contains("stats (total): ", stderr);
    }

    private static List<int> ChildrenOf(int pid)
    {
        var result = new List<int>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            var file = Path.Combine(task, "children");
            if (!File.Exists(file)) continue;
            foreach (var s in File.ReadAllText(file).Split(' ', StringSplitOptions.RemoveEmptyEntries)) result.Add(int.Parse(s));
        }
        return result;
    }

    private static bool IsRunning(int pid)
    {
        for (int i = 0; i < 50; i++)
        {
            // A zombie (state Z) waiting to be reaped by its parent is gone as far as the camera is concerned.
            var stat = $"/proc/{pid}/stat";
            if (!File.Exists(stat)) return false;
            string s;
            try
            {
                s = File.ReadAllText(stat);
            }
            catch (IOException)
            {
                return false;
            }
            if (s[(s.LastIndexOf(')') + 2)..].StartsWith('Z')) return false;
            Thread.Sleep(20);
        }
        return true;
    }
}
