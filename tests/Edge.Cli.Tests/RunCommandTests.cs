using System.Text.Json;
using Edge.Core.Tensors;
using Edge.Tests.Shared;

namespace Edge.Cli.Tests;

public class RunCommandTests
{
    [Fact]
    public void Float_run_on_golden_inputs_reproduces_pytorch_outputs_as_json()
    {
        var model = FirmwareModels.Get("lenet5-mnist");
        var golden = FirmwareModels.LoadGolden(model);
        var input = FirmwareModels.PathOf("golden/lenet5-mnist.input.f32");
        var (exit, stdout, stderr) = CliRunner.Run("run", FirmwareModels.OnnxPath(model, "onnx"), "--tensor", input, "--json");
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(golden.Count, doc.RootElement.GetProperty("batch").GetInt32());
        var output = doc.RootElement.GetProperty("outputs")[0];
        Assert.Equal("logits", output.GetProperty("name").GetString());
        Assert.Equal([32, 10], output.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        var data = output.GetProperty("data").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        var expected = golden.Outputs[0].Data;
        Assert.Equal(expected.Length, data.Length);
        for (int i = 0; i < data.Length; i++) Assert.True(Math.Abs(expected[i] - data[i]) <= 1e-4f, $"index {i}: {expected[i]} vs {data[i]}");
    }

    [Fact]
    public void Text_output_prints_each_item_with_its_argmax()
    {
        using var dir = new TempDir();
        var golden = FirmwareModels.LoadGolden(FirmwareModels.Get("lenet5-mnist"));
        Float32File.Write(dir.File("two.f32"), golden.Input.AsSpan(0, 2 * 784));
        var (exit, stdout, stderr) = CliRunner.Run("run", FirmwareModels.PathOf("lenet5-mnist.onnx"), "--tensor", dir.File("two.f32"));
        Assert.True(exit == 0, stderr);
        Assert.Contains("logits [2, 10]", stdout);
        Assert.Contains("[0] argmax=", stdout);
        Assert.Contains("[1] argmax=", stdout);
    }

    [Fact]
    public void Tensor_of_the_wrong_size_is_a_user_error_saying_what_fits()
    {
        using var dir = new TempDir();
        Float32File.Write(dir.File("odd.f32"), new float[785]);
        var line = CliRunner.AssertUserError(CliRunner.Run("run", FirmwareModels.PathOf("lenet5-mnist.onnx"), "--tensor", dir.File("odd.f32")));
        Assert.Contains("785 floats", line);
        Assert.Contains("784 floats per item", line);
    }

    [Fact]
    public void Missing_tensor_option_or_file_is_a_user_error()
    {
        Assert.Equal(2, CliRunner.Run("run", FirmwareModels.PathOf("lenet5-mnist.onnx")).Exit);
        CliRunner.AssertUserError(CliRunner.Run("run", FirmwareModels.PathOf("lenet5-mnist.onnx"), "--tensor", "/nonexistent.f32"));
    }
}
