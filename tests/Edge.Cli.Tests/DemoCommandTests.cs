using System.Text.Json;
using Edge.Tests.Shared;

namespace Edge.Cli.Tests;

public class DemoCommandTests
{
    [Fact]
    public void Demo_json_has_a_row_per_trained_model_with_accuracy_latency_and_sizes()
    {
        using var dir = new TempDir();
        var (exit, stdout, stderr) = CliRunner.Run("demo", "--limit", "200", "--timed", "20", "--out", dir.Path, "--models", FirmwareModels.Directory, "--json");
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var rows = doc.RootElement.GetProperty("models").EnumerateArray().ToArray();
        Assert.Equal(FirmwareModels.All.Where(m => m.IsTrained).Select(m => m.Name), rows.Select(r => r.GetProperty("model").GetString()));
        foreach (var r in rows)
        {
            string name = r.GetProperty("model").GetString()!;
            Assert.Equal(200, r.GetProperty("images").GetInt32());
            double fl = r.GetProperty("float_top1").GetDouble(), int8 = r.GetProperty("int8_top1").GetDouble();
            Assert.InRange(fl, 80, 100);
            Assert.InRange(int8, fl - 2, fl + 2);
            Assert.InRange(r.GetProperty("agreement").GetDouble(), 97, 100);
            double floatMs = r.GetProperty("float_ms_per_image").GetDouble(), int8Ms = r.GetProperty("int8_ms_per_image").GetDouble();
            Assert.True(floatMs > 0 && int8Ms > 0, name);
            Assert.Equal(floatMs / int8Ms, r.GetProperty("speedup").GetDouble(), 9);
            string edge = r.GetProperty("edge_path").GetString()!;
            Assert.Equal(dir.File(name + ".edge"), edge);
            Assert.Equal(new FileInfo(edge).Length, r.GetProperty("edge_bytes").GetInt64());
            Assert.Equal(new FileInfo(FirmwareModels.OnnxPath(FirmwareModels.Get(name), "onnx")).Length, r.GetProperty("onnx_bytes").GetInt64());
            Assert.True(r.GetProperty("edge_bytes").GetInt64() < r.GetProperty("onnx_bytes").GetInt64(), name);
        }
    }

    [Fact]
    public void Bad_limit_and_a_folder_without_a_manifest_are_user_errors()
    {
        using var dir = new TempDir();
        Assert.Contains("--limit 0", CliRunner.AssertUserError(CliRunner.Run("demo", "--limit", "0")));
        Assert.Contains("manifest.json", CliRunner.AssertUserError(CliRunner.Run("demo", "--models", dir.Path)));
    }
}
