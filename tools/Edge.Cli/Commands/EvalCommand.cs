using System.CommandLine;
using System.Text.Json;
using Edge.Cli.Output;
using Edge.Quantization.Evaluation;
using Edge.Vision.Datasets;

namespace Edge.Cli.Commands;

/// <summary>
/// <c>edge eval MODEL.edge --data IMAGES --labels LABELS [--float MODEL.onnx] [--limit N] [--json]</c>: top-1 (top-5
/// over 10 classes) of the int8 model, and with <c>--float</c> of the float model on the same images, their agreement,
/// the int8 confusion matrix and images per second of each path. Images are IDX files; the int8 session quantizes the
/// 8-bit pixels with the normalization the model records, the float path applies the same normalization in float.
/// </summary>
public static class EvalCommand
{
    /// <summary>The largest <c>--float-batch</c>: the reference path holds every activation of a batch at once.</summary>
    public const int MaxFloatBatch = 1024;

    public static Command Create(CliIO io)
    {
        var model = new Argument<string>("model") { Description = "The int8 model (.edge)." };
        var data = new Option<string>("--data") { Description = "Images, an IDX file (.gz accepted).", Required = true };
        var labels = new Option<string>("--labels") { Description = "Labels, an IDX file (.gz accepted).", Required = true };
        var floatModel = new Option<string?>("--float") { Description = "The float ONNX model to compare with, on the float reference path." };
        var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N images." };
        var batch = new Option<int>("--float-batch") { Description = "Images per float reference run.", DefaultValueFactory = _ => Evaluator.DefaultFloatBatch };
        var threads = new Option<int>("--threads") { Description = "Images evaluated at once per path, each on a session of its own running single-threaded (images/s is then the total rate): across images is where threads pay for a whole test set.", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON." };
        var kernels = ModelFiles.KernelsOption();
        var command = new Command("eval", "Measure an int8 model's accuracy (and its float original's) on labelled images.")
            { model, data, labels, floatModel, limit, batch, threads, json, kernels };
        command.SetAction(parse =>
        {
            string path = parse.GetRequiredValue(model);
            if (ModelFiles.KindOf(path) != ModelKind.Edge) throw new CliUsageException($"{path}: eval takes an int8 .edge model (pass the ONNX model with --float)");
            if (parse.GetValue(limit) is < 1) throw new CliUsageException($"--limit {parse.GetValue(limit)}: must be at least 1");
            if (parse.GetValue(batch) is < 1 or > MaxFloatBatch) throw new CliUsageException($"--float-batch {parse.GetValue(batch)}: must be 1 to {MaxFloatBatch}");
            if (parse.GetValue(threads) < 1) throw new CliUsageException($"--threads {parse.GetValue(threads)}: must be at least 1");
            using var session = ModelFiles.LoadSession(path, ModelFiles.ParseKernels(parse.GetValue(kernels)));
            var images = ImageSet.FromIdx(ModelFiles.ExistingFile(parse.GetRequiredValue(data), "--data"), ModelFiles.ExistingFile(parse.GetRequiredValue(labels), "--labels"));
            if (parse.GetValue(limit) is { } n) images = images.Take(n);
            var graph = parse.GetValue(floatModel) is { } f ? ModelFiles.LoadFloatGraph(f) : null;
            var result = EvaluationProgress.Run(io, progress => Evaluator.Evaluate(session, images, graph, parse.GetValue(batch), progress, parse.GetValue(threads)));
            if (parse.GetValue(json)) io.Out.WriteLine(JsonSerializer.Serialize(EvalOutput.From(Path.GetFileName(path), result), JsonDefaults.Indented));
            else EvaluationTable.Write(io.Console, Path.GetFileName(path), result);
            return EdgeCli.Ok;
        });
        return command;
    }

    /// <summary>The JSON document: the model's file name and every figure of the evaluation.</summary>
    public sealed record EvalOutput(
        string Model, int Images, int Classes, IReadOnlyList<string> Labels, EngineResult Int8, EngineResult? Float, double? Agreement,
        double? Int8MinusFloat, int[][] Confusion)
    {
        public static EvalOutput From(string model, EvaluationResult r)
            => new(model, r.Images, r.Classes, r.Labels, r.Int8, r.Float, r.Agreement, r.Int8MinusFloat, r.Confusion);
    }
}
