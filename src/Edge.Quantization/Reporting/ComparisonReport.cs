using System.Globalization;
using System.Xml.Linq;
using Edge.Quantization.Evaluation;

namespace Edge.Quantization.Reporting;

/// <summary>
/// A <see cref="ModelComparison"/> as one self-contained HTML page: inline CSS and SVG, no script, no external resource,
/// so it opens offline and can be mailed as one file. It is also well-formed XML (XHTML), so tools can parse it.
/// Sections: summary, SQNR per layer, the per-layer table, weights (per-channel scale ranges), activation histograms
/// with the int8 clipping range, and the prediction matrices.
/// </summary>
public static class ComparisonReport
{
    private static readonly XNamespace H = "http://www.w3.org/1999/xhtml";

    /// <summary>SQNR at or above which a layer is drawn as good.</summary>
    public const double GoodDb = 30;

    /// <summary>SQNR below which a layer is drawn as poor.</summary>
    public const double PoorDb = 20;

    public static string ToHtml(ModelComparison c)
    {
        var html = new XElement(H + "html", new XAttribute("lang", "en"),
            new XElement(H + "head",
                new XElement(H + "meta", new XAttribute("charset", "utf-8")),
                new XElement(H + "meta", new XAttribute("name", "viewport"), new XAttribute("content", "width=device-width, initial-scale=1")),
                new XElement(H + "meta", new XAttribute("name", "generator"), new XAttribute("content", "edge compare")),
                new XElement(H + "title", $"Quantization report: {c.Int8Model}"),
                new XElement(H + "style", Css)),
            new XElement(H + "body",
                new XElement(H + "header",
                    new XElement(H + "h1", "Quantization report: ", new XElement(H + "code", c.Int8Model)),
                    new XElement(H + "p", new XAttribute("class", "sub"),
                        $"int8 model {c.Int8Model} against float model {c.FloatModel}, on {c.Images:N0} inputs from {c.Data}"
                        + (c.Calibrator.Length > 0 ? $"; calibrator {c.Calibrator}" : "") + ".")),
                Summary(c),
                SqnrSection(c),
                LayerTable(c),
                WeightSection(c),
                HistogramSection(c),
                PredictionSection(c),
                new XElement(H + "footer", "Written by ", new XElement(H + "code", "edge compare"),
                    ". SQNR = 10·log10(Σ float² / Σ (float − int8)²) over every element of every input; the float side is the reference path on the ONNX graph after the converter's passes, the int8 side the runtime session, dequantized.")));
        return "<!DOCTYPE html>\n" + html.ToString(SaveOptions.DisableFormatting) + "\n";
    }

    private static XElement Section(string id, string title, params object[] content)
        => new(H + "section", new XAttribute("id", id), new XElement(H + "h2", title), content);

    private static XElement Para(string text, string? cls = null) => new(H + "p", cls is null ? null : new XAttribute("class", cls), text);

    private static string Pct(double? v) => v is { } x ? x.ToString("0.00", CultureInfo.InvariantCulture) + " %" : "—";

    private static string Db(double? v) => v is { } x ? ReportText.FormatDb(x) : "exact";

    private static string G(double v) => v.ToString("g4", CultureInfo.InvariantCulture);

    private static string Band(double? db) => db is null || db >= GoodDb ? "good" : db >= PoorDb ? "fair" : "poor";

    // ── Sections ─────────────────────────────────────────────────────────────────────────────────────────────────────

