using Edge.Core.Analysis;
using Spectre.Console;

namespace Edge.Cli.Output;

/// <summary>The model summary as a table, in the spirit of torchsummary.</summary>
public static class SummaryTable
{
    public static void Write(IAnsiConsole console, ModelSummary s)
    {
        console.WriteLine($"Model: {s.Name}");
        foreach (var i in s.Inputs) console.WriteLine($"Input:  {i.Name} {i.Shape} {i.DataType}");
        foreach (var o in s.Outputs) console.WriteLine($"Output: {o.Name} {o.Shape}");
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("Layer").AddColumn("Type").AddColumn("Attributes").AddColumn("Output shape")
            .AddColumn(new TableColumn("Params").RightAligned()).AddColumn(new TableColumn("MACs").RightAligned());
        foreach (var l in s.Layers)
        {
            // Plain text cells: shapes such as [1, 6, 28, 28] would otherwise be read as markup.
            table.AddRow(new Text(l.Name), new Text(l.OpType), new Text(l.Attributes),
                new Text(string.Join(" ", l.OutputShapes.Select(x => x.ToString()))), new Text(l.Parameters.ToString("N0")), new Text(l.Macs.ToString("N0")));
        }
        console.Write(table);
        console.WriteLine($"Total params: {s.TotalParameters:N0}");
        console.WriteLine($"Total MACs:   {s.TotalMacs:N0} (batch 1)");
        console.WriteLine($"Weights:      {s.TotalParameters * 4 / 1024.0:N1} KiB as float32");
    }
}

/// <summary>The JSON form of a model summary.</summary>
public sealed record SummaryJson(string Model, object[] Inputs, object[] Outputs, object[] Layers, long TotalParams, long TotalMacs)
{
    public static SummaryJson From(ModelSummary s) => new(
        s.Name,
        s.Inputs.Select(i => (object)new { i.Name, Shape = i.Shape.ToArray(), Dtype = i.DataType.ToString().ToLowerInvariant() }).ToArray(),
        s.Outputs.Select(o => (object)new { o.Name, Shape = o.Shape.ToArray() }).ToArray(),
        s.Layers.Select(l => (object)new { l.Name, Op = l.OpType, l.Attributes, OutputShapes = l.OutputShapes.Select(x => x.ToArray()).ToArray(), Params = l.Parameters, l.Macs }).ToArray(),
        s.TotalParameters,
        s.TotalMacs);
}
