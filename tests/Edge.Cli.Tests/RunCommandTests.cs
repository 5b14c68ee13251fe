using System.Diagnostics;
using System.Text.Json;
using Edge.Core.Tensors;
using Edge.Runtime.Session;
using Edge.Tests.Shared;
using Edge.Vision.Sources;

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

    // ── int8 .edge models ───────────────────────────────────────────────────────────────────────────────────────────

    [Fact]
    public void Edge_model_classifies_png_and_pgm_images_with_labels()
    {
        using var dir = new TempDir();
        var model = QuadrantModel.Write(dir);
        QuadrantModel.WritePng(dir.File("tr.png"), QuadrantModel.Image(6, 1), 6, 1);
        QuadrantModel.WritePgm(dir.File("bl.pgm"), QuadrantModel.Image(6, 2), 6);
        var (exit, stdout, stderr) = CliRunner.Run("run", model, dir.File("tr.png"), dir.File("bl.pgm"), "--top", "2");
        Assert.True(exit == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(6, lines.Length);
        Assert.Contains("tr.png (6×6, gray)", lines[0]);
        Assert.Contains("1. top-right (1)", lines[1]);
        Assert.Contains("bl.pgm (6×6, gray)", lines[3]);
        Assert.Contains("1. bottom-left (2)", lines[4]);
    }

    [Fact]
    public void Edge_model_json_has_top_k_with_labels_and_scores_for_resized_color_images()
    {
        using var dir = new TempDir();
        var model = QuadrantModel.Write(dir);
        QuadrantModel.WritePng(dir.File("big-rgb.png"), QuadrantModel.Image(20, 3, channels: 3), 20, 3);
        var (exit, stdout, stderr) = CliRunner.Run("run", model, dir.File("big-rgb.png"), "--json", "--top", "3");
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var result = Assert.Single(doc.RootElement.GetProperty("results").EnumerateArray());
        Assert.Equal(20, result.GetProperty("width").GetInt32());
        Assert.Equal(3, result.GetProperty("channels").GetInt32());
        var top = result.GetProperty("top").EnumerateArray().ToArray();
        Assert.Equal(3, top.Length);
        Assert.Equal("bottom-right", top[0].GetProperty("label").GetString());
        Assert.Equal(3, top[0].GetProperty("index").GetInt32());
        Assert.Equal(1, top[0].GetProperty("rank").GetInt32());
        Assert.True(top[0].GetProperty("score").GetSingle() > top[1].GetProperty("score").GetSingle());
        Assert.InRange(top[0].GetProperty("score").GetSingle(), 7f, 9f); // nine pixels of 230/255
        Assert.False(string.IsNullOrEmpty(doc.RootElement.GetProperty("kernels").GetString()));
    }

    [Fact]
    public void Edge_model_runs_a_tensor_file_as_an_onnx_model_does()
    {
        using var dir = new TempDir();
        var model = QuadrantModel.Write(dir);
        var input = new float[2 * 36];
        for (int i = 0; i < 36; i++) (input[i], input[36 + i]) = (i % 6 < 3 && i < 18 ? 0.9f : 0.1f, i >= 18 && i % 6 >= 3 ? 0.9f : 0.1f);
        Float32File.Write(dir.File("two.f32"), input);
        var (exit, stdout, stderr) = CliRunner.Run("run", model, "--tensor", dir.File("two.f32"), "--json");
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(2, doc.RootElement.GetProperty("batch").GetInt32());
        var output = doc.RootElement.GetProperty("outputs")[0];
        Assert.Equal("scores", output.GetProperty("name").GetString());
        Assert.Equal([2, 4], output.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        var data = output.GetProperty("data").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        var session = EdgeSession.FromModel(QuadrantModel.Build());
        var expected = new float[8];
        session.Run(input.AsSpan(0, 36), expected.AsSpan(0, 4));
        session.Run(input.AsSpan(36, 36), expected.AsSpan(4, 4));
        Assert.Equal(expected, data);
        Assert.Equal(0, Array.IndexOf(data, data[..4].Max()));
        Assert.Equal(3, Array.IndexOf(data[4..], data[4..].Max()));

        (exit, stdout, stderr) = CliRunner.Run("run", model, "--tensor", dir.File("two.f32"));
        Assert.True(exit == 0, stderr);
        Assert.Contains("scores [2, 4]", stdout);
        Assert.Contains("[1] argmax=3", stdout);
    }

    [Fact]
    public void Other_image_formats_go_through_ffmpeg()
    {
        using var dir = new TempDir();
        var model = QuadrantModel.Write(dir);
        QuadrantModel.WritePng(dir.File("tl.png"), QuadrantModel.Image(12, 0, channels: 3), 12, 3);
        if (FfmpegImage.Locate() is not { } ffmpeg)
        {
            // Without ffmpeg here, the same command must say so (the PATH test below covers it either way).
            File.Copy(dir.File("tl.png"), dir.File("tl.jpg"));
            Assert.Contains("needs ffmpeg", CliRunner.AssertUserError(CliRunner.Run("run", model, dir.File("tl.jpg"))));
            return;
        }
        var convert = Process.Start(new ProcessStartInfo(ffmpeg) { ArgumentList = { "-v", "error", "-y", "-i", dir.File("tl.png"), "-q:v", "2", dir.File("tl.jpg") } })!;
        convert.WaitForExit();
        Assert.Equal(0, convert.ExitCode);
        var (exit, stdout, stderr) = CliRunner.Run("run", model, dir.File("tl.jpg"), "--top", "1");
        Assert.True(exit == 0, stderr);
        Assert.Contains("tl.jpg (12×12, gray)", stdout);
        Assert.Contains("1. top-left (0)", stdout);
    }

    [Fact]
    public async Task Without_ffmpeg_on_the_PATH_other_formats_fail_with_one_clear_line()
    {
        using var dir = new TempDir();
        var model = QuadrantModel.Write(dir);
        File.WriteAllBytes(dir.File("photo.jpg"), [0xFF, 0xD8, 0xFF, 0xE0]);
        Directory.CreateDirectory(dir.File("empty-path"));
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : Environment.ProcessPath!;
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { "exec", typeof(EdgeCli).Assembly.Location, "run", model, dir.File("photo.jpg") },
        };
        start.Environment["PATH"] = dir.File("empty-path");
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var r = (process.ExitCode, "", await stderr);
        var line = CliRunner.AssertUserError(r);
        Assert.Contains("photo.jpg", line);
        Assert.Contains("needs ffmpeg, which is not installed", line);
    }

    [Fact]
    public void A_truncated_edge_model_is_one_line_with_exit_2()
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(QuadrantModel.Write(dir));
        File.WriteAllBytes(dir.File("cut.edge"), bytes[..(bytes.Length / 2)]);
        QuadrantModel.WritePgm(dir.File("x.pgm"), QuadrantModel.Image(6, 0), 6);
        var line = CliRunner.AssertUserError(CliRunner.Run("run", dir.File("cut.edge"), dir.File("x.pgm")));
        Assert.Contains("cut.edge", line);
        Assert.Contains("truncated", line);
    }

    [Fact]
    public void Images_with_an_onnx_model_or_with_a_tensor_are_user_errors()
    {
        using var dir = new TempDir();
        var model = QuadrantModel.Write(dir);
        QuadrantModel.WritePgm(dir.File("x.pgm"), QuadrantModel.Image(6, 0), 6);
        Float32File.Write(dir.File("x.f32"), new float[36]);
        Assert.Contains(".edge", CliRunner.AssertUserError(CliRunner.Run("run", FirmwareModels.PathOf("lenet5-mnist.onnx"), dir.File("x.pgm"))));
        Assert.Contains("not both", CliRunner.AssertUserError(CliRunner.Run("run", model, dir.File("x.pgm"), "--tensor", dir.File("x.f32"))));
        Assert.Contains("nothing to run", CliRunner.AssertUserError(CliRunner.Run("run", model)));
        Assert.Contains("no such file", CliRunner.AssertUserError(CliRunner.Run("run", model, dir.File("missing.png"))));
        Assert.Contains("--kernels", CliRunner.AssertUserError(CliRunner.Run("run", model, dir.File("x.pgm"), "--kernels", "avx9000")));
    }
}
