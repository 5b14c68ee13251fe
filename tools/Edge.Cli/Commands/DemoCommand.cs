using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Edge.Cli.Output;
using Edge.Onnx;
using Edge.Quantization.Evaluation;
using Edge.Reference;
using Edge.Runtime.Session;
using Edge.Vision.Datasets;
using Spectre.Console;

namespace Edge.Cli.Commands;

/// <summary>
/// <c>edge demo [--limit N] [--out DIR] [--json]</c>, the README's first command: converts every trained model shipped in
/// firmware-models/ (default calibrator and sample count, the shipped calibration subset), evaluates float and int8 on the shipped test
/// set, times both paths at batch 1 (per-image p50 latency, preprocessing included) and prints one table. The models are
/// written under the manifest's <c>edge</c> names; <c>--out firmware-models</c> rewrites the shipped ones (firmware-models/README.md).
/// </summary>
public static class DemoCommand
{
    public static Command Create(CliIO io)
    {
        var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N test images of each model (default: the full test sets)." };
        var timed = new Option<int>("--timed") { Description = "Images timed one by one per path and model, after as many warm-up runs.", DefaultValueFactory = _ => 200 };
        var outDir = new Option<string?>("--out") { Description = "Where to write the .edge models, under the manifest's names (default: a temporary folder)." };
        var models = new Option<string?>("--models") { Description = "The firmware-models folder (default: found above the working directory)." };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON." };
        var threads = ModelFiles.ThreadsOption();
        threads.Description = "Threads of the int8 session whose batch-1 latency the table shows (default 1; 0: min(4, cores)); accuracy runs one single-threaded session per core.";
        var command = new Command("demo", "Convert the shipped models, measure float vs int8 accuracy and speed, print one table.") { limit, timed, outDir, models, json, threads };
        command.SetAction(parse =>
        {
            if (parse.GetValue(limit) is < 1) throw new CliUsageException($"--limit {parse.GetValue(limit)}: must be at least 1");
            if (parse.GetValue(timed) < 1) throw new CliUsageException($"--timed {parse.GetValue(timed)}: must be at least 1");
            string dir = ShippedModels.Locate(parse.GetValue(models));
            string output = parse.GetValue(outDir) ?? Path.Combine(Path.GetTempPath(), "edge-demo");
            OutputFiles.CheckFolder(output, "--out");
            try
            {
                Directory.CreateDirectory(output);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliUsageException($"--out {output}: cannot create the folder: {e.Message}");
            }
            long start = Stopwatch.GetTimestamp();
            int sessionThreads = ModelFiles.ParseThreads(parse.GetValue(threads));
            var rows = EvaluationProgress.Run(io, progress => ShippedModels.Trained(dir)
                .Select(m => Measure(m, output, parse.GetValue(limit), parse.GetValue(timed), sessionThreads, progress)).ToArray());
            var result = new DemoResult(rows, Stopwatch.GetElapsedTime(start).TotalSeconds, output, CpuFeatures.Describe());
            if (parse.GetValue(json)) io.Out.WriteLine(JsonSerializer.Serialize(result, JsonDefaults.Indented));
            else Write(io, result);
            return EdgeCli.Ok;
        });
        return command;
    }

    /// <summary>One model's line: accuracy in percent, latency in ms per image at batch 1, file sizes in bytes.</summary>
    public sealed record DemoRow(
        string Model, int Images, double FloatTop1, double Int8Top1, double Agreement, double FloatMsPerImage, double Int8MsPerImage,
        double Speedup, double FloatImagesPerSecond, double Int8ImagesPerSecond, long OnnxBytes, long EdgeBytes, string EdgePath);

    public sealed record DemoResult(DemoRow[] Models, double Seconds, string OutputFolder, string Cpu);

