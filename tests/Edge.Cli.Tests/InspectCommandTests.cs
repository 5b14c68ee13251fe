using System.Text.Json;
using Edge.Tests.Shared;

namespace Edge.Cli.Tests;

public class InspectCommandTests
{
    [Fact]
    public void Classic_LeNet5_prints_61706_parameters_and_per_layer_shapes()
    {
        using var dir = new TempDir();
        ClassicModels.LeNet5().Save(dir.File("lenet5.onnx"));
        var (exit, stdout, stderr) = CliRunner.Run("inspect", dir.File("lenet5.onnx"));
        Assert.True(exit == 0, stderr);
        Assert.Contains("Total params: 61,706", stdout);
        foreach (var shape in new[] { "[1, 6, 28, 28]", "[1, 6, 14, 14]", "[1, 16, 10, 10]", "[1, 16, 5, 5]", "[1, 400]", "[1, 120]", "[1, 84]", "[1, 10]" })
        {
            Assert.Contains(shape, stdout);
        }
    }

    [Fact]
    public void Shipped_lenet5_json_has_totals_and_layers()
    {
        var (exit, stdout, stderr) = CliRunner.Run("inspect", FirmwareModels.PathOf("lenet5-mnist.onnx"), "--json");
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(61_706, doc.RootElement.GetProperty("total_params").GetInt64());
        Assert.Equal(416_520, doc.RootElement.GetProperty("total_macs").GetInt64());
        var layers = doc.RootElement.GetProperty("layers").EnumerateArray().ToArray();
        Assert.Equal([1, 10], layers[^1].GetProperty("output_shapes")[0].EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(61_706, layers.Sum(l => l.GetProperty("params").GetInt64()));
    }

    [Fact]
    public void Unsupported_operator_is_one_line_naming_op_and_node_with_exit_2()
    {
        using var dir = new TempDir();
        new OnnxModelBuilder().Input("x", "batch", 4).Node("Gelu", ["x"], ["y"], "my_gelu").Output("y").Save(dir.File("gelu.onnx"));
        var line = CliRunner.AssertUserError(CliRunner.Run("inspect", dir.File("gelu.onnx")));
        Assert.Contains("'Gelu'", line);
        Assert.Contains("'my_gelu'", line);
    }

    [Fact]
    public void Truncated_model_is_one_line_with_exit_2()
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(FirmwareModels.PathOf("lenet5-mnist.onnx"));
        File.WriteAllBytes(dir.File("cut.onnx"), bytes[..(bytes.Length / 2)]);
        var line = CliRunner.AssertUserError(CliRunner.Run("inspect", dir.File("cut.onnx")));
        Assert.Contains("cut.onnx", line);
    }

    [Fact]
    public void Missing_file_and_bad_arguments_are_user_errors()
    {
        CliRunner.AssertUserError(CliRunner.Run("inspect", "/nonexistent/model.onnx"));
        var r = CliRunner.Run("inspect");
        Assert.Equal(2, r.Exit);
        Assert.DoesNotContain("   at ", r.Err);
        Assert.Equal(2, CliRunner.Run("frobnicate").Exit);
    }

    [Fact]
    public void Edge_model_json_has_the_arena_operators_kernels_and_quantization()
    {
        using var dir = new TempDir();
        var (exit, stdout, stderr) = CliRunner.Run("inspect", QuadrantModel.Write(dir), "--json", "--kernels", "scalar");
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        long arena = root.GetProperty("arena_bytes").GetInt64(), lower = root.GetProperty("lower_bound_bytes").GetInt64(), naive = root.GetProperty("naive_bytes").GetInt64();
        // input (36 B) and its flat view share a buffer; the scores (4 B) and the float scores (16 B) are alive together at the end.
        Assert.Equal(128, lower);
        Assert.Equal(lower, arena);
        Assert.Equal(192, naive);
        var ops = root.GetProperty("operators").EnumerateArray().ToArray();
        Assert.Equal(["Reshape", "Gemm", "Dequantize"], ops.Select(o => o.GetProperty("type").GetString()));
        Assert.Equal("Int8Gemm", ops[1].GetProperty("kernel").GetString());
        Assert.Equal("Scalar", ops[1].GetProperty("path").GetString());
        Assert.Equal(4 * 36 + 4 * 4 * 4, ops[1].GetProperty("weight_bytes").GetInt64());
        var gemmOut = ops[1].GetProperty("outputs")[0];
        Assert.Equal([1, 4], gemmOut.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(-128, gemmOut.GetProperty("zero_point").GetInt32());
        Assert.True(ops[0].GetProperty("in_place").GetBoolean()); // the flatten is a view
        var input = root.GetProperty("inputs")[0];
        Assert.Equal([1, 1, 6, 6], input.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([1, 6, 6, 1], input.GetProperty("nhwc_shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(QuadrantModel.Labels, root.GetProperty("labels").EnumerateArray().Select(e => e.GetString()));
        Assert.NotEmpty(root.GetProperty("cpu").GetProperty("instruction_sets").EnumerateArray());
    }

    [Fact]
    public void Edge_model_text_lists_operators_and_the_arena()
    {
        using var dir = new TempDir();
        var (exit, stdout, stderr) = CliRunner.Run("inspect", QuadrantModel.Write(dir, "model.bin"));
        Assert.True(exit == 0, stderr); // recognized by its magic bytes, not its name
        Assert.Contains("quadrants", stdout);
        Assert.Contains("Int8Gemm/", stdout);
        Assert.Contains("[1,36] → [1,4]", stdout);
        Assert.Contains("s=0.03529 zp=-128", stdout);
        Assert.Contains("Arena:   128 B (lower bound 128 B, 1.000×; naive 192 B)", stdout);
        Assert.Contains("Labels: 4 (top-left, top-right, bottom-left, bottom-right)", stdout);
    }

    [Fact]
    public void Truncated_edge_model_is_one_line_with_exit_2()
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(QuadrantModel.Write(dir));
        File.WriteAllBytes(dir.File("cut.edge"), bytes[..100]);
        var line = CliRunner.AssertUserError(CliRunner.Run("inspect", dir.File("cut.edge"), "--json"));
        Assert.Contains("cut.edge", line);
    }
}