    private static XElement Summary(ModelComparison c)
    {
        var p = c.Predictions;
        var worst = c.WorstLayer;
        var int8Layers = c.Layers.Where(l => l.DataType == "int8" && l.SqnrDb is not null).Select(l => l.SqnrDb!.Value).Order().ToArray();
        double? median = int8Layers.Length == 0 ? null : int8Layers[int8Layers.Length / 2];
        var cards = new List<XElement>
        {
            Card("agreement", "Top-1 agreement", Pct(p.Agreement), "inputs where int8 and float pick the same class"),
        };
        if (p.Int8Top1 is not null)
        {
            cards.Add(Card("int8-top1", "Int8 top-1", Pct(p.Int8Top1), $"float {Pct(p.FloatTop1)}, difference {(p.Int8Top1 - p.FloatTop1)!.Value.ToString("+0.00;−0.00;0.00", CultureInfo.InvariantCulture)} pp"));
        }
        cards.Add(Card("worst-sqnr", "Worst layer SQNR", worst is null ? "exact" : Db(worst.SqnrDb) + " dB", worst is null ? "no int8 layer differs" : worst.Operator));
        cards.Add(Card("median-sqnr", "Median layer SQNR", median is null ? "—" : ReportText.FormatDb(median.Value) + " dB", $"{c.Layers.Count} operator outputs compared"));
        return new XElement(H + "section", new XAttribute("id", "summary"), new XAttribute("class", "cards"), cards);
    }

    private static XElement Card(string id, string title, string value, string note)
        => new(H + "div", new XAttribute("class", "card"), new XAttribute("data-figure", id),
            new XElement(H + "div", new XAttribute("class", "card-title"), title),
            new XElement(H + "div", new XAttribute("class", "card-value"), value),
            new XElement(H + "div", new XAttribute("class", "card-note"), note));

    private static XElement SqnrSection(ModelComparison c)
    {
        var rows = c.Layers.Select(l => ($"{l.Operator} ({l.OpType})", l.SqnrDb, Band(l.SqnrDb) + (l.DataType == "int8" ? "" : " float"))).ToArray();
        return Section("sqnr", "SQNR per layer",
            Para($"Each bar is one operator's output, in execution order: how far the int8 values are from the float ones (higher is better; green ≥ {GoodDb:0} dB, red < {PoorDb:0} dB, grey: a float32 tensor). Noise accumulates along the network, so later layers are usually lower.", "note"),
            SvgChart.HorizontalBars("sqnr", "SQNR per layer", "SQNR (dB)", rows));
    }

    private static XElement LayerTable(ModelComparison c)
    {
        string[] head = ["#", "Operator", "Op", "Out", "Scale", "Zero point", "SQNR (dB)", "Cosine", "Max |error|", "Float range", "Int8 range", "Clipped"];
        var rows = c.Layers.Select(l => new XElement(H + "tr", new XAttribute("data-tensor", l.Tensor), new XAttribute("class", Band(l.SqnrDb)),
            Td(l.Index.ToString(CultureInfo.InvariantCulture), "num"),
            new XElement(H + "td", new XAttribute("class", "name"), new XAttribute("title", $"output tensor {l.Tensor}"), l.Operator),
            Td(l.OpType),
            Td(l.DataType),
            Td(l.Scale is { } s ? G(s) : "—", "num"),
            Td(l.ZeroPoint?.ToString(CultureInfo.InvariantCulture) ?? "—", "num"),
            Td(Db(l.SqnrDb), "num sqnr"),
            Td(l.Cosine.ToString("0.00000", CultureInfo.InvariantCulture), "num"),
            Td(G(l.MaxAbsError), "num"),
            Td($"{G(l.FloatMin)} … {G(l.FloatMax)}", "num"),
            Td(l.ClipMin is { } a && l.ClipMax is { } b ? $"{G(a)} … {G(b)}" : "—", "num"),
            Td(l.DataType == "int8" ? l.ClippedPercent.ToString("0.000", CultureInfo.InvariantCulture) + " %" : "—", "num")));
        return Section("layers", "Layers",
            Para("Cosine is the cosine similarity of the float and int8 tensors; the int8 range is what the tensor's scale and zero point can hold; clipped is the share of float values more than half a step outside it.", "note"),
            new XElement(H + "div", new XAttribute("class", "scroll"),
                new XElement(H + "table", new XAttribute("id", "layer-table"),
                    new XElement(H + "thead", new XElement(H + "tr", head.Select(h => new XElement(H + "th", h)))),
                    new XElement(H + "tbody", rows))));
    }

