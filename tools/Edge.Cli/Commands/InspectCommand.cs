using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Edge.Cli.Output;
using Edge.Core.Analysis;
using Edge.Runtime.Format;
using Edge.Runtime.Session;
using Spectre.Console;

namespace Edge.Cli.Commands;

/// <summary>
/// <c>edge inspect MODEL [--json]</c>. An ONNX model: a torchsummary-style table of layers, shapes, parameters and MACs.
/// An int8 <c>.edge</c> model: its operators with tensor shapes, quantization, weight sizes and the kernel that runs each
/// (and on which path), and its memory plan — the arena size, the lower bound (the largest sum of tensors alive at one
/// step) and the naive sum (a buffer per tensor).
/// </summary>
public static class InspectCommand
{
    public static Command Create(CliIO io)
    {
        var model = new Argument<string>("model") { Description = "An ONNX model (.onnx) or an int8 model (.edge)." };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON." };
        var kernels = ModelFiles.KernelsOption();
        var command = new Command("inspect", "Summarize a model: its layers or operators, shapes, parameters and, for .edge, the memory plan.") { model, json, kernels };
        command.SetAction(parse =>
        {
            string path = parse.GetRequiredValue(model);
            if (ModelFiles.KindOf(path) == ModelKind.Edge)
            {
                var session = ModelFiles.LoadSession(path, ModelFiles.ParseKernels(parse.GetValue(kernels)));
                if (parse.GetValue(json)) io.Out.WriteLine(JsonSerializer.Serialize(EdgeJson(path, session), JsonDefaults.Indented));
                else WriteEdge(io.Console, path, session);
                return EdgeCli.Ok;
            }
            var summary = ModelSummary.Of(ModelFiles.LoadFloatGraph(path));
            if (parse.GetValue(json)) io.Out.WriteLine(JsonSerializer.Serialize(SummaryJson.From(summary), JsonDefaults.Indented));
            else SummaryTable.Write(io.Console, summary);
            return EdgeCli.Ok;
        });
        return command;
    }

    private static void WriteEdge(IAnsiConsole console, string path, EdgeSession s)
    {
        var m = s.Model;
        console.WriteLine($"Model: {Path.GetFileName(path)} ({(m.ProducerVersion.Length > 0 ? m.ProducerVersion : "unknown producer")}), {m.Ops.Count} operators, {m.Tensors.Count} tensors");
        foreach (var i in s.Inputs)
            console.WriteLine($"Input:  {Describe(i)}; preprocessing {s.Normalization.ChannelOrder.ToString().ToLowerInvariant()}, mean [{Join(s.Normalization.Mean)}], std [{Join(s.Normalization.Std)}]");
        foreach (var o in s.Outputs) console.WriteLine($"Output: {Describe(o)}");
        if (s.Labels.Count > 0) console.WriteLine($"Labels: {s.Labels.Count} ({string.Join(", ", s.Labels.Take(5))}{(s.Labels.Count > 5 ? ", …" : "")})");

        var table = new Table().Border(TableBorder.Simple)
            .AddColumn(new TableColumn("#").RightAligned()).AddColumn("Operator").AddColumn("Type").AddColumn("Kernel")
            .AddColumn("Input → output (NHWC)").AddColumn("Output quantization").AddColumn(new TableColumn("Weights").RightAligned());
        foreach (var op in s.Operators)
        {
            var inputs = string.Join(" ", op.Inputs.Select(t => Shape(m.Tensors[t])));
            var y = m.Tensors[op.Outputs[0]];
            string kernel = op.Kernel == "view" ? "view" : $"{op.Kernel}/{op.Path}";
            if (op.InPlace && op.Kernel != "view") kernel += " (in place)";
            // Plain text cells: shapes such as [1, 6, 28, 28] would otherwise be read as markup.
            table.AddRow(new Text(op.Index.ToString(CultureInfo.InvariantCulture)), new Text(op.Name), new Text(op.Type.ToString()), new Text(kernel),
                new Text($"{inputs} → {Shape(y)}"), new Text(Quantization(y)), new Text(op.WeightBytes == 0 ? "" : Bytes(op.WeightBytes)));
        }
        console.Write(table);
        console.WriteLine($"Arena:   {Bytes(s.ArenaBytes)} (lower bound {Bytes(s.LowerBoundBytes)}, {Ratio(s):F3}×; naive {Bytes(s.NaiveBytes)}), scratch {Bytes(s.ScratchBytes)}");
        console.WriteLine($"Weights: {Bytes(s.WeightBytes)}");
        console.WriteLine($"CPU:     {CpuFeatures.Describe()}; kernels {s.KernelPath}");
        if (m.Metadata.Count > 0) console.WriteLine("Metadata:");
        foreach (var (k, v) in m.Metadata) console.WriteLine($"  {k} = {v}");
    }

