using System.Globalization;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using Edge.Tests.Shared;

namespace Edge.Cli.Tests;

/// <summary><c>edge compare</c> on LeNet-5 (Fashion-MNIST) converted here; its HTML report parsed back.</summary>
public class CompareCommandTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private static readonly XNamespace Xhtml = "http://www.w3.org/1999/xhtml";

    private sealed record Converted(TempDir Dir, string Onnx, string Edge, string Images, string Labels);

    private static readonly Lazy<Converted> LeNet = new(() =>
    {
        var dir = new TempDir(); // lives for the test run
        var entry = FirmwareModels.Get("lenet5-fashion");
        string onnx = FirmwareModels.OnnxPath(entry, "onnx"), edge = dir.File("lenet5-fashion.edge");
        var convert = CliRunner.Run("convert", onnx, "--calib", FirmwareModels.PathOf(entry.CalibrationData!.Images), "-o", edge,
            "--samples", "100", "--mean", "0.286", "--std", "0.353");
        Assert.True(convert.Exit == 0, convert.Err);
        return new Converted(dir, onnx, edge, FirmwareModels.PathOf(entry.TestData!.Images), FirmwareModels.PathOf(entry.TestData.Labels));
    });

    private static readonly Lazy<(JsonDocument Json, XDocument Html)> Report = new(() =>
    {
        var m = LeNet.Value;
        string html = m.Dir.File("report.html");
        var (exit, stdout, stderr) = CliRunner.Run("compare", m.Onnx, m.Edge, "--data", m.Images, "--labels", m.Labels, "--limit", "120", "--json", "-o", html);
        Assert.True(exit == 0, stderr);
        Assert.Contains("Wrote " + html, stderr);
        using var reader = XmlReader.Create(html, new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
        return (JsonDocument.Parse(stdout), XDocument.Load(reader));
    });

    private static IEnumerable<XElement> Plots(XDocument html, string plot)
        => html.Descendants(Svg + "svg").Where(s => (string?)s.Attribute("data-plot") == plot);

    private static double Number(XElement e, string attribute) => double.Parse((string)e.Attribute(attribute)!, CultureInfo.InvariantCulture);

    [Fact]
    public void The_report_has_one_svg_per_plot()
    {
        var (json, html) = Report.Value;
        var layers = json.RootElement.GetProperty("layers").EnumerateArray().ToArray();
        int int8Layers = layers.Count(l => l.GetProperty("data_type").GetString() == "int8");
        Assert.Single(Plots(html, "sqnr"));
        Assert.Single(Plots(html, "weight-scales"));
        Assert.Equal(int8Layers, Plots(html, "histogram").Count());
        Assert.Single(Plots(html, "agreement-matrix"));
        Assert.Single(Plots(html, "confusion-int8"));
        Assert.Single(Plots(html, "confusion-float"));
        Assert.Equal(2 + int8Layers + 3, html.Descendants(Svg + "svg").Count());
        Assert.True(int8Layers >= 6, $"{int8Layers} int8 layers");
    }

    [Fact]
    public void The_report_works_offline_it_loads_nothing_and_runs_no_script()
    {
        var (_, html) = Report.Value;
        Assert.DoesNotContain(html.Descendants(), e => e.Name.LocalName is "script" or "link" or "img" or "iframe" or "object");
        Assert.DoesNotContain(html.Descendants().Attributes(), a => a.Name.LocalName is "src" or "href");
        Assert.Single(html.Descendants(Xhtml + "style"));
        Assert.Equal("Quantization report: lenet5-fashion.edge", html.Descendants(Xhtml + "title").Single().Value);
    }

    [Fact]
    public void Sqnr_bars_hold_the_json_figures_in_the_json_order()
    {
        var (json, html) = Report.Value;
        var layers = json.RootElement.GetProperty("layers").EnumerateArray().ToArray();
        var bars = Plots(html, "sqnr").Single().Descendants(Svg + "rect").Where(r => ((string)r.Attribute("class")!).StartsWith("bar", StringComparison.Ordinal)).ToArray();
        Assert.Equal(layers.Length, bars.Length);
        for (int i = 0; i < layers.Length; i++)
        {
            var sqnr = layers[i].GetProperty("sqnr_db");
            Assert.StartsWith(layers[i].GetProperty("operator").GetString()!, (string)bars[i].Attribute("data-name")!);
            if (sqnr.ValueKind == JsonValueKind.Null) Assert.Equal("exact", (string)bars[i].Attribute("data-value")!);
            else Assert.Equal(sqnr.GetDouble(), Number(bars[i], "data-value"));
        }
        // The table shows the same figures to one decimal.
        var cells = html.Descendants(Xhtml + "td").Where(td => ((string?)td.Attribute("class"))?.Contains("sqnr") == true).Select(td => td.Value).ToArray();
        Assert.Equal(layers.Select(l => l.GetProperty("sqnr_db") is { ValueKind: JsonValueKind.Number } v ? v.GetDouble().ToString("0.0", CultureInfo.InvariantCulture) : "exact"), cells);
    }

    [Fact]
    public void Histograms_hold_the_json_counts_and_clipping_range()
    {
        var (json, html) = Report.Value;
        var int8 = json.RootElement.GetProperty("layers").EnumerateArray().Where(l => l.GetProperty("data_type").GetString() == "int8").ToArray();
        var figures = html.Descendants(Xhtml + "figure").Where(f => (string?)f.Attribute("class") == "hist").ToArray();
        Assert.Equal(int8.Length, figures.Length);
        for (int i = 0; i < int8.Length; i++)
        {
            var layer = int8[i];
            Assert.Equal(layer.GetProperty("tensor").GetString(), (string)figures[i].Attribute("data-tensor")!);
            var svg = figures[i].Element(Svg + "svg")!;
            var hist = layer.GetProperty("histogram");
            Assert.Equal(hist.GetProperty("min").GetDouble(), Number(svg, "data-min"));
            Assert.Equal(hist.GetProperty("max").GetDouble(), Number(svg, "data-max"));
            var counts = svg.Descendants(Svg + "rect").Where(r => (string?)r.Attribute("class") == "hbar").Select(r => long.Parse((string)r.Attribute("data-count")!, CultureInfo.InvariantCulture));
            Assert.Equal(hist.GetProperty("counts").EnumerateArray().Select(c => c.GetInt64()), counts);
            var edges = svg.Descendants(Svg + "line").Where(l => (string?)l.Attribute("class") == "clip-edge").ToDictionary(l => (string)l.Attribute("data-edge")!, l => Number(l, "data-value"));
            Assert.Equal(layer.GetProperty("clip_min").GetDouble(), edges["clip-min"]);
            Assert.Equal(layer.GetProperty("clip_max").GetDouble(), edges["clip-max"]);
        }
    }

    [Fact]
    public void Matrices_hold_the_json_counts()
    {
        var (json, html) = Report.Value;
        var p = json.RootElement.GetProperty("predictions");
        foreach (var (plot, property) in new[] { ("agreement-matrix", "int8_vs_float"), ("confusion-int8", "int8_confusion"), ("confusion-float", "float_confusion") })
        {
            var expected = p.GetProperty(property).EnumerateArray().Select(r => r.EnumerateArray().Select(c => c.GetInt32()).ToArray()).ToArray();
            var cells = Plots(html, plot).Single().Descendants(Svg + "rect").Where(r => r.Attribute("data-count") is not null).ToArray();
            Assert.Equal(expected.Length * expected.Length, cells.Length);
            foreach (var cell in cells)
                Assert.Equal(expected[(int)cell.Attribute("data-row")!][(int)cell.Attribute("data-col")!], (int)cell.Attribute("data-count")!);
            Assert.Equal(120, expected.Sum(r => r.Sum()));
        }
        var agreement = html.Descendants(Xhtml + "div").Single(d => (string?)d.Attribute("data-figure") == "agreement").Elements().ElementAt(1).Value;
        Assert.Equal(p.GetProperty("agreement").GetDouble().ToString("0.00", CultureInfo.InvariantCulture) + " %", agreement);
        Assert.Equal(10, p.GetProperty("classes").GetInt32());
        Assert.Equal("1", p.GetProperty("class_names")[1].GetString()); // converted without --labels: class indices
    }

    [Fact]
    public void Weight_ranges_hold_the_json_scales()
    {
        var (json, html) = Report.Value;
        var weights = json.RootElement.GetProperty("weights").EnumerateArray().ToArray();
        var ranges = Plots(html, "weight-scales").Single().Descendants(Svg + "g").Where(g => (string?)g.Attribute("class") == "range").ToArray();
        Assert.Equal(weights.Length, ranges.Length);
        for (int i = 0; i < weights.Length; i++)
        {
            Assert.Equal(weights[i].GetProperty("operator").GetString(), (string)ranges[i].Attribute("data-name")!);
            Assert.Equal(weights[i].GetProperty("scale_min").GetDouble(), Number(ranges[i], "data-min"));
            Assert.Equal(weights[i].GetProperty("scale_max").GetDouble(), Number(ranges[i], "data-max"));
            Assert.True(weights[i].GetProperty("scale_spread").GetDouble() >= 1);
        }
        Assert.Equal(["Conv2d", "Conv2d", "Gemm", "Gemm", "Gemm"], weights.Select(w => w.GetProperty("op_type").GetString()));
    }

    [Fact]
    public void Text_output_lists_every_layer_and_names_the_worst()
    {
        var m = LeNet.Value;
        var (exit, stdout, stderr) = CliRunner.Run("compare", m.Onnx, m.Edge, "--data", m.Images, "--limit", "40");
        Assert.True(exit == 0, stderr);
        Assert.Contains("lenet5-fashion.edge against lenet5-fashion.onnx: 40 inputs", stdout);
        Assert.Contains("Worst int8 layer: ", stdout);
        Assert.Contains("Agreement (int8 top-1 = float top-1): ", stdout);
        Assert.DoesNotContain("top-1 int8", stdout); // no labels given
        Assert.Contains("Reshape", stdout);
        Assert.Contains("Scale spread", stdout);
    }

    [Fact]
    public void Without_labels_only_the_agreement_matrix_is_drawn()
    {
        var m = LeNet.Value;
        string html = m.Dir.File("unlabelled.html");
        var (exit, stdout, stderr) = CliRunner.Run("compare", m.Onnx, m.Edge, "--data", m.Images, "--limit", "20", "--json", "-o", html);
        Assert.True(exit == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("predictions").GetProperty("int8_confusion").ValueKind);
        using var reader = XmlReader.Create(html, new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
        var doc = XDocument.Load(reader);
        Assert.Single(Plots(doc, "agreement-matrix"));
        Assert.Empty(Plots(doc, "confusion-int8"));
    }

    [Fact]
    public void Swapped_or_mismatched_models_and_bad_options_are_user_errors()
    {
        var m = LeNet.Value;
        var other = FirmwareModels.OnnxPath(FirmwareModels.Get("mobilenet-fashion"), "onnx");
        Assert.Contains("must be the float ONNX model", CliRunner.AssertUserError(CliRunner.Run("compare", m.Edge, m.Onnx, "--data", m.Images)));
        Assert.Contains("no float twin", CliRunner.AssertUserError(CliRunner.Run("compare", other, m.Edge, "--data", m.Images, "--limit", "2")));
        Assert.Contains("--limit 0", CliRunner.AssertUserError(CliRunner.Run("compare", m.Onnx, m.Edge, "--data", m.Images, "--limit", "0")));
        Assert.Contains("nope.idx", CliRunner.AssertUserError(CliRunner.Run("compare", m.Onnx, m.Edge, "--data", m.Images, "--labels", m.Dir.File("nope.idx"))));
        Assert.Contains("does not exist", CliRunner.AssertUserError(CliRunner.Run("compare", m.Onnx, m.Edge, "--data", m.Images, "--limit", "2", "-o", m.Dir.File("no/such/dir/r.html"))));
        var mnist = FirmwareModels.Get("lenet5-mnist");
        Assert.Contains("labels", CliRunner.AssertUserError(CliRunner.Run("compare", m.Onnx, m.Edge, "--data", m.Images, "--labels", FirmwareModels.PathOf(mnist.TestData!.Labels))));
    }
}
