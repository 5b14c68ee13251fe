using System.CommandLine;
using System.Globalization;
using System.Text;
using Edge.Onnx;
using Edge.Quantization.Calibration;
using Edge.Quantization.Evaluation;
using Edge.Runtime.Session;
using Edge.Vision.Datasets;

namespace Edge.Cli.Commands;

/// <summary>
/// <c>edge accuracy-report [-o firmware-models/ACCURACY.md] [--limit N] [--sqnr-images N]</c>: for every trained shipped
/// model and every calibrator, converts on the shipped calibration subset, evaluates float and int8 on the test set and
/// measures the worst layer's SQNR; writes the Markdown report the default calibrator is chosen from.
/// </summary>
public static class AccuracyCommand
{
    public const string DefaultOutput = "firmware-models/ACCURACY.md";

    public static Command Create(CliIO io)
    {
        var output = new Option<string>("--output", "-o") { Description = "The Markdown file to write.", DefaultValueFactory = _ => DefaultOutput };
        var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N test images of each model (default: the full test sets)." };
        var sqnrImages = new Option<int>("--sqnr-images") { Description = "Test images the per-layer SQNR is measured on.", DefaultValueFactory = _ => 200 };
        var models = new Option<string?>("--models") { Description = "The firmware-models folder (default: found above the working directory)." };
        var command = new Command("accuracy-report", "Measure every calibrator on every trained shipped model; write ACCURACY.md.") { output, limit, sqnrImages, models };
        command.SetAction(parse =>
        {
            int? n = parse.GetValue(limit);
            if (n is < 1) throw new CliUsageException($"--limit {n}: must be at least 1");
            if (parse.GetValue(sqnrImages) < 1) throw new CliUsageException($"--sqnr-images {parse.GetValue(sqnrImages)}: must be at least 1");
            string dir = ShippedModels.Locate(parse.GetValue(models));
            var trained = ShippedModels.Trained(dir);
            OutputFiles.CheckNotInput(parse.GetValue(output)!, "-o", [(Path.Combine(dir, "manifest.json"), "model manifest"),
                .. trained.Select(m => ((string?)m.OnnxPath, $"model {m.Name}"))]);
            var results = ShippedModels.Trained(dir).Select(m => Measure(io, m, n, parse.GetValue(sqnrImages))).ToArray();
            string path = parse.GetValue(output)!;
            OutputFiles.WriteText(path, Markdown(results, Command(parse.GetValue(output)!, n, parse.GetValue(sqnrImages))));
            io.Out.WriteLine($"Wrote {path}: {results.Length} models × {Calibrator.Names.Count} calibrators; measurements favour {Favoured(results)}.");
            return EdgeCli.Ok;
        });
        return command;
    }

    public sealed record CalibratorRow(string Calibrator, double Int8Top1, double Agreement, double WorstSqnrDb, string WorstLayer);

    public sealed record ModelRows(string Model, int Images, int SqnrImages, double FloatTop1, CalibratorRow[] Rows);

    private static ModelRows Measure(CliIO io, ShippedModel model, int? limit, int sqnrImages)
    {
        var graph = OnnxImporter.Import(model.OnnxPath);
        var test = model.TestSet(limit);
        int threads = Environment.ProcessorCount;
        int classes = (int)graph.InferShapes(1)[graph.Outputs[0]].ElementCount;
        var floatPass = Evaluator.EvaluateFloat(graph, model.Normalization, test, classes, threads: threads);
        var sqnrSet = test.Take(sqnrImages);
        var sqnrInputs = new ImageSetSource(sqnrSet, graph.InferShapes(1)[graph.Inputs[0].Name].ToArray()[1..], model.Normalization);
        var rows = new List<CalibratorRow>();
        foreach (var calibrator in Calibrator.Names)
        {
            var conversion = model.Convert(graph, calibrator);
            var session = EdgeSession.FromModel(conversion.Model, source: model.Name);
            var eval = Evaluator.Evaluate(session, test, floatPass, threads);
            var worst = ModelComparer.Compare(graph, session, sqnrInputs).WorstLayer;
            double db = worst?.SqnrDb ?? double.PositiveInfinity;
            string layer = worst?.Operator ?? "none (every int8 tensor exact)";
            rows.Add(new CalibratorRow(calibrator, eval.Int8.Top1, eval.Agreement!.Value, db, layer));
            io.Err.WriteLine($"{model.Name} {calibrator}: int8 {eval.Int8.Top1:F2}% float {floatPass.Result.Top1:F2}% agreement {eval.Agreement:F2}% worst SQNR {db:F1} dB ({layer})");
        }
        return new ModelRows(model.Name, test.Count, sqnrSet.Count, floatPass.Result.Top1, rows.ToArray());
    }

