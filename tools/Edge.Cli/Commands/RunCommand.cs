using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Edge.Cli.Output;
using Edge.Core.Errors;
using Edge.Core.Files;
using Edge.Core.Graph;
using Edge.Core.Tensors;
using Edge.Reference;
using Edge.Runtime.Session;
using Edge.Vision.Images;
using Edge.Vision.Preprocessing;
using Edge.Vision.Sources;

namespace Edge.Cli.Commands;

/// <summary>
/// <c>edge run MODEL IMAGE... [--top K] [--json]</c>: classifies images with an int8 <c>.edge</c> model — PNG, BMP, PGM
/// and PPM read natively, any other format through ffmpeg when it is installed — resized and normalized as the model
/// records, and prints the top K classes with their labels.
/// <c>edge run MODEL --tensor INPUT.f32 [--json]</c>: runs a raw float32 NCHW tensor file (already normalized, as the
/// golden vectors store them; the batch is the file's length over one item's size) through an ONNX model on the float
/// reference path, or through a <c>.edge</c> model in int8, and prints every output.
/// </summary>
public static class RunCommand
{
    public static Command Create(CliIO io)
    {
        var model = new Argument<string>("model") { Description = "An int8 model (.edge), or an ONNX model (.onnx, run in float with --tensor)." };
        var images = new Argument<string[]>("images") { Description = "Images to classify (.edge models): PNG, BMP, PGM, PPM; other formats need ffmpeg.", Arity = ArgumentArity.ZeroOrMore };
        var tensor = new Option<string?>("--tensor") { Description = "Raw float32 little-endian NCHW input (.f32, or .f32.gz), instead of images; batch inferred from its size." };
        var top = new Option<int>("--top") { Description = "Classes to print per image.", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON." };
        var kernels = ModelFiles.KernelsOption();
        var threads = ModelFiles.ThreadsOption();
        var command = new Command("run", "Run a model on images (top-k classes) or on an input tensor (every output).") { model, images, tensor, top, json, kernels, threads };
        command.SetAction(parse =>
        {
            string modelPath = parse.GetRequiredValue(model);
            var imagePaths = parse.GetValue(images) ?? [];
            var tensorPath = parse.GetValue(tensor);
            if (imagePaths.Length > 0 && tensorPath is not null) throw new CliUsageException("give images or --tensor, not both");
            if (imagePaths.Length == 0 && tensorPath is null) throw new CliUsageException("nothing to run: give images, or --tensor INPUT.f32");
            var kind = ModelFiles.KindOf(modelPath);
            if (kind == ModelKind.Onnx)
            {
                if (tensorPath is null) throw new CliUsageException($"{modelPath}: images need an int8 .edge model, which records the preprocessing (edge convert); an ONNX model runs with --tensor");
                var graph = ModelFiles.LoadFloatGraph(modelPath);
                var outputs = RunFloat(graph, tensorPath, out int batch);
                WriteOutputs(io, parse.GetValue(json), graph.Name, batch, outputs);
                return EdgeCli.Ok;
            }
            using var session = ModelFiles.LoadSession(modelPath, ModelFiles.ParseKernels(parse.GetValue(kernels)), ModelFiles.ParseThreads(parse.GetValue(threads)));
            if (tensorPath is not null)
            {
                var outputs = RunInt8(session, tensorPath, out int batch);
                WriteOutputs(io, parse.GetValue(json), Path.GetFileName(modelPath), batch, outputs);
                return EdgeCli.Ok;
            }
            int k = parse.GetValue(top);
            if (k < 1) throw new CliUsageException($"--top {k}: must be at least 1");
            var results = Classify(session, imagePaths, k);
            if (parse.GetValue(json))
                io.Out.WriteLine(JsonSerializer.Serialize(new { Model = Path.GetFileName(modelPath), Kernels = session.KernelPath.ToString(), Results = results }, JsonDefaults.Indented));
            else WriteTopK(io, results);
            return EdgeCli.Ok;
        });
        return command;
    }

    // ── Images through an int8 session ──────────────────────────────────────────────────────────────────────────────

    public sealed record Ranked(int Rank, int Index, string? Label, float Score);

    public sealed record ImageResult(string Image, int Width, int Height, int Channels, Ranked[] Top);

    private static ImageResult[] Classify(EdgeSession session, string[] paths, int k)
    {
        var input = new ImageInput(session);
        var scores = new float[session.Outputs[0].ElementCount];
        var top = new int[Math.Min(k, scores.Length)];
        var results = new List<ImageResult>();
        foreach (var path in paths)
        {
            var image = Decode(path, gray: input.Channels == 1);
            input.Run(image, scores);
            EdgeSession.TopK(scores, top);
            var ranked = top.Select((index, r) => new Ranked(r + 1, index, index < session.Labels.Count ? session.Labels[index] : null, scores[index])).ToArray();
            results.Add(new ImageResult(path, image.Width, image.Height, image.Channels, ranked));
        }
        return [.. results];
    }

    /// <summary>PNG, BMP, PGM and PPM natively; any other extension through ffmpeg.</summary>
    private static DecodedImage Decode(string path, bool gray)
    {
        ModelFiles.ExistingFile(path, "image");
        return ImageDecoder.HasImageExtension(path) ? ImageDecoder.Decode(path) : FfmpegImage.Decode(path, gray);
    }

    private static void WriteTopK(CliIO io, ImageResult[] results)
    {
        foreach (var r in results)
        {
            io.Out.WriteLine($"{r.Image} ({r.Width}×{r.Height}, {(r.Channels == 1 ? "gray" : "RGB")})");
            int labelWidth = r.Top.Max(t => Name(t).Length);
            foreach (var t in r.Top)
                io.Out.WriteLine($"  {t.Rank,2}. {Name(t).PadRight(labelWidth)}  {t.Score.ToString("F4", CultureInfo.InvariantCulture),10}");
        }
    }

    /// <summary>"Ankle boot (9)", or "class 9" for a model without labels.</summary>
    private static string Name(Ranked t) => t.Label is null ? $"class {t.Index}" : $"{t.Label} ({t.Index})";

    // ── Tensor files ────────────────────────────────────────────────────────────────────────────────────────────────

    /// <summary>
    /// The tensor file through the float reference path, one model batch at a time: a model whose batch is fixed at B
    /// (1, as <c>torch.onnx.export</c> gives by default) runs the file's items B by B, a dynamic one item by item, so a
    /// file of any number of items runs in the memory of one batch. Every output is gathered over the items.
    /// </summary>
    private static List<(string Name, int[] Shape, float[] Data)> RunFloat(ModelGraph graph, string inputPath, out int batch)
    {
        if (graph.Inputs.Count != 1) throw new CliUsageException($"--tensor feeds one input; the model has {graph.Inputs.Count}: {string.Join(", ", graph.Inputs.Select(i => i.Name))}");
        var input = graph.Inputs[0];
        long perItemLong = input.Shape.WithBatch(1).ElementCount;
        int runBatch = input.Shape[0] == TensorShape.Dynamic ? 1 : input.Shape[0];
        long perRunLong = perItemLong * runBatch;
        if (perRunLong <= 0 || perRunLong * 4 > InputLimits.MaxBytes)
            throw new CliUsageException($"input '{input.Name}' {input.Shape}: one batch of {perRunLong} floats is larger than Edge reads: {InputLimits.BytesHint}");
        int perRun = (int)perRunLong;
        var executor = new ReferenceExecutor(graph, runBatch);
        var shapes = executor.ShapesFor(runBatch);
        var gathered = graph.Outputs.Select(_ => new List<float>()).ToArray();
        var data = new float[perRun];
        using (var reader = OpenTensor(inputPath, perRun, $"input '{input.Name}' {input.Shape} ({perItemLong} floats per item{(runBatch > 1 ? $", batches of {runBatch}" : "")})"))
        {
            while (ReadItem(reader, data, inputPath))
            {
                var results = executor.Run(new Dictionary<string, float[]> { [input.Name] = data }, runBatch);
                for (int o = 0; o < graph.Outputs.Count; o++) gathered[o].AddRange(results[graph.Outputs[o]]);
            }
            batch = reader.Count * runBatch;
        }
        int items = batch;
        return graph.Outputs.Select((o, i) => (o, (int[])[items, .. shapes[o].ToArray()[1..]], gathered[i].ToArray())).ToList();
    }

    /// <summary>Each item of the tensor file through the session; every output gathered over the batch.</summary>
    private static List<(string Name, int[] Shape, float[] Data)> RunInt8(EdgeSession session, string inputPath, out int batch)
    {
        var input = session.Inputs[0];
        int perItem = input.ElementCount;
        var gathered = session.Outputs.Select(_ => new List<float>()).ToArray();
        var item = new float[perItem];
        var outputs = session.Outputs.Select(o => new float[o.ElementCount]).ToArray();
        using (var reader = OpenTensor(inputPath, perItem, $"input '{input.Name}' [{string.Join(", ", input.LogicalShape)}] ({perItem} floats per item)"))
        {
            while (ReadItem(reader, item, inputPath))
            {
                session.Run(item, outputs[0]);
                for (int o = 1; o < outputs.Length; o++) session.ReadOutput(o, outputs[o]);
                for (int o = 0; o < outputs.Length; o++) gathered[o].AddRange(outputs[o]);
            }
            batch = reader.Count;
        }
        int items = batch;
        return session.Outputs.Select((o, i) => (o.Name, (int[])[items, .. o.LogicalShape[1..]], gathered[i].ToArray())).ToList();
    }

    /// <summary>Opens the tensor file for items of <paramref name="perItem"/> floats; <paramref name="fits"/> describes the input in errors.</summary>
    private static TensorItems OpenTensor(string path, int perItem, string fits)
    {
        ModelFiles.ExistingFile(path, "--tensor");
        // A first pass checks the whole file (size limit, gzip trailer, whole items, finite values) before any item runs.
        var check = new TensorItems(Float32File.OpenItems(path, perItem), fits);
        using (check)
        {
            var item = new float[perItem];
            while (ReadItem(check, item, path)) { }
        }
        return new TensorItems(Float32File.OpenItems(path, perItem), fits);
    }

    private sealed record TensorItems(Float32ItemReader Reader, string Fits) : IDisposable
    {
        public int Count => Reader.Count;
        public void Dispose() => Reader.Dispose();
    }

    /// <summary>The next item, or false at the end; a file that is not a whole number of items names the input it does not fit.</summary>
    private static bool ReadItem(TensorItems items, float[] item, string path)
    {
        try
        {
            return items.Reader.ReadItem(item);
        }
        catch (DataFormatException e) when (e.Message.Contains("not a whole number of items", StringComparison.Ordinal))
        {
            throw new CliUsageException($"{path}: its floats do not fit {items.Fits}: {e.Message[(path.Length + 2)..]}");
        }
    }

    private static void WriteOutputs(CliIO io, bool json, string model, int batch, List<(string Name, int[] Shape, float[] Data)> outputs)
    {
        if (json)
        {
            var doc = new { Model = model, Batch = batch, Outputs = outputs.Select(o => new { o.Name, o.Shape, o.Data }).ToArray() };
            io.Out.WriteLine(JsonSerializer.Serialize(doc, JsonDefaults.Indented));
            return;
        }
        foreach (var (name, shape, data) in outputs)
        {
            io.Out.WriteLine($"{name} [{string.Join(", ", shape)}]");
            int row = data.Length / batch;
            for (int b = 0; b < batch; b++)
            {
                var item = data.AsSpan(b * row, row);
                int argmax = 0;
                for (int i = 1; i < item.Length; i++) if (item[i] > item[argmax]) argmax = i;
                var values = string.Join(" ", item.ToArray().Select(v => v.ToString("G6", CultureInfo.InvariantCulture)));
                io.Out.WriteLine($"  [{b}] argmax={argmax} {values}");
            }
        }
    }
}