    private static XElement Td(string text, string? cls = null) => new(H + "td", cls is null ? null : new XAttribute("class", cls), text);

    private static XElement WeightSection(ModelComparison c)
    {
        if (c.Weights.Count == 0) return Section("weights", "Weights", Para("The model has no int8 Conv or Gemm weights."));
        var rows = c.Weights.Select(w => new XElement(H + "tr", new XAttribute("data-operator", w.Operator),
            Td(w.Operator, "name"), Td(w.OpType), Td(w.Channels.ToString(CultureInfo.InvariantCulture), "num"),
            Td($"{G(w.WeightMin)} … {G(w.WeightMax)}", "num"), Td(G(w.ScaleMin), "num"), Td(G(w.ScaleMax), "num"),
            Td("×" + w.ScaleSpread.ToString("0.0", CultureInfo.InvariantCulture), "num"), Td(Db(w.SqnrDb), "num")));
        return Section("weights", "Weights",
            Para("Per-output-channel weight scales (symmetric, scale = max |w| / 127 per channel), lowest to highest per layer. A wide spread is what per-tensor quantization would have lost: the smallest channels would have been rounded to a few levels.", "note"),
            SvgChart.LogRanges("weight-scales", "Per-channel weight scales per layer", "weight scale (log scale)", c.Weights.Select(w => (w.Operator, w.ScaleMin, w.ScaleMax)).ToArray()),
            new XElement(H + "div", new XAttribute("class", "scroll"),
                new XElement(H + "table", new XAttribute("id", "weight-table"),
                    new XElement(H + "thead", new XElement(H + "tr", new[] { "Operator", "Type", "Channels", "Float weights", "Scale min", "Scale max", "Spread", "Weight SQNR (dB)" }.Select(h => new XElement(H + "th", h)))),
                    new XElement(H + "tbody", rows))));
    }

    private static XElement HistogramSection(ModelComparison c)
    {
        var figures = c.Layers.Where(l => l.DataType == "int8").Select(l =>
            new XElement(H + "figure", new XAttribute("class", "hist"), new XAttribute("data-tensor", l.Tensor),
                new XElement(H + "figcaption",
                    new XElement(H + "span", new XAttribute("class", "hist-name"), new XAttribute("title", l.Operator), ReportText.Shorten(l.Operator, 52)),
                    new XElement(H + "span", new XAttribute("class", $"hist-figures {Band(l.SqnrDb)}"),
                        $"SQNR {Db(l.SqnrDb)} dB · clipped {l.ClippedPercent.ToString("0.000", CultureInfo.InvariantCulture)} %")),
                SvgChart.Histogram("histogram", $"Float values of {l.Tensor}", l.Histogram.Min, l.Histogram.Max, l.Histogram.Counts, l.ClipMin, l.ClipMax)));
        return Section("histograms", "Activation histograms",
            Para("The float values of each int8 tensor over all inputs, with the range its scale and zero point can hold (shaded, edges in red). Values outside are clipped; a range much wider than the values wastes resolution.", "note"),
            new XElement(H + "div", new XAttribute("class", "grid"), figures));
    }

    private static XElement PredictionSection(ModelComparison c)
    {
        var p = c.Predictions;
        var plots = new List<XElement>
        {
            Figure("Float top-1 (rows) against int8 top-1 (columns)", SvgChart.Matrix("agreement-matrix", "Float against int8 predictions", p.Int8VsFloat, p.ClassNames, "float top-1", "int8 top-1")),
        };
        if (p.Int8Confusion is not null && p.FloatConfusion is not null)
        {
            plots.Add(Figure($"Int8 confusion matrix: top-1 {Pct(p.Int8Top1)}", SvgChart.Matrix("confusion-int8", "Int8 confusion matrix", p.Int8Confusion, p.ClassNames, "label", "int8 top-1")));
            plots.Add(Figure($"Float confusion matrix: top-1 {Pct(p.FloatTop1)}", SvgChart.Matrix("confusion-float", "Float confusion matrix", p.FloatConfusion, p.ClassNames, "label", "float top-1")));
        }
        return Section("predictions", "Predictions",
            Para(p.Int8Confusion is null
                ? $"Agreement {Pct(p.Agreement)}. Off-diagonal cells are inputs where int8 and float disagree. Give --labels for the confusion matrices against the truth."
                : $"Agreement {Pct(p.Agreement)}. Rows of the confusion matrices are the true labels; cells are shaded by their share of the row.", "note"),
            new XElement(H + "div", new XAttribute("class", "grid"), plots));
    }