    private static DemoRow Measure(ShippedModel model, string output, int? limit, int timed, int threads, Action<string, int, int>? progress)
    {
        var graph = OnnxImporter.Import(model.OnnxPath);
        string edgePath = model.EdgePathIn(output);
        OutputFiles.Track(edgePath); // written aside and renamed; its temporary file is removed on Ctrl+C
        model.Convert(graph).Save(edgePath);
        OutputFiles.Done(edgePath);
        using var session = EdgeSession.Load(edgePath);
        using var timing = threads == 1 ? null : EdgeSession.Load(edgePath, new EdgeSessionOptions { Threads = threads });
        var test = model.TestSet(limit);
        var eval = Evaluator.Evaluate(session, test, graph, progress: progress is null ? null : (e, d, t) => progress($"{model.Name} {e}", d, t),
            threads: Environment.ProcessorCount);
        var int8 = TimeInt8(timing ?? session, test, timed);
        var fl = TimeFloat(graph, model, test, timed);
        return new DemoRow(model.Name, eval.Images, eval.Float!.Top1, eval.Int8.Top1, eval.Agreement!.Value, fl.P50Ms, int8.P50Ms,
            fl.P50Ms / int8.P50Ms, fl.ImagesPerSecond, int8.ImagesPerSecond, new FileInfo(model.OnnxPath).Length, new FileInfo(edgePath).Length, edgePath);
    }

    private static Latency TimeInt8(EdgeSession session, ImageSet test, int timed)
    {
        var output = new float[session.Outputs[0].ElementCount];
        return LatencyProbe.Measure(i => session.RunImage(test.Image(i % test.Count), test.Height, test.Width, test.Channels, output), timed, timed);
    }

    private static Latency TimeFloat(Edge.Core.Graph.ModelGraph graph, ShippedModel model, ImageSet test, int timed)
    {
        var executor = new ReferenceExecutor(graph, 1);
        var input = new float[(int)executor.ShapesFor(1)[graph.Inputs[0].Name].ElementCount];
        return LatencyProbe.Measure(i =>
        {
            model.Normalization.ToChw(test.Image(i % test.Count), test.Height, test.Width, test.Channels, input);
            executor.Run(input, 1);
        }, timed, timed);
    }

    private static void Write(CliIO io, DemoResult r)
    {
        static string F(double v, string f) => v.ToString(f, CultureInfo.InvariantCulture);
        var table = new Table().Border(TableBorder.Simple).AddColumn("Model").AddColumn(new TableColumn("Images").RightAligned())
            .AddColumn(new TableColumn("Float top-1").RightAligned()).AddColumn(new TableColumn("Int8 top-1").RightAligned())
            .AddColumn(new TableColumn("Agreement").RightAligned()).AddColumn(new TableColumn("Float ms/img").RightAligned())
            .AddColumn(new TableColumn("Int8 ms/img").RightAligned()).AddColumn(new TableColumn("Speed-up").RightAligned())
            .AddColumn(new TableColumn(".edge / .onnx").RightAligned());
        foreach (var m in r.Models)
        {
            table.AddRow(new Text(m.Model), new Text(m.Images.ToString(CultureInfo.InvariantCulture)), new Text(F(m.FloatTop1, "F2") + "%"),
                new Text(F(m.Int8Top1, "F2") + "%"), new Text(F(m.Agreement, "F2") + "%"), new Text(F(m.FloatMsPerImage, "F3")),
                new Text(F(m.Int8MsPerImage, "F3")), new Text(F(m.Speedup, "F1") + "×"),
                new Text($"{m.EdgeBytes / 1024.0:F0} / {m.OnnxBytes / 1024.0:F0} KiB"));
        }
        io.Console.Write(table);
        io.Out.WriteLine($"Latency: p50 per image at batch 1, one thread, preprocessing included; float = the reference path. CPU: {r.Cpu}.");
        io.Out.WriteLine($"Models written to {r.OutputFolder}; {F(r.Seconds, "F0")} s in all.");
    }
}
