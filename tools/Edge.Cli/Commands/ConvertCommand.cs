using Edge.Runtime.Format;
using System.CommandLine;
using System.Globalization;
using Edge.Core.Files;
using Edge.Core.Graph;
using Edge.Quantization;
using Edge.Quantization.Calibration;
using Edge.Quantization.Quantizer;
using Edge.Vision.Preprocessing;
using Spectre.Console;

namespace Edge.Cli.Commands;

/// <summary>
/// <c>edge convert MODEL.onnx -o OUT.edge --calib DATA [options]</c>: folds and fuses the float graph, calibrates it on
/// DATA (an IDX file, a folder of PNG/BMP/PGM/PPM images, or a raw .f32 tensor file), quantizes it to int8 and writes
/// the .edge model; prints per layer its op, shapes, what the passes did, its weight range and int8 parameters.
/// </summary>
public static class ConvertCommand
{
    public static Command Create(CliIO io)
    {
        var model = new Argument<string>("model") { Description = "The float model (.onnx)." };
        var output = new Option<string>("--output", "-o") { Description = "The int8 model to write (.edge).", Required = true };
        var calib = new Option<string>("--calib") { Description = "Calibration data: an IDX image file, a folder of PNG/BMP/PGM/PPM images, or a raw float32 NCHW tensor file (.f32, .f32.gz).", Required = true };
        var calibrator = new Option<string>("--calibrator") { Description = $"How ranges are chosen: {string.Join(", ", Calibrator.Names)}; the default is the one firmware-models/ACCURACY.md favours.", DefaultValueFactory = _ => Calibrator.DefaultName };
        var percentile = new Option<double>("--percentile") { Description = "The percentile calibrator's p: clip (100 − p)% at each end.", DefaultValueFactory = _ => Calibrator.DefaultPercentile };
        var samples = new Option<int?>("--samples") { Description = $"Calibration samples, evenly spaced through the data (default: all, at most {CalibrationRunner.DefaultMaxSamples})." };
        var keepFloat = new Option<string?>("--keep-float") { Description = "Nodes to leave in float32, comma-separated (names as in the optimized graph)." };
        var mean = new Option<string?>("--mean") { Description = "Training normalization mean: input = (pixel/255 − mean)/std; one value or one per channel (default 0)." };
        var std = new Option<string?>("--std") { Description = "Training normalization std, one value or one per channel (default 1)." };
        var order = new Option<string?>("--channel-order") { Description = "gray, rgb or bgr (default: gray for 1 channel, rgb for 3)." };
        var labels = new Option<string?>("--labels") { Description = "A text file with one class label per line, recorded in the model." };
        var int8Output = new Option<bool>("--int8-output") { Description = "Leave the model outputs int8 (default: dequantized to float32)." };
        var int8Softmax = new Option<bool>("--int8-softmax") { Description = "Softmax outputs int8 (scale 1/256, zero point −128) instead of float32." };
        var command = new Command("convert", "Convert a float ONNX model to an int8 .edge model: fold, calibrate, quantize.")
        {
            model, output, calib, calibrator, percentile, samples, keepFloat, mean, std, order, labels, int8Output, int8Softmax,
        };
        command.SetAction(parse =>
        {
            string modelPath = parse.GetRequiredValue(model), outputPath = parse.GetRequiredValue(output);
            OutputFiles.CheckNotInput(outputPath, "-o", (modelPath, "model"), (parse.GetValue(calib), "calibration data (--calib)"), (parse.GetValue(labels), "labels file (--labels)"));
            var graph = ModelFiles.LoadFloatGraph(modelPath);
            var options = new ConverterOptions
            {
                Calibrator = parse.GetValue(calibrator)!,
                Percentile = parse.GetValue(percentile),
                Samples = parse.GetValue(samples),
                Normalization = Normalization(graph, parse.GetValue(mean), parse.GetValue(std), parse.GetValue(order)),
                Quantizer = new QuantizerOptions
                {
                    KeepFloat = SplitList(parse.GetValue(keepFloat)),
                    Int8Output = parse.GetValue(int8Output),
                    Int8Softmax = parse.GetValue(int8Softmax),
                },
                Labels = ReadLabels(parse.GetValue(labels)),
                SourceName = Path.GetFileName(modelPath),
            };
            Calibrator.Create(options.Calibrator, options.Percentile); // an unknown calibrator fails before the data is read
            string calibPath = parse.GetRequiredValue(calib);
            var result = WithProgress(io, progress => Converter.Convert(graph, calibPath, options with { Progress = progress }));
            OutputFiles.Track(outputPath); // the model writer's temporary file is removed on Ctrl+C
            result.Save(outputPath);
            OutputFiles.Done(outputPath);
            Print(io, modelPath, outputPath, graph, result);
            return EdgeCli.Ok;
        });
        return command;
    }

