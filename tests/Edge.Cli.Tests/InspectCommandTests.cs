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
        Assert.Equal(layers.Sum(l => l.GetProperty("params").GetInt64()), 61_706);
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
}
