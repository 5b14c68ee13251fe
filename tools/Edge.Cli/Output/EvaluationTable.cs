using System.Globalization;
using Edge.Quantization.Evaluation;
using Spectre.Console;

namespace Edge.Cli.Output;

/// <summary>An evaluation as text: accuracy per engine, agreement, speed, the int8 confusion matrix.</summary>
public static class EvaluationTable
{
    public static string Pct(double v) => v.ToString("F2", CultureInfo.InvariantCulture) + "%";

    public static void Write(IAnsiConsole console, string model, EvaluationResult r)
    {
        console.WriteLine($"{model}: {r.Images} images, {r.Classes} classes");
        var table = new Table().Border(TableBorder.Simple).AddColumn("Engine").AddColumn(new TableColumn("Top-1").RightAligned());
        if (r.Int8.Top5 is not null) table.AddColumn(new TableColumn("Top-5").RightAligned());
        table.AddColumn(new TableColumn("Images/s").RightAligned()).AddColumn(new TableColumn("Batch").RightAligned()).AddColumn(new TableColumn("Threads").RightAligned());
        foreach (var e in new[] { r.Int8, r.Float }.OfType<EngineResult>())
        {
            var cells = new List<string> { e.Engine, Pct(e.Top1) };
            if (e.Top5 is { } t5) cells.Add(Pct(t5));
            cells.Add(e.ImagesPerSecond.ToString("F0", CultureInfo.InvariantCulture));
            cells.Add(e.Batch.ToString(CultureInfo.InvariantCulture));
            cells.Add(e.Threads.ToString(CultureInfo.InvariantCulture));
            table.AddRow(cells.Select(c => new Text(c)).ToArray());
        }
        console.Write(table);
        if (r.Agreement is { } a)
            console.WriteLine($"Agreement (int8 top-1 = float top-1): {Pct(a)}; int8 − float: {r.Int8MinusFloat!.Value.ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture)} pp");
        console.WriteLine("Confusion matrix (int8; rows true class, columns predicted):");
        var cm = new Table().Border(TableBorder.Simple).AddColumn("true \\ pred");
        foreach (var l in r.Labels) cm.AddColumn(new TableColumn(Markup.Escape(l)).RightAligned());
        for (int t = 0; t < r.Classes; t++)
            cm.AddRow(new[] { new Text(r.Labels[t]) }.Concat(r.Confusion[t].Select(c => new Text(c.ToString(CultureInfo.InvariantCulture)))).ToArray());
        console.Write(cm);
    }
}
