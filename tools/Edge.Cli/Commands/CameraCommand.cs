using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Edge.Pi.Gpio;
using Edge.Pi.Video;
using Edge.Runtime.Session;
using Edge.Vision.Pipeline;
using Edge.Vision.Sinks;
using Edge.Vision.Sources;

namespace Edge.Cli.Commands;

/// <summary>
/// <c>edge camera --model M.edge --source rpicam|v4l2:/dev/video0|ffmpeg:"ARGS"|file:PATH [--width W --height H --fps F]
/// [--gpio PIN:CLASS[,…]] [--hold MS] [--threshold P] [--smooth K] [--json [FILE]] [--frames N] [--stats S]</c>: the
/// camera pipeline (<see cref="CameraPipeline"/>). Predictions go to stdout (one line each, or JSON lines), stats lines
/// and the producer's stderr to stderr. Ctrl+C and SIGTERM stop it cleanly: the current line is finished, the child
/// process ended, the pins driven low and released, exit code 0.
/// </summary>
public static class CameraCommand
{
    public static Command Create(CliIO io)
    {
        var model = new Option<string>("--model") { Description = "The int8 model (.edge).", Required = true };
        var source = new Option<string>("--source")
        {
            Description = "rpicam (the Pi camera via rpicam-vid), v4l2:/dev/videoN (a USB webcam), ffmpeg:\"ARGS\" (ffmpeg input arguments, e.g. \"-re -i clip.mp4\"), file:PATH (an image, a folder of images or an IDX file).",
            Required = true,
        };
        var width = new Option<int>("--width") { Description = "Frame width (rpicam, v4l2, ffmpeg).", DefaultValueFactory = _ => 640 };
        var height = new Option<int>("--height") { Description = "Frame height.", DefaultValueFactory = _ => 480 };
        var fps = new Option<double?>("--fps") { Description = "Frames per second: the camera's rate (rpicam default 30), ffmpeg's output rate, or the pace of file: (default: as fast as they run)." };
        var gpio = new Option<string?>("--gpio") { Description = "PIN:CLASS[,PIN:CLASS…]: hold a pin high while its class (a label or an index) is seen above the threshold." };
        var hold = new Option<int>("--hold") { Description = "Milliseconds a pin stays high after its class was last seen.", DefaultValueFactory = _ => 500 };
        var threshold = new Option<float>("--threshold") { Description = "Confidence (0–1) a prediction needs to count (console: below it prints '-').", DefaultValueFactory = _ => 0f };
        var smooth = new Option<int>("--smooth") { Description = "Average the class probabilities over the last K frames.", DefaultValueFactory = _ => 1 };
        var json = new Option<string?>("--json") { Description = "Print JSON lines (to stdout, or appended to FILE).", Arity = ArgumentArity.ZeroOrOne };
        var frames = new Option<long>("--frames") { Description = "Stop after N predictions (0: run until stopped).", DefaultValueFactory = _ => 0 };
        var stats = new Option<double>("--stats") { Description = "Seconds between stats lines on stderr (0: only the final one).", DefaultValueFactory = _ => 5 };
        var kernels = ModelFiles.KernelsOption();
        var command = new Command("camera", "Run a model on a live camera or video stream; print predictions, drive GPIO pins.")
        {
            model, source, width, height, fps, gpio, hold, threshold, smooth, json, frames, stats, kernels,
        };
        command.SetAction(parse =>
        {
            var session = ModelFiles.LoadSession(parse.GetRequiredValue(model), ModelFiles.ParseKernels(parse.GetValue(kernels)));
            if (session.ImageSize.Height == 0) throw new CliUsageException($"{parse.GetRequiredValue(model)}: the model's input is not an image");
            int w = parse.GetValue(width), h = parse.GetValue(height);
            if (w < 1 || h < 1 || w > FrameFormat.MaxSide || h > FrameFormat.MaxSide) throw new CliUsageException($"--width {w} --height {h}: each must be in [1, {FrameFormat.MaxSide}]");
            var rate = parse.GetValue(fps);
            if (rate is { } r && !(r > 0 && r <= 1000)) throw new CliUsageException($"--fps {r}: must be in (0, 1000]");
            float p = parse.GetValue(threshold);
            if (!(p >= 0 && p <= 1)) throw new CliUsageException($"--threshold {p}: must be in [0, 1]");
            int k = parse.GetValue(smooth);
            if (k < 1 || k > 1000) throw new CliUsageException($"--smooth {k}: must be in [1, 1000]");
            long n = parse.GetValue(frames);
            if (n < 0) throw new CliUsageException($"--frames {n}: must be 0 or more");
            double statsSeconds = parse.GetValue(stats);
            if (!(statsSeconds >= 0)) throw new CliUsageException($"--stats {statsSeconds}: must be 0 or more");
            int holdMs = parse.GetValue(hold);
            if (holdMs < 0) throw new CliUsageException($"--hold {holdMs}: must be 0 or more");
            var bindings = ParseGpio(parse.GetValue(gpio), session);
            bool jsonOut = parse.GetResult(json) is not null;
            string? jsonFile = parse.GetValue(json);

            var log = (string line) => { lock (io.Err) io.Err.WriteLine(line); };
            var (frameSource, policy) = OpenSource(parse.GetRequiredValue(source), w, h, rate, log);
            using var _ = frameSource;
            var sinks = new List<IPredictionSink>();
            try
            {
                if (jsonOut) sinks.Add(jsonFile is null ? new JsonLinesSink(io.Out) : JsonLinesSink.ToFile(jsonFile));
                if (!jsonOut || jsonFile is not null) sinks.Add(new ConsoleSink(io.Out, p));
                if (bindings.Count > 0) sinks.Add(new GpioPinSink(GpioPinSink.OpenController(), bindings, TimeSpan.FromMilliseconds(holdMs), ownsController: true));
            }
            catch
            {
                foreach (var s in sinks) s.OnStopped();
                throw;
            }
            var pipeline = new CameraPipeline(session, frameSource, sinks, new PipelineOptions
            {
                Threshold = p,
                Smoothing = k,
                MaxFrames = n,
                Policy = policy,
                StatsInterval = TimeSpan.FromSeconds(statsSeconds),
                Log = log,
            });
            using var stop = new CancellationTokenSource();
            ConsoleCancelEventHandler onCtrlC = (_, e) =>
            {
                e.Cancel = true;
                stop.Cancel();
            };
            Console.CancelKeyPress += onCtrlC;
            using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
            {
                c.Cancel = true; // no default termination: the pipeline winds down and the command returns 0
                stop.Cancel();
            });
            try
            {
                log($"camera: {frameSource.Name} {frameSource.Format}, model sees {pipeline.Preprocessor.Crop} → {pipeline.Preprocessor.Width}×{pipeline.Preprocessor.Height}×{pipeline.Preprocessor.Channels}, {session.KernelPath} kernels");
                pipeline.Run(stop.Token);
            }
            finally
            {
                Console.CancelKeyPress -= onCtrlC;
            }
            io.Out.Flush();
            return EdgeCli.Ok;
        });
        return command;
    }

    private static (IFrameSource Source, FramePolicy Policy) OpenSource(string spec, int width, int height, double? fps, Action<string> log)
    {
        if (spec == "rpicam") return (ProcessFrameSource.Rpicam(width, height, fps ?? 30, log), FramePolicy.Latest);
        int colon = spec.IndexOf(':');
        string kind = colon < 0 ? spec : spec[..colon], rest = colon < 0 ? "" : spec[(colon + 1)..];
        switch (kind)
        {
            case "v4l2":
                if (rest.Length == 0) throw new CliUsageException("--source v4l2:DEVICE, e.g. v4l2:/dev/video0");
                return (new V4l2FrameSource(rest, width, height), FramePolicy.Latest);
            case "ffmpeg":
                var args = SplitArguments(rest);
                if (args.Count == 0) throw new CliUsageException("--source ffmpeg:\"ARGS\": give ffmpeg's input arguments, e.g. ffmpeg:\"-re -i clip.mp4\"");
                return (ProcessFrameSource.Ffmpeg(args, width, height, fps ?? 0, log), FramePolicy.Latest);
            case "file":
                if (rest.Length == 0) throw new CliUsageException("--source file:PATH (an image, a folder of images, or an IDX file)");
                if (!File.Exists(rest) && !Directory.Exists(rest)) throw new CliUsageException($"{rest}: no such file or folder");
                return (StillFrameSource.FromPath(rest, fps ?? 0), FramePolicy.Every);
            default:
                throw new CliUsageException($"--source {spec}: expected rpicam, v4l2:/dev/videoN, ffmpeg:\"ARGS\" or file:PATH");
        }
    }

    /// <summary>PIN:CLASS pairs; CLASS is a label (any case) or an index.</summary>
    internal static List<PinBinding> ParseGpio(string? spec, EdgeSession session)
    {
        var result = new List<PinBinding>();
        if (string.IsNullOrWhiteSpace(spec)) return result;
        int classes = session.Outputs[0].ElementCount;
        foreach (var item in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int colon = item.IndexOf(':');
            if (colon <= 0 || colon == item.Length - 1 || !int.TryParse(item.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out int pin))
                throw new CliUsageException($"--gpio {item}: expected PIN:CLASS, e.g. 17:{(session.Labels.Count > 0 ? session.Labels[0] : "0")}");
            string name = item[(colon + 1)..];
            int index = -1;
            for (int i = 0; i < session.Labels.Count; i++)
                if (string.Equals(session.Labels[i], name, StringComparison.OrdinalIgnoreCase)) index = i;
            if (index < 0 && int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int numeric) && numeric < classes) index = numeric;
            if (index < 0)
                throw new CliUsageException($"--gpio {item}: the model has no class '{name}' ({(session.Labels.Count > 0 ? "classes: " + string.Join(", ", session.Labels) : $"class indices 0–{classes - 1}")})");
            result.Add(new PinBinding(pin, index, index < session.Labels.Count ? session.Labels[index] : index.ToString(CultureInfo.InvariantCulture)));
        }
        return result;
    }

    /// <summary>Splits a command line as a POSIX shell would for words: spaces separate, '…' and "…" quote, \ escapes.</summary>
    internal static List<string> SplitArguments(string text)
    {
        var args = new List<string>();
        var word = new StringBuilder();
        bool inWord = false;
        char quote = '\0';
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quote != '\0')
            {
                if (c == quote) quote = '\0';
                else if (c == '\\' && quote == '"' && i + 1 < text.Length) word.Append(text[++i]);
                else word.Append(c);
            }
            else if (c is '\'' or '"')
            {
                quote = c;
                inWord = true;
            }
            else if (c == '\\' && i + 1 < text.Length)
            {
                word.Append(text[++i]);
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord) args.Add(word.ToString());
                word.Clear();
                inWord = false;
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }
        if (quote != '\0') throw new CliUsageException($"ffmpeg arguments: unclosed {quote} in {text}");
        if (inWord) args.Add(word.ToString());
        return args;
    }
}
