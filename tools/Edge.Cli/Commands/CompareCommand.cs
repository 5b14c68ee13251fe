using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Edge.Cli.Output;
using Edge.Quantization.Calibration;
using Edge.Quantization.Evaluation;
using Edge.Quantization.Reporting;
using Edge.Vision.Datasets;
using Spectre.Console;

namespace Edge.Cli.Commands;

/// <summary>
/// <c>edge compare MODEL.onnx MODEL.edge --data INPUTS [--labels LABELS] [-o report.html] [--json] [--limit N]</c>:
/// runs the float model and the int8 model on the same inputs and compares them operator by operator — SQNR and cosine
/// of every activation, the int8 clipping range over the float histogram, weight ranges and per-channel scale spread,
/// the prediction matrices — as a table, as JSON, and as a self-contained HTML report with SVG plots.
/// </summary>
public static class CompareCommand
{
    public const int DefaultLimit = 500;

    public static Command Create(CliIO io)
    {
        var floatModel = new Argument<string>("float-model") { Description = "The float ONNX model the int8 model was converted from." };
        var int8Model = new Argument<string>("int8-model") { Description = "The int8 model (.edge)." };
        var data = new Option<string>("--data") { Description = "Inputs: an IDX image file (.gz accepted), a folder of PNG/BMP/PGM/PPM images, an image, or a .f32 tensor file.", Required = true };
        var labels = new Option<string?>("--labels") { Description = "IDX labels of the inputs (adds the confusion matrices)." };
        var output = new Option<string?>("--output", "-o") { Description = "Write the HTML report here." };
        var json = new Option<bool>("--json") { Description = "Print every figure as JSON instead of the table." };
        var limit = new Option<int>("--limit") { Description = "Compare on the first N inputs.", DefaultValueFactory = _ => DefaultLimit };
        var bins = new Option<int>("--bins") { Description = "Histogram bins per tensor.", DefaultValueFactory = _ => ModelComparer.DefaultBins };
        var kernels = ModelFiles.KernelsOption();
        var command = new Command("compare", "Compare an int8 model with its float original layer by layer (SQNR, cosine, histograms); write an HTML report.")
            { floatModel, int8Model, data, labels, output, json, limit, bins, kernels };
        command.SetAction(parse =>
        {
            string onnxPath = parse.GetRequiredValue(floatModel), edgePath = parse.GetRequiredValue(int8Model);
            if (ModelFiles.KindOf(onnxPath) != ModelKind.Onnx) throw new CliUsageException($"{onnxPath}: the first model must be the float ONNX model");
            if (ModelFiles.KindOf(edgePath) != ModelKind.Edge) throw new CliUsageException($"{edgePath}: the second model must be an int8 .edge model");
            if (parse.GetValue(limit) < 1) throw new CliUsageException($"--limit {parse.GetValue(limit)}: must be at least 1");
            if (parse.GetValue(bins) is < 2 or > 1024) throw new CliUsageException($"--bins {parse.GetValue(bins)}: must be 2 to 1024");
            if (parse.GetValue(output) is { } target)
                OutputFiles.CheckNotInput(target, "-o", (onnxPath, "float model"), (edgePath, "int8 model"), (parse.GetValue(data), "input data (--data)"), (parse.GetValue(labels), "labels file (--labels)"));
            var graph = ModelFiles.LoadFloatGraph(onnxPath);
            var session = ModelFiles.LoadSession(edgePath, ModelFiles.ParseKernels(parse.GetValue(kernels)));
            var inputShape = graph.InferShapes(1)[graph.Inputs[0].Name].ToArray();
            var inputs = CalibrationSource.Open(parse.GetRequiredValue(data), inputShape, Evaluator.Normalization(session.Normalization));
            int[]? truth = parse.GetValue(labels) is { } l ? ImageSet.ReadLabels(ModelFiles.ExistingFile(l, "--labels")) : null;
            var result = EvaluationProgress.Run(io, progress =>
                ModelComparer.Compare(graph, session, inputs, truth, parse.GetValue(limit), parse.GetValue(bins), progress, onnxPath));

            if (parse.GetValue(output) is { } path) OutputFiles.WriteText(path, ComparisonReport.ToHtml(result));
            if (parse.GetValue(json)) io.Out.WriteLine(JsonSerializer.Serialize(result, JsonDefaults.Indented));
            else WriteTable(io.Console, result);
            if (parse.GetValue(output) is { } written) io.Err.WriteLine($"Wrote {written}");
            return EdgeCli.Ok;
        });
        return command;
    }

