using System.Device.Gpio;
using System.Diagnostics;
using Edge.Pi.Gpio;
using Edge.Runtime.Session;
using Edge.Vision.Datasets;
using Edge.Vision.Pipeline;
using Edge.Vision.Sinks;
using Edge.Vision.Sources;

namespace Edge.Pi.Tests;

public class GpioPinSinkTests
{
    private static long Ms(double ms) => (long)(ms * Stopwatch.Frequency / 1000);

    private static Prediction At(double ms, int cls, bool above = true)
        => new(0, cls, null, above ? 0.9f : 0.3f, above, 0, Ms(ms), ReadOnlyMemory<float>.Empty);

    [Fact]
    public void A_pin_goes_high_on_its_class_and_low_only_after_the_hold_time()
    {
        var driver = new RecordingGpioDriver();
        var sink = new GpioPinSink(new GpioController(driver), [new PinBinding(17, 3, "Dress"), new PinBinding(27, 8, "Bag")], TimeSpan.FromMilliseconds(100));
        Assert.Equal(["open 17", "write 17 low", "open 27", "write 27 low"], driver.Events);
        driver.Writes.Clear();
        var steps = new (double Ms, int Class, bool Above, PinValue Pin17, PinValue Pin27)[]
        {
            (0, 3, true, PinValue.High, PinValue.Low),     // Dress seen: 17 high
            (40, 5, true, PinValue.High, PinValue.Low),    // another class, within the hold: stays high
            (80, 3, false, PinValue.High, PinValue.Low),   // Dress below the threshold does not count, but the hold still runs
            (99, 8, true, PinValue.High, PinValue.High),   // Bag: 27 high; 17 still inside its 100 ms
            (100, 8, true, PinValue.Low, PinValue.High),   // 100 ms since Dress was last seen: 17 low
            (150, 3, true, PinValue.High, PinValue.High),  // Dress again: 17 high; Bag last seen at 100, so 27 holds
        };
        foreach (var (ms, cls, above, p17, p27) in steps)
        {
            sink.OnPrediction(At(ms, cls, above));
            Assert.True(driver.Level(17) == p17 && driver.Level(27) == p27, $"at {ms} ms (class {cls}, above {above}): pin 17 {driver.Level(17)}, pin 27 {driver.Level(27)}; expected {p17}, {p27}");
        }
        sink.OnPrediction(At(201, 3));
        Assert.Equal(PinValue.Low, driver.Level(27)); // 101 ms after Bag
        // Writes happen only on changes.
        Assert.Equal([(17, PinValue.High), (27, PinValue.High), (17, PinValue.Low), (17, PinValue.High), (27, PinValue.Low)], driver.Writes);
    }

    [Fact]
    public void Zero_hold_follows_every_frame()
    {
        var driver = new RecordingGpioDriver();
        var sink = new GpioPinSink(new GpioController(driver), [new PinBinding(5, 1, "Trouser")], TimeSpan.Zero);
        driver.Writes.Clear();
        foreach (var (ms, cls) in new[] { (0.0, 1), (1, 2), (2, 1), (3, 1), (4, 0) }) sink.OnPrediction(At(ms, cls));
        Assert.Equal([(5, PinValue.High), (5, PinValue.Low), (5, PinValue.High), (5, PinValue.Low)], driver.Writes);
    }

    [Fact]
    public void Stopping_drives_the_pins_low_and_closes_them()
    {
        var driver = new RecordingGpioDriver();
        var controller = new GpioController(driver);
        var sink = new GpioPinSink(controller, [new PinBinding(17, 3, "Dress"), new PinBinding(22, 4, "Coat")], TimeSpan.FromSeconds(10), ownsController: true);
        sink.OnPrediction(At(0, 3));
        Assert.Equal(PinValue.High, driver.Level(17));
        driver.Events.Clear();
        sink.OnStopped();
        Assert.Equal(["write 17 low", "close 17", "write 22 low", "close 22"], driver.Events);
        Assert.Empty(driver.Open);
        sink.OnStopped(); // idempotent
        sink.OnPrediction(At(1, 3)); // ignored once stopped
        Assert.Equal(4, driver.Events.Count);
    }

