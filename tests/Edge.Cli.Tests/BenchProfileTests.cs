using System.Text.Json;
using Edge.Core.Analysis;
using Edge.Onnx;
using Edge.Runtime.Diagnostics;
using Edge.Tests.Shared;

namespace Edge.Cli.Tests;

/// <summary><c>edge bench</c>'s per-operator times, MACs and GMAC/s, and <c>--peak</c>: the shape and consistency of the figures, never their speed.</summary>
public class BenchProfileTests
{
    [Theory]
    [InlineData("lenet5-fashion")]
    [InlineData("mobilenet-fashion")]
    public void Json_has_per_operator_medians_and_macs_that_add_up_to_the_model(string name)
    {
        var (exit, stdout, stderr) = CliRunner.Run("bench", FirmwareModels.PathOf(name + ".edge"), "--iterations", "15", "--warmup", "2", "--json");
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        var ops = root.GetProperty("operators").EnumerateArray().ToArray();
        Assert.NotEmpty(ops);

        // MACs: the converted model's Conv2d/Gemm operators count exactly what Edge.Core counts on the float ONNX graph.
        long onnxMacs = ModelSummary.Of(OnnxImporter.Import(FirmwareModels.PathOf(name + ".onnx"))).TotalMacs;
        Assert.Equal(onnxMacs, root.GetProperty("total_macs").GetInt64());
        Assert.Equal(onnxMacs, ops.Sum(o => o.GetProperty("macs").GetInt64()));
        foreach (var o in ops)
        {
            string type = o.GetProperty("type").GetString()!;
            long macs = o.GetProperty("macs").GetInt64();
            double us = o.GetProperty("median_us").GetDouble();
            Assert.True(us >= 0, $"operator {o.GetProperty("index").GetInt32()} {type}: median {us} µs");
            if (type is "Conv2d" or "Gemm") Assert.True(macs > 0, $"{type} with {macs} MACs");
            else Assert.Equal(0, macs);
            var gmacs = o.GetProperty("gmac_per_second");
            if (macs > 0 && us > 0) Assert.Equal(macs / (us * 1e3), gmacs.GetDouble(), 1e-9);
            else Assert.Equal(JsonValueKind.Null, gmacs.ValueKind);
            Assert.Equal(JsonValueKind.Null, o.GetProperty("peak_share").ValueKind); // no --peak
        }

        // The rows' medians add up to the reported sum; their means to the observed runs' mean span, which the operators'
        // intervals partition (no operator left out, none counted twice; whatever the machine's load did to the runs).
        double sum = root.GetProperty("operator_sum_us").GetDouble(), observed = root.GetProperty("observed_mean_us").GetDouble();
        Assert.Equal(ops.Sum(o => o.GetProperty("median_us").GetDouble()), sum, 1e-6);
        double means = ops.Sum(o => o.GetProperty("mean_us").GetDouble());
        Assert.True(Math.Abs(means - observed) <= 1e-6 * observed + 1e-6, $"operators' means add up to {means} µs, the observed runs' mean span is {observed} µs");
        Assert.True(observed > 0);
        foreach (var o in ops) Assert.True(o.GetProperty("mean_us").GetDouble() >= 0);
        double p50 = root.GetProperty("latency_ms").GetProperty("p50").GetDouble();
        Assert.Equal(onnxMacs / (p50 * 1e6), root.GetProperty("gmac_per_second").GetDouble(), 1e-9);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("peak").ValueKind);
    }

    [Fact]
    public void Peak_alone_gives_a_positive_figure_for_every_loop_this_machine_has()
    {
        var (exit, stdout, stderr) = CliRunner.Run("bench", "--peak", "--json");
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var peaks = doc.RootElement.GetProperty("peak").EnumerateArray().ToArray();
        Assert.Equal(MacPeak.Available, peaks.Select(p => p.GetProperty("name").GetString()!).ToArray());
        Assert.NotEmpty(peaks);
        foreach (var p in peaks)
        {
            double g = p.GetProperty("gmac_per_second").GetDouble();
            Assert.True(g > 0 && double.IsFinite(g), $"{p.GetProperty("name").GetString()}: {g} GMAC/s");
            Assert.Contains(p.GetProperty("data_type").GetString(), new[] { "int8", "int16", "fp32" });
        }
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported)
        {
            Assert.Contains("avx2-maddubs", MacPeak.Available);
            Assert.Contains("avx2-fma", MacPeak.Available);
        }
        if (System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated) Assert.Contains("vector128-int8", MacPeak.Available);
        Assert.NotEmpty(doc.RootElement.GetProperty("cpu").GetProperty("instruction_sets").EnumerateArray());
    }

    [Fact]
    public void Peak_with_a_model_gives_each_vector_operator_its_share_and_the_text_names_it()
    {
        var (exit, stdout, stderr) = CliRunner.Run("bench", FirmwareModels.PathOf("lenet5-fashion.edge"), "--iterations", "10", "--warmup", "1", "--peak", "--json");
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.NotEmpty(root.GetProperty("peak").EnumerateArray());
        var limits = root.GetProperty("peak").EnumerateArray()
            .Where(p => p.GetProperty("kernel_path").ValueKind == JsonValueKind.String)
            .Select(p => p.GetProperty("kernel_path").GetString()).ToHashSet();
        foreach (var o in root.GetProperty("operators").EnumerateArray())
        {
            bool hasShare = o.GetProperty("peak_share").ValueKind == JsonValueKind.Number;
            bool expected = o.GetProperty("macs").GetInt64() > 0 && o.GetProperty("median_us").GetDouble() > 0 && limits.Contains(o.GetProperty("path").GetString());
            Assert.True(hasShare == expected, $"operator {o.GetProperty("index").GetInt32()} on {o.GetProperty("path").GetString()}: share {o.GetProperty("peak_share")}");
            if (hasShare) Assert.True(o.GetProperty("peak_share").GetDouble() > 0);
        }

        var text = CliRunner.Run("bench", FirmwareModels.PathOf("lenet5-fashion.edge"), "--iterations", "5", "--warmup", "0", "--kernels", "vector128", "--peak");
        Assert.True(text.Exit == 0, text.Err);
        foreach (var s in new[] { "GMAC/s", "M MACs", "% of peak", "sum of medians", "multiply-accumulate peak of one core", "vector128-int8" }) Assert.Contains(s, text.Out);
    }

    [Fact]
    public void Bench_without_a_model_or_peak_is_a_user_error()
    {
        Assert.Contains("--peak", CliRunner.AssertUserError(CliRunner.Run("bench")));
    }
}
