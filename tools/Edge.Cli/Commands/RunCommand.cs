using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Edge.Cli.Output;
using Edge.Core.Graph;
using Edge.Core.Tensors;
using Edge.Reference;

namespace Edge.Cli.Commands;

/// <summary>
/// <c>edge run MODEL --tensor INPUT.f32 [--json]</c>: runs a model on a raw float32 NCHW tensor file (already
/// normalized, as the golden vectors store them); the batch is the file's length over one item's size.
/// </summary>
public static class RunCommand
{
    public static Command Create(CliIO io)
    {
        var model = new Argument<string>("model") { Description = "An ONNX model (.onnx), run on the float reference path." };
        var tensor = new Option<string>("--tensor") { Description = "Raw float32 little-endian NCHW input (.f32, or .f32.gz); batch inferred from its size.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print every output tensor as JSON numbers." };
        var command = new Command("run", "Run a model on an input tensor and print its outputs.") { model, tensor, json };
        command.SetAction(parse =>
        {
            var graph = ModelFiles.LoadFloatGraph(parse.GetRequiredValue(model));
            var inputPath = parse.GetRequiredValue(tensor);
            var outputs = RunFloat(graph, inputPath, out int batch);
            if (parse.GetValue(json)) WriteJson(io.Out, graph.Name, batch, outputs);
            else WriteText(io, batch, outputs);
            return EdgeCli.Ok;
        });
        return command;
    }

    private static List<(string Name, TensorShape Shape, float[] Data)> RunFloat(ModelGraph graph, string inputPath, out int batch)
    {
        if (graph.Inputs.Count != 1) throw new CliUsageException($"--tensor feeds one input; the model has {graph.Inputs.Count}: {string.Join(", ", graph.Inputs.Select(i => i.Name))}");
        if (!File.Exists(inputPath)) throw new CliUsageException($"{inputPath}: no such file");
        var input = graph.Inputs[0];
        var data = Float32File.Read(inputPath);
        long perItem = input.Shape.WithBatch(1).ElementCount;
        bool dynamicBatch = input.Shape[0] == TensorShape.Dynamic;
        if (data.Length == 0 || data.Length % perItem != 0 || (!dynamicBatch && data.Length != input.Shape.ElementCount))
        {
            throw new CliUsageException($"{inputPath}: {data.Length} floats do not fit input '{input.Name}' {input.Shape} ({perItem} floats per item)");
        }
        batch = (int)(data.Length / perItem);
        var executor = new ReferenceExecutor(graph, batch);
        var results = executor.Run(new Dictionary<string, float[]> { [input.Name] = data }, batch);
        var shapes = executor.ShapesFor(batch);
        return graph.Outputs.Select(o => (o, shapes[o], results[o])).ToList();
    }

    private static void WriteText(CliIO io, int batch, List<(string Name, TensorShape Shape, float[] Data)> outputs)
    {
        foreach (var (name, shape, data) in outputs)
        {
            io.Out.WriteLine($"{name} {shape}");
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

    private static void WriteJson(TextWriter w, string model, int batch, List<(string Name, TensorShape Shape, float[] Data)> outputs)
    {
        var doc = new
        {
            Model = model,
            Batch = batch,
            Outputs = outputs.Select(o => new { o.Name, Shape = o.Shape.ToArray(), o.Data }).ToArray(),
        };
        w.WriteLine(JsonSerializer.Serialize(doc, JsonDefaults.Indented));
    }
}