    [Theory]
    [InlineData("busy", "GPIO pin 18: busy: another process holds it (Device or resource busy)")]
    [InlineData("forbidden", "GPIO pin 18: permission denied (Permission denied): add the user to the gpio group (sudo usermod -aG gpio $USER), then log in again")]
    [InlineData("range", "GPIO pin 40: no such pin (this board has pins 0–27)")]
    public void A_busy_forbidden_or_missing_pin_is_a_clear_error_and_the_pins_opened_before_it_are_released(string what, string message)
    {
        var driver = new RecordingGpioDriver();
        int pin = what == "range" ? 40 : 18;
        if (what == "busy") driver.Busy.Add(18);
        if (what == "forbidden") driver.Forbidden.Add(18);
        var e = Assert.Throws<GpioPinException>(() => new GpioPinSink(new GpioController(driver), [new PinBinding(17, 0, "a"), new PinBinding(pin, 1, "b")], TimeSpan.Zero));
        Assert.Equal(message, e.Message);
        Assert.Empty(driver.Open);
        Assert.Contains("close 17", driver.Events);
    }

    [Fact]
    public void A_crash_of_the_inference_loop_releases_the_pins()
    {
        var session = EdgeSession.Load(Repo.Path("firmware-models/lenet5-fashion.edge"));
        var set = ImageSet.FromIdx(Repo.Path("firmware-models/data/fashion-test-images-idx3-ubyte.gz")).Take(20);
        using var source = new StillFrameSource(Enumerable.Range(0, 20).Select(i => set.Image(i).ToArray()).ToList(), new FrameFormat(28, 28, FramePixelFormat.Gray8), loop: true);
        var driver = new RecordingGpioDriver();
        // Pins for every class, so some pin is high when the loop dies.
        var pins = new GpioPinSink(new GpioController(driver), Enumerable.Range(0, 10).Select(c => new PinBinding(2 + c, c, $"{c}")).ToList(), TimeSpan.FromSeconds(5));
        int n = 0;
        var pipeline = new CameraPipeline(session, source,
        [
            pins,
            new CallbackSink((in Prediction _) => { if (++n == 7) throw new InvalidOperationException("inference loop crashed"); }),
        ], new PipelineOptions { Policy = FramePolicy.Every });
        Assert.Throws<InvalidOperationException>(() => pipeline.Run());
        Assert.Contains(driver.Writes, w => w.Value == PinValue.High);
        Assert.Empty(driver.Open);
        for (int pin = 2; pin < 12; pin++) Assert.Equal(PinValue.Low, driver.Level(pin));
    }

    [Fact]
    public void The_pipeline_drives_a_pin_from_real_predictions()
    {
        var session = EdgeSession.Load(Repo.Path("firmware-models/lenet5-fashion.edge"));
        var set = ImageSet.FromIdx(Repo.Path("firmware-models/data/fashion-test-images-idx3-ubyte.gz"), Repo.Path("firmware-models/data/fashion-test-labels-idx1-ubyte.gz")).Take(60);
        using var source = new StillFrameSource(Enumerable.Range(0, 60).Select(i => set.Image(i).ToArray()).ToList(), new FrameFormat(28, 28, FramePixelFormat.Gray8));
        var driver = new RecordingGpioDriver();
        int trouser = session.Labels.ToList().IndexOf("Trouser");
        var levels = new List<(int Class, bool Above, PinValue Level)>();
        var pins = new GpioPinSink(new GpioController(driver), [new PinBinding(17, trouser, "Trouser")], TimeSpan.Zero);
        var pipeline = new CameraPipeline(session, source,
            [pins, new CallbackSink((in Prediction p) => levels.Add((p.ClassIndex, p.AboveThreshold, driver.Level(17))))],
            new PipelineOptions { Policy = FramePolicy.Every, Threshold = 0.7f });
        pipeline.Run();
        Assert.Equal(60, levels.Count);
        foreach (var (cls, above, level) in levels) Assert.Equal(cls == trouser && above ? PinValue.High : PinValue.Low, level);
        Assert.Contains(levels, l => l.Level == PinValue.High);
        Assert.Empty(driver.Open);
    }
}

internal static class Repo
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "firmware-models", "manifest.json"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no firmware-models/ above {AppContext.BaseDirectory}");
    });

    public static string Path(string relative) => System.IO.Path.Combine(Root.Value, relative);
}