    private static XElement Figure(string caption, XElement svg)
        => new(H + "figure", new XAttribute("class", "matrix"), new XElement(H + "figcaption", caption), svg);

    // No '<', '>' or '&' in here: the style element is written as XML text.
    private const string Css = """
        :root { --fg: #1f2933; --muted: #616e7c; --line: #d9e2ec; --good: #2f9e44; --fair: #e8a317; --poor: #d64545; --accent: #2563eb; }
        * { box-sizing: border-box; }
        body { font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif; color: var(--fg); margin: 0 auto; max-width: 1180px; padding: 24px 32px 48px; background: #fbfcfd; }
        h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 32px 0 6px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
        code { font: 13px ui-monospace, 'DejaVu Sans Mono', monospace; }
        .sub, .note, footer { color: var(--muted); } .note { margin: 4px 0 12px; max-width: 900px; } footer { margin-top: 40px; font-size: 12px; }
        .cards { display: flex; gap: 14px; flex-wrap: wrap; margin-top: 18px; }
        .card { background: white; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; min-width: 210px; flex: 1; }
        .card-title { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
        .card-value { font-size: 26px; font-weight: 600; } .card-note { color: var(--muted); font-size: 12px; overflow-wrap: anywhere; }
        .scroll { overflow-x: auto; max-height: 520px; overflow-y: auto; border: 1px solid var(--line); border-radius: 6px; background: white; }
        table { border-collapse: collapse; font-size: 12px; width: 100%; }
        th { position: sticky; top: 0; background: #f0f4f8; text-align: left; font-weight: 600; }
        th, td { padding: 3px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; } td.name { font-family: ui-monospace, 'DejaVu Sans Mono', monospace; font-size: 11px; }
        tr.poor td.sqnr { color: var(--poor); font-weight: 600; } tr.fair td.sqnr { color: #b7791f; }
        .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 12px; }
        figure { margin: 0; background: white; border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
        figcaption { font-size: 12px; display: flex; justify-content: space-between; gap: 8px; margin-bottom: 2px; min-width: 0; }
        figcaption span { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
        .hist-name { font-family: ui-monospace, 'DejaVu Sans Mono', monospace; font-size: 11px; } .hist-figures.poor { color: var(--poor); font-weight: 600; }
        svg.plot { display: block; background: white; } figure.hist svg.plot { width: 100%; height: auto; }
        svg text { font: 11px system-ui, 'DejaVu Sans', sans-serif; fill: var(--fg); }
        svg .tick, svg .axis { fill: var(--muted); } svg .value { fill: var(--muted); font-size: 10px; }
        svg .grid { stroke: #e4e7eb; stroke-width: 1; } svg .baseline { stroke: #9aa5b1; stroke-width: 1; }
        svg .bar.good { fill: var(--good); } svg .bar.fair { fill: var(--fair); } svg .bar.poor { fill: var(--poor); } svg .bar.float { fill: #9aa5b1; }
        svg .span { stroke: var(--accent); stroke-width: 2; } svg .dot { fill: var(--accent); }
        svg .hbar { fill: var(--accent); } svg .clip-range { fill: #2f9e44; fill-opacity: .10; } svg .clip-edge { stroke: var(--poor); stroke-width: 1.5; stroke-dasharray: 4 3; } svg .clip-label { fill: var(--poor); font-size: 10px; }
        svg .cell { fill: var(--accent); } svg .cell.diag { fill: var(--good); } svg .count { font-size: 10px; } svg .count.light { fill: white; }
        """;
}