    private static string Command(string output, int? limit, int sqnrImages)
    {
        var sb = new StringBuilder($"edge accuracy-report -o {output}");
        if (limit is { } n) sb.Append($" --limit {n}");
        if (sqnrImages != 200) sb.Append($" --sqnr-images {sqnrImages}");
        return sb.ToString();
    }

    /// <summary>
    /// The report's closing sentence: the rule, the calibrator it favours, and whether the converter's default
    /// (<see cref="Calibrator.DefaultName"/>) follows it. The default is chosen by this rule; a test reads the sentence
    /// back from the committed report and holds the two equal.
    /// </summary>
    public static string DefaultSentence(string favoured)
        => $"Ranked by mean agreement, then by mean abs(int8 − float), these measurements favour **{favoured}**; " +
            (favoured == Calibrator.DefaultName
                ? $"the converter's default follows this rule: it is **{Calibrator.DefaultName}**."
                : $"the converter's default is **{Calibrator.DefaultName}**, which does not follow this rule: change `Calibrator.DefaultName`.");

    /// <summary>The calibrator with the highest mean agreement over the models; ties by the smaller mean |int8 − float|.</summary>
    public static string Favoured(IReadOnlyList<ModelRows> results)
        => Calibrator.Names.OrderByDescending(c => Math.Round(results.Average(m => m.Rows.Single(r => r.Calibrator == c).Agreement), 4))
            .ThenBy(c => results.Average(m => Math.Abs(m.Rows.Single(r => r.Calibrator == c).Int8Top1 - m.FloatTop1))).First();

    private static string Markdown(IReadOnlyList<ModelRows> results, string command)
    {
        static string F(double v, string f = "F2") => double.IsPositiveInfinity(v) ? "∞" : v.ToString(f, CultureInfo.InvariantCulture);
        var md = new StringBuilder();
        md.AppendLine("# Int8 accuracy of the shipped models, per calibrator");
        md.AppendLine();
        md.AppendLine($"Generated by `{command}` (run from the repository root). Do not edit by hand: rerun the command.");
        md.AppendLine();
        md.AppendLine("Each trained model in `manifest.json` is converted once per calibrator, calibrating on its shipped calibration subset " +
            $"with the converter's default sample count (at most {CalibrationRunner.DefaultMaxSamples} images, evenly spaced; percentile at p = {Calibrator.DefaultPercentile.ToString(CultureInfo.InvariantCulture)}). Float top-1 is the float reference path (`ReferenceExecutor`) " +
            "on the ONNX model; int8 top-1 is an `EdgeSession` on the converted model, fed the 8-bit test images. Agreement is the share of images on which " +
            "the two give the same top-1 class. Worst-layer SQNR is 10·log10(Σ float² / Σ (float − int8)²) of the int8 tensor with the lowest ratio, " +
            "as `edge compare` measures it: every operator output of the `EdgeSession`, dequantized, against the same tensor of `ReferenceExecutor` " +
            "on the ONNX graph after the converter's passes, both fed the same normalized images.");
        md.AppendLine();
        foreach (var m in results)
        {
            md.AppendLine($"## {m.Model}");
            md.AppendLine();
            md.AppendLine($"{m.Images} test images; float top-1 {F(m.FloatTop1)}%; SQNR over the first {m.SqnrImages}.");
            md.AppendLine();
            md.AppendLine("| Calibrator | Float top-1 | Int8 top-1 | Int8 − float (pp) | Agreement | Worst-layer SQNR (dB) | Worst layer |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---|");
            foreach (var r in m.Rows)
            {
                string name = r.Calibrator == Calibrator.DefaultName ? $"**{r.Calibrator}** (default)" : r.Calibrator;
                md.AppendLine($"| {name} | {F(m.FloatTop1)}% | {F(r.Int8Top1)}% | {(r.Int8Top1 - m.FloatTop1).ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture)} | {F(r.Agreement)}% | {F(r.WorstSqnrDb, "F1")} | `{r.WorstLayer}` |");
            }
            md.AppendLine();
        }
        md.AppendLine("## Default calibrator");
        md.AppendLine();
        md.AppendLine("| Calibrator | Mean agreement | Mean abs(int8 − float) (pp) | Lowest worst-layer SQNR (dB) |");
        md.AppendLine("|---|---:|---:|---:|");
        foreach (var c in Calibrator.Names)
        {
            var rows = results.Select(m => (m, r: m.Rows.Single(r => r.Calibrator == c))).ToArray();
            md.AppendLine($"| {c} | {F(rows.Average(x => x.r.Agreement))}% | {F(rows.Average(x => Math.Abs(x.r.Int8Top1 - x.m.FloatTop1)))} | {F(rows.Min(x => x.r.WorstSqnrDb), "F1")} |");
        }
        md.AppendLine();
        md.AppendLine(DefaultSentence(Favoured(results)));
        return md.ToString();
    }
}
