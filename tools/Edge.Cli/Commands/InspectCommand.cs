using System.CommandLine;
using System.Text.Json;
using Edge.Cli.Output;
using Edge.Core.Analysis;

namespace Edge.Cli.Commands;

/// <summary><c>edge inspect MODEL [--json]</c>: a torchsummary-style table of layers, shapes, parameters and MACs.</summary>
public static class InspectCommand
{
    public static Command Create(CliIO io)
    {
        var model = new Argument<string>("model") { Description = "An ONNX model (.onnx)." };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON." };
        var command = new Command("inspect", "Summarize a model: per layer its type, output shape, parameters and MACs.") { model, json };
        command.SetAction(parse =>
        {
            var summary = ModelSummary.Of(ModelFiles.LoadFloatGraph(parse.GetRequiredValue(model)));
            if (parse.GetValue(json)) io.Out.WriteLine(JsonSerializer.Serialize(SummaryJson.From(summary), JsonDefaults.Indented));
            else SummaryTable.Write(io.Console, summary);
            return EdgeCli.Ok;
        });
        return command;
    }
}
