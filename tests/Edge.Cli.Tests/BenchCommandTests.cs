using System.Text.Json;
using Edge.Tests.Shared;

namespace Edge.Cli.Tests;

public class BenchCommandTests
{
    [Fact]
    public void Edge_model_json_has_latency_percentiles_throughput_zero_allocations_and_kernel_paths()
    {
        using var dir = new TempDir();
        var (exit, stdout, stderr) = CliRunner.Run("bench", QuadrantModel.Write(dir), "--iterations", "20", "--warmup", "5", "--json");
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal("int8", root.GetProperty("engine").GetString());
        Assert.Equal(20, root.GetProperty("iterations").GetInt32());
        var latency = root.GetProperty("latency_ms");
        double p50 = latency.GetProperty("p50").GetDouble(), p90 = latency.GetProperty("p90").GetDouble(), p99 = latency.GetProperty("p99").GetDouble();
        Assert.True(0 < latency.GetProperty("min").GetDouble() && latency.GetProperty("min").GetDouble() <= p50 && p50 <= p90 && p90 <= p99 && p99 <= latency.GetProperty("max").GetDouble());
        Assert.True(root.GetProperty("throughput_per_second").GetDouble() > 0);
        Assert.Equal(0, root.GetProperty("allocated_bytes_per_run").GetDouble());
        Assert.Equal(128, root.GetProperty("arena_bytes").GetInt64());
        Assert.NotEmpty(root.GetProperty("cpu").GetProperty("instruction_sets").EnumerateArray());
        var ops = root.GetProperty("operators").EnumerateArray().ToArray();
        Assert.Equal(3, ops.Length);
        Assert.Equal("Int8Gemm", ops[1].GetProperty("kernel").GetString());
        Assert.Contains(ops[1].GetProperty("path").GetString(), Enum.GetNames<Edge.Runtime.Kernels.KernelPath>());
    }

    [Fact]
    public void Text_output_names_the_figures_and_the_kernel_per_operator()
    {
        using var dir = new TempDir();
        var (exit, stdout, stderr) = CliRunner.Run("bench", QuadrantModel.Write(dir), "--iterations", "5", "--warmup", "0", "--kernels", "scalar");
        Assert.True(exit == 0, stderr);
        Assert.Contains("int8, kernels Scalar, 5 runs after 0 warm-up", stdout);
        foreach (var s in new[] { "p50", "p90", "p99", "inferences/s", "bytes per run", "arena", "1 quadrants (Gemm): Int8Gemm/Scalar" }) Assert.Contains(s, stdout);
    }

    [Fact]
    public void Onnx_model_runs_on_the_float_reference_path()
    {
        var (exit, stdout, stderr) = CliRunner.Run("bench", FirmwareModels.PathOf("lenet5-mnist.onnx"), "--iterations", "3", "--warmup", "0", "--json");
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("float reference", doc.RootElement.GetProperty("engine").GetString());
        Assert.True(doc.RootElement.GetProperty("latency_ms").GetProperty("mean").GetDouble() > 0);
    }

    [Fact]
    public void Bad_counts_and_truncated_models_are_user_errors()
    {
        using var dir = new TempDir();
        var model = QuadrantModel.Write(dir);
        Assert.Contains("--iterations 0", CliRunner.AssertUserError(CliRunner.Run("bench", model, "--iterations", "0")));
        File.WriteAllBytes(dir.File("cut.edge"), File.ReadAllBytes(model)[..200]);
        Assert.Contains("cut.edge", CliRunner.AssertUserError(CliRunner.Run("bench", dir.File("cut.edge"))));
    }
}
