using System.Globalization;
using System.Xml.Linq;

namespace Edge.Quantization.Reporting;

/// <summary>
/// The report's plots as SVG elements, drawn by hand (no script, no external resource): horizontal bars per layer,
/// range bars on a log axis, a histogram with a marked interval, a heat-map matrix. Every plotted figure also sits in a
/// <c>data-*</c> attribute at full precision, so a reader (or a test) can take the numbers back out of the drawing.
/// </summary>
internal static class SvgChart
{
    public static readonly XNamespace Ns = "http://www.w3.org/2000/svg";

    private const int LabelWidth = 300, RowHeight = 18, Top = 28, Bottom = 30, RightPad = 70;

    /// <summary>A number as an attribute value: invariant, round-trippable.</summary>
    public static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Px(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    public static XElement Svg(string plot, double width, double height, string label, params object[] content)
        => new(Ns + "svg",
            new XAttribute("class", "plot"), new XAttribute("data-plot", plot),
            new XAttribute("width", Px(width)), new XAttribute("height", Px(height)),
            new XAttribute("viewBox", $"0 0 {Px(width)} {Px(height)}"), new XAttribute("role", "img"), new XAttribute("aria-label", label),
            content);

    public static XElement Text(double x, double y, string text, string? cls = null, string anchor = "start")
        => new(Ns + "text", new XAttribute("x", Px(x)), new XAttribute("y", Px(y)), new XAttribute("text-anchor", anchor),
            cls is null ? null : new XAttribute("class", cls), text);

    public static XElement Line(double x1, double y1, double x2, double y2, string cls)
        => new(Ns + "line", new XAttribute("x1", Px(x1)), new XAttribute("y1", Px(y1)), new XAttribute("x2", Px(x2)), new XAttribute("y2", Px(y2)), new XAttribute("class", cls));

    public static XElement Rect(double x, double y, double w, double h, string cls, params object[] content)
        => new(Ns + "rect", new XAttribute("x", Px(x)), new XAttribute("y", Px(y)), new XAttribute("width", Px(Math.Max(w, 0))), new XAttribute("height", Px(Math.Max(h, 0))),
            new XAttribute("class", cls), content);

    public static XElement Title(string text) => new(Ns + "title", text);

    /// <summary>One bar per row; <c>null</c> values (exact) are drawn full length and marked. Bars carry <c>data-value</c>.</summary>
    public static XElement HorizontalBars(string plot, string label, string unit, IReadOnlyList<(string Name, double? Value, string Class)> rows, double width = 900)
    {
        double finiteMax = rows.Where(r => r.Value is { } v && double.IsFinite(v)).Select(r => r.Value!.Value).DefaultIfEmpty(0).Max();
        double axisMax = Math.Max(10, Math.Ceiling(finiteMax / 10) * 10);
        double plotWidth = width - LabelWidth - RightPad;
        double height = Top + rows.Count * RowHeight + Bottom;
        var content = new List<object>();
        for (double tick = 0; tick <= axisMax + 1e-9; tick += 10)
        {
            double x = LabelWidth + plotWidth * tick / axisMax;
            content.Add(Line(x, Top - 4, x, Top + rows.Count * RowHeight, "grid"));
            content.Add(Text(x, Top - 8, $"{tick:0}", "tick", "middle"));
        }
        content.Add(Text(LabelWidth + plotWidth / 2, height - 8, unit, "axis", "middle"));
        for (int i = 0; i < rows.Count; i++)
        {
            var (name, value, cls) = rows[i];
            double y = Top + i * RowHeight;
            double v = value ?? axisMax;
            double w = double.IsFinite(v) ? plotWidth * Math.Clamp(v, 0, axisMax) / axisMax : 0;
            string shown = value is null ? "exact" : ReportText.FormatDb(value.Value);
            content.Add(Text(LabelWidth - 6, y + 13, ReportText.Shorten(name, 46), "label", "end"));
            content.Add(Rect(LabelWidth, y + 3, w, RowHeight - 5, $"bar {cls}",
                new XAttribute("data-name", name), new XAttribute("data-value", value is null ? "exact" : Num(value.Value)),
                Title($"{name}: {shown}{(value is null ? "" : " " + unit.Split(' ')[0])}")));
            content.Add(Text(LabelWidth + w + 4, y + 13, shown, "value"));
        }
        return Svg(plot, width, height, label, content.ToArray());
    }

    /// <summary>
    /// One min–max range per row on a log10 axis (e.g. per-channel weight scales); the ratio is printed at the right.
    /// Each range carries <c>data-min</c> and <c>data-max</c>.
    /// </summary>
    public static XElement LogRanges(string plot, string label, string unit, IReadOnlyList<(string Name, double Min, double Max)> rows, double width = 900)
    {
        var positive = rows.SelectMany(r => new[] { r.Min, r.Max }).Where(v => v > 0).DefaultIfEmpty(1).ToArray();
        double lo = Math.Floor(Math.Log10(positive.Min())), hi = Math.Ceiling(Math.Log10(positive.Max()));
        if (hi <= lo) hi = lo + 1;
        double plotWidth = width - LabelWidth - RightPad;
        double height = Top + rows.Count * RowHeight + Bottom;
        double X(double v) => LabelWidth + plotWidth * (Math.Log10(Math.Max(v, Math.Pow(10, lo))) - lo) / (hi - lo);
        var content = new List<object>();
        for (double e = lo; e <= hi + 1e-9; e++)
        {
            double x = X(Math.Pow(10, e));
            content.Add(Line(x, Top - 4, x, Top + rows.Count * RowHeight, "grid"));
            content.Add(Text(x, Top - 8, $"1e{e:0}", "tick", "middle"));
        }
        content.Add(Text(LabelWidth + plotWidth / 2, height - 8, unit, "axis", "middle"));
        for (int i = 0; i < rows.Count; i++)
        {
            var (name, min, max) = rows[i];
            double y = Top + i * RowHeight + RowHeight / 2.0;
            double x0 = X(min), x1 = X(max);
            content.Add(Text(LabelWidth - 6, y + 4, ReportText.Shorten(name, 46), "label", "end"));
            content.Add(new XElement(Ns + "g", new XAttribute("class", "range"), new XAttribute("data-name", name),
                new XAttribute("data-min", Num(min)), new XAttribute("data-max", Num(max)),
                Title($"{name}: {min:g4} … {max:g4} (×{max / Math.Max(min, double.Epsilon):0.#})"),
                Line(x0, y, x1, y, "span"),
                Circle(x0, y), Circle(x1, y)));
            content.Add(Text(x1 + 8, y + 4, $"×{max / Math.Max(min, double.Epsilon):0.#}", "value"));
        }
        return Svg(plot, width, height, label, content.ToArray());
    }

    private static XElement Circle(double x, double y)
        => new(Ns + "circle", new XAttribute("cx", Px(x)), new XAttribute("cy", Px(y)), new XAttribute("r", "3.5"), new XAttribute("class", "dot"));

    /// <summary>
    /// Bars of <paramref name="counts"/> over [min, max] on a log count axis, with [clipMin, clipMax] shaded and its
    /// edges drawn (when given). Bars carry <c>data-count</c>; the edges <c>data-value</c>.
    /// </summary>
    public static XElement Histogram(string plot, string label, double min, double max, long[] counts, double? clipMin, double? clipMax,
        double width = 420, double height = 180)
    {
        const double left = 10, right = 10, top = 18, bottom = 34;
        double plotWidth = width - left - right, plotHeight = height - top - bottom;
        double X(double v) => left + plotWidth * (v - min) / (max - min);
        double logMax = Math.Log10(1 + counts.DefaultIfEmpty(0).Max());
        var content = new List<object>
        {
            new XAttribute("data-min", Num(min)), new XAttribute("data-max", Num(max)),
        };
        if (clipMin is { } cmin && clipMax is { } cmax)
            content.Add(Rect(X(cmin), top, X(cmax) - X(cmin), plotHeight, "clip-range", Title($"int8 range {cmin:g4} … {cmax:g4}")));
        double binWidth = plotWidth / counts.Length;
        for (int i = 0; i < counts.Length; i++)
        {
            double h = logMax == 0 ? 0 : plotHeight * Math.Log10(1 + counts[i]) / logMax;
            double lo = min + (max - min) * i / counts.Length, hi = min + (max - min) * (i + 1) / counts.Length;
            content.Add(Rect(left + i * binWidth, top + plotHeight - h, Math.Max(binWidth - 0.5, 0.5), h, "hbar",
                new XAttribute("data-count", counts[i].ToString(CultureInfo.InvariantCulture)),
                Title($"{lo:g4} … {hi:g4}: {counts[i]:N0}")));
        }
        content.Add(Line(left, top + plotHeight, left + plotWidth, top + plotHeight, "baseline"));
        if (clipMin is { } a && clipMax is { } b)
        {
            foreach (var (v, name) in new[] { (a, "clip-min"), (b, "clip-max") })
            {
                content.Add(new XElement(Ns + "line", new XAttribute("class", "clip-edge"), new XAttribute("data-edge", name), new XAttribute("data-value", Num(v)),
                    new XAttribute("x1", Px(X(v))), new XAttribute("y1", Px(top)), new XAttribute("x2", Px(X(v))), new XAttribute("y2", Px(top + plotHeight))));
                bool atRight = X(v) > left + plotWidth * 0.75;
                content.Add(Text(X(v) + (atRight ? -3 : 3), top - 5, $"{v:g3}", "clip-label", atRight ? "end" : "start"));
            }
        }
        content.Add(Text(left, height - 18, $"{min:g4}", "tick"));
        content.Add(Text(left + plotWidth, height - 18, $"{max:g4}", "tick", "end"));
        if (min < 0 && max > 0)
        {
            content.Add(Line(X(0), top + plotHeight, X(0), top + plotHeight + 4, "baseline"));
            content.Add(Text(X(0), height - 18, "0", "tick", "middle"));
        }
        content.Add(Text(left + plotWidth / 2, height - 4, "float value (count on a log scale; shaded: the int8 range)", "axis", "middle"));
        return Svg(plot, width, height, label, content.ToArray());
    }

    /// <summary>
    /// A square matrix of counts, rows <paramref name="rowTitle"/>, columns <paramref name="columnTitle"/>, shaded by each
    /// cell's share of its row. Cells carry <c>data-row</c>, <c>data-col</c>, <c>data-count</c>.
    /// </summary>
    public static XElement Matrix(string plot, string label, int[][] counts, IReadOnlyList<string> names, string rowTitle, string columnTitle)
    {
        int n = counts.Length;
        double cell = n <= 12 ? 34 : n <= 30 ? 18 : Math.Max(4, 540.0 / n);
        bool showCounts = n <= 12, showNames = n <= 30;
        double left = showNames ? 120 : 40, top = showNames ? 96 : 40;
        double width = left + n * cell + 20, height = top + n * cell + 30;
        var content = new List<object>
        {
            Text(left + n * cell / 2, 14, columnTitle, "axis", "middle"),
            new XElement(Ns + "text", new XAttribute("class", "axis"), new XAttribute("text-anchor", "middle"),
                new XAttribute("transform", $"translate(14 {Px(top + n * cell / 2)}) rotate(-90)"), rowTitle),
        };
        for (int r = 0; r < n; r++)
        {
            long rowSum = counts[r].Sum(v => (long)v);
            if (showNames) content.Add(Text(left - 6, top + r * cell + cell / 2 + 4, ReportText.Shorten(names[r], 16), "label", "end"));
            for (int c = 0; c < n; c++)
            {
                double share = rowSum == 0 ? 0 : (double)counts[r][c] / rowSum;
                double x = left + c * cell, y = top + r * cell;
                content.Add(Rect(x, y, cell - 1, cell - 1, r == c ? "cell diag" : "cell",
                    new XAttribute("style", $"fill-opacity:{Px(0.06 + 0.94 * share)}"),
                    new XAttribute("data-row", r), new XAttribute("data-col", c), new XAttribute("data-count", counts[r][c]),
                    Title($"{names[r]} → {names[c]}: {counts[r][c]} ({share:P1} of the row)")));
                if (showCounts && counts[r][c] > 0)
                    content.Add(Text(x + cell / 2, y + cell / 2 + 4, counts[r][c].ToString(CultureInfo.InvariantCulture), share > 0.5 ? "count light" : "count", "middle"));
            }
        }
        if (showNames)
        {
            for (int c = 0; c < n; c++)
            {
                double x = left + c * cell + cell / 2;
                content.Add(new XElement(Ns + "text", new XAttribute("class", "label"), new XAttribute("text-anchor", "start"),
                    new XAttribute("transform", $"translate({Px(x + 4)} {Px(top - 6)}) rotate(-60)"), ReportText.Shorten(names[c], 16)));
            }
        }
        return Svg(plot, width, height, label, content.ToArray());
    }
}