    /// <summary>Runs the conversion under a progress bar when stdout is an interactive terminal, silently otherwise.</summary>
    private static ConversionResult WithProgress(CliIO io, Func<IProgress<CalibrationProgress>?, ConversionResult> convert)
    {
        if (!io.Console.Profile.Capabilities.Interactive) return convert(null);
        ConversionResult? result = null;
        io.Console.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("calibrating", maxValue: 1);
                result = convert(new SyncProgress(p =>
                {
                    task.Description = $"calibrating ({p.Phase})";
                    task.MaxValue = p.Total;
                    task.Value = p.Done;
                }));
            });
        return result!;
    }

    /// <summary>Reports on the calling thread (<see cref="Progress{T}"/> would post to the thread pool).</summary>
    private sealed class SyncProgress(Action<CalibrationProgress> report) : IProgress<CalibrationProgress>
    {
        public void Report(CalibrationProgress value) => report(value);
    }

    private static InputNormalization Normalization(ModelGraph graph, string? mean, string? std, string? order)
    {
        var shape = graph.InferShapes(1)[graph.Inputs[0].Name];
        int channels = shape.Rank == 4 ? shape[1] : 1;
        var m = mean is null ? [0f] : ParseFloats(mean, "--mean");
        var s = std is null ? [1f] : ParseFloats(std, "--std");
        if (m.Length != s.Length && m.Length != 1 && s.Length != 1)
            throw new CliUsageException($"--mean has {m.Length} values and --std {s.Length}: give one, or one per channel, for each");
        if (m.Length == 1 && s.Length > 1) m = Enumerable.Repeat(m[0], s.Length).ToArray();
        if (s.Length == 1 && m.Length > 1) s = Enumerable.Repeat(s[0], m.Length).ToArray();
        var channelOrder = order is null ? (channels == 1 ? EdgeChannelOrder.Gray : EdgeChannelOrder.Rgb)
            : InputNormalization.ParseChannelOrder(order) ?? throw new CliUsageException($"--channel-order '{order}' is not one of gray, rgb, bgr");
        if (s.Any(v => !(v > 0) || !float.IsFinite(v))) throw new CliUsageException($"--std values must be positive, got {std}");
        return new InputNormalization(m, s, channelOrder);
    }

    private static float[] ParseFloats(string text, string option)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new float[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !float.IsFinite(values[i]))
                throw new CliUsageException($"{option} '{text}': '{parts[i]}' is not a number");
        }
        return values;
    }

    private static string[] SplitList(string? text)
        => text is null ? [] : text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static string[] ReadLabels(string? path)
    {
        if (path is null) return [];
        ModelFiles.ExistingFile(path, "--labels");
        var text = System.Text.Encoding.UTF8.GetString(InputFile.ReadAllBytes(path, InputLimits.MaxBytes, "labels file", gzip: false));
        var lines = text.ReplaceLineEndings("\n").Split('\n').Select(l => l.TrimEnd()).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        return [.. lines];
    }

    private static void Print(CliIO io, string modelPath, string outputPath, ModelGraph graph, ConversionResult result)
    {
        var c = io.Console;
        var cal = result.Calibration;
        string calibrator = cal.Calibrator is PercentileCalibrator p ? $"percentile {p.Percentile.ToString(CultureInfo.InvariantCulture)}" : cal.Calibrator.Name;
        var input = result.Model.Tensors[result.Model.Inputs[0].Tensor];
        var pre = result.Model.Inputs[0];
        c.WriteLine($"Model:       {Path.GetFileName(modelPath)} ({graph.ParameterCount:N0} parameters)");
        c.WriteLine($"Calibration: {cal.Source}; {cal.Samples} used, {calibrator}");
        c.WriteLine($"Input:       {input.Name} [{string.Join(", ", input.Shape)}] int8 s={Fmt(input.Scale)} zp={input.ZeroPoint}; " +
                    $"(pixel/255 − [{string.Join(", ", pre.Mean.Select(Fmt))}]) / [{string.Join(", ", pre.Std.Select(Fmt))}], {pre.ChannelOrder.ToString().ToLowerInvariant()}");
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("Layer").AddColumn("Op").AddColumn(new TableColumn("Input → output").NoWrap())
            .AddColumn(new TableColumn("Weights [[min, max]] spread").NoWrap()).AddColumn(new TableColumn("Output s, zp").NoWrap()).AddColumn("Notes");
        foreach (var l in result.Report.Layers)
        {
            string shapes = $"{string.Join(" ", l.InputShapes.Select(Compact))}→{Compact(l.OutputShape)}";
            string weights = l.Weights is not { } w ? ""
                : $"[{Fmt(w.Min)}, {Fmt(w.Max)}]" + (float.IsNaN(w.ScaleMin) ? "" : $" {w.ScaleSpread.ToString("F1", CultureInfo.InvariantCulture)}×");
            string output = l.Output is { } q ? $"{Fmt(q.Scale)}, {q.ZeroPoint}" : "float32";
            string op = (l.IsFloat ? $"{l.OpType} (float)" : l.OpType) + (l.Attributes.Length > 0 ? $" {l.Attributes}" : "");
            string[] cells = [l.Name, op, shapes, weights, output, string.Join("; ", l.Notes)];
            table.AddRow(cells.Select(Markup.Escape).ToArray());
        }
        c.Write(table);
        if (result.Report.Removed.Count > 0) c.WriteLine($"Graph passes also: {string.Join("; ", result.Report.Removed)}");
        long bytes = new FileInfo(outputPath).Length;
        c.WriteLine($"Wrote {outputPath}: {bytes:N0} bytes, {result.Model.Ops.Count} ops, {result.Model.Tensors.Count} tensors" +
                    (result.Model.Labels.Count > 0 ? $", {result.Model.Labels.Count} labels" : ""));
    }

    private static string Fmt(float v) => v.ToString("G4", CultureInfo.InvariantCulture);

    private static string Compact(Edge.Core.Tensors.TensorShape s) => "[" + string.Join(",", s.ToArray()) + "]";
}