    private static object EdgeJson(string path, EdgeSession s)
    {
        var m = s.Model;
        object Tensor(int t) => TensorJson(m.Tensors[t]);
        return new
        {
            Model = Path.GetFileName(path),
            Producer = m.ProducerVersion,
            Inputs = s.Inputs.Select(InfoJson).ToArray(),
            Outputs = s.Outputs.Select(InfoJson).ToArray(),
            Preprocessing = new { s.Normalization.Mean, s.Normalization.Std, ChannelOrder = s.Normalization.ChannelOrder.ToString().ToLowerInvariant() },
            Labels = s.Labels,
            Operators = s.Operators.Select(o => new
            {
                o.Index, o.Name, Type = o.Type.ToString(), o.Kernel, Path = o.Path.ToString(),
                Inputs = o.Inputs.Select(Tensor).ToArray(), Outputs = o.Outputs.Select(Tensor).ToArray(),
                o.WeightBytes, o.ScratchBytes, o.InPlace,
            }).ToArray(),
            ArenaBytes = s.ArenaBytes,
            LowerBoundBytes = s.LowerBoundBytes,
            NaiveBytes = s.NaiveBytes,
            ArenaRatio = Math.Round(Ratio(s), 4),
            ScratchBytes = s.ScratchBytes,
            WeightBytes = s.WeightBytes,
            Kernels = s.KernelPath.ToString(),
            Cpu = new { Architecture = CpuFeatures.Architecture.ToString(), CpuFeatures.VectorSizes, CpuFeatures.InstructionSets },
            Metadata = m.Metadata,
        };
    }

    private static object InfoJson(SessionTensorInfo t) => new
    {
        t.Name, Dtype = Dtype(t.DataType), Shape = t.LogicalShape, NhwcShape = t.NhwcShape,
        Scale = t.DataType == EdgeDataType.Int8 ? t.Scale : (float?)null, ZeroPoint = t.DataType == EdgeDataType.Int8 ? t.ZeroPoint : (int?)null,
    };

    private static object TensorJson(EdgeTensor t) => new
    {
        t.Name, Dtype = Dtype(t.DataType), t.Shape,
        Scale = t.DataType == EdgeDataType.Int8 ? t.Scale : (float?)null, ZeroPoint = t.DataType == EdgeDataType.Int8 ? t.ZeroPoint : (int?)null,
    };

    private static double Ratio(EdgeSession s) => s.LowerBoundBytes == 0 ? 1 : (double)s.ArenaBytes / s.LowerBoundBytes;

    private static string Describe(SessionTensorInfo t)
        => $"{t.Name} {Dtype(t.DataType)} [{string.Join(",", t.LogicalShape)}]" + (t.IsImageLayout ? $" (NHWC [{string.Join(",", t.NhwcShape)}])" : "")
           + (t.DataType == EdgeDataType.Int8 ? $" s={t.Scale.ToString("G4", CultureInfo.InvariantCulture)} zp={t.ZeroPoint}" : "");

    private static string Shape(EdgeTensor t) => $"[{string.Join(",", t.Shape)}]";

    private static string Quantization(EdgeTensor t)
        => t.DataType == EdgeDataType.Int8 ? $"s={t.Scale.ToString("G4", CultureInfo.InvariantCulture)} zp={t.ZeroPoint}" : Dtype(t.DataType);

    private static string Dtype(EdgeDataType t) => t.ToString().ToLowerInvariant();

    private static string Join(float[] v) => string.Join(", ", v.Select(x => x.ToString("G4", CultureInfo.InvariantCulture)));

    private static string Bytes(long n) => n < 10_000 ? $"{n:N0} B" : n < 10_000_000 ? $"{n / 1024.0:N1} KiB" : $"{n / (1024.0 * 1024):N1} MiB";
}