    private static void WriteTable(IAnsiConsole console, ModelComparison c)
    {
        console.WriteLine($"{c.Int8Model} against {c.FloatModel}: {c.Images} inputs ({c.Data}){(c.Calibrator.Length > 0 ? $", calibrator {c.Calibrator}" : "")}");
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn(new TableColumn("#").RightAligned()).AddColumn("Operator").AddColumn("Type").AddColumn("Out")
            .AddColumn(new TableColumn("SQNR dB").RightAligned()).AddColumn(new TableColumn("Cosine").RightAligned())
            .AddColumn(new TableColumn("Float range").RightAligned()).AddColumn(new TableColumn("Int8 range").RightAligned())
            .AddColumn(new TableColumn("Clipped").RightAligned());
        foreach (var l in c.Layers)
        {
            table.AddRow(new[]
            {
                l.Index.ToString(CultureInfo.InvariantCulture), Short(l.Operator), l.OpType, l.DataType,
                l.SqnrDb is { } db ? ReportText.FormatDb(db) : "exact", l.Cosine.ToString("0.0000", CultureInfo.InvariantCulture),
                $"{G(l.FloatMin)} … {G(l.FloatMax)}", l.ClipMin is { } a && l.ClipMax is { } b ? $"{G(a)} … {G(b)}" : "—",
                l.DataType == "int8" ? l.ClippedPercent.ToString("0.000", CultureInfo.InvariantCulture) + "%" : "—",
            }.Select(s => new Text(s)).ToArray());
        }
        console.Write(table);
        if (c.Weights.Count > 0)
        {
            var weights = new Table().Border(TableBorder.Simple).AddColumn("Weights of").AddColumn(new TableColumn("Channels").RightAligned())
                .AddColumn(new TableColumn("Float range").RightAligned()).AddColumn(new TableColumn("Scale spread").RightAligned())
                .AddColumn(new TableColumn("SQNR dB").RightAligned());
            foreach (var w in c.Weights)
            {
                weights.AddRow(new[]
                {
                    Short(w.Operator), w.Channels.ToString(CultureInfo.InvariantCulture), $"{G(w.WeightMin)} … {G(w.WeightMax)}",
                    "×" + w.ScaleSpread.ToString("0.0", CultureInfo.InvariantCulture), w.SqnrDb is { } db ? ReportText.FormatDb(db) : "exact",
                }.Select(s => new Text(s)).ToArray());
            }
            console.Write(weights);
        }
        var p = c.Predictions;
        var worst = c.WorstLayer;
        console.WriteLine($"Agreement (int8 top-1 = float top-1): {EvaluationTable.Pct(p.Agreement)}"
            + (p.Int8Top1 is { } i8 ? $"; top-1 int8 {EvaluationTable.Pct(i8)}, float {EvaluationTable.Pct(p.FloatTop1!.Value)}" : ""));
        if (worst is not null) console.WriteLine($"Worst int8 layer: {worst.Operator} ({worst.OpType}) at {ReportText.FormatDb(worst.SqnrDb!.Value)} dB");
    }

    private static string Short(string name) => ReportText.Shorten(name, 48);

    private static string G(double v) => v.ToString("g4", CultureInfo.InvariantCulture);
}
