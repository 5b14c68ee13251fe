using System.Buffers.Binary;
using System.Text.Json;
using Edge.Tests.Shared;

namespace Edge.Cli.Tests;

public class EvalCommandTests
{
    /// <summary>
    /// 12 quadrant images, 3 bright in each quadrant; the labels are the bright quadrant except images 1 and 5, labelled
    /// "bottom-right" (3). The quadrant model answers the bright quadrant, so 10 of 12 are right.
    /// </summary>
    private static readonly int[] Bright = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3];
    private static readonly int[] Labels = [0, 3, 0, 1, 1, 3, 2, 2, 2, 3, 3, 3];

    private static (string Model, string Images, string Labels) HandMadeSet(TempDir dir)
    {
        var pixels = Bright.SelectMany(b => QuadrantModel.Image(6, b)).ToArray();
        File.WriteAllBytes(dir.File("images.idx"), Idx(0x0803, [Bright.Length, 6, 6], pixels));
        File.WriteAllBytes(dir.File("labels.idx"), Idx(0x0801, [Labels.Length], Labels.Select(l => (byte)l).ToArray()));
        return (QuadrantModel.Write(dir), dir.File("images.idx"), dir.File("labels.idx"));
    }

    private static byte[] Idx(int magic, int[] dims, byte[] data)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    [Fact]
    public void Json_gives_the_known_accuracy_and_confusion_matrix_of_a_hand_made_set()
    {
        using var dir = new TempDir();
        var (model, images, labels) = HandMadeSet(dir);
        var (exit, stdout, stderr) = CliRunner.Run("eval", model, "--data", images, "--labels", labels, "--json");
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal("quadrants.edge", root.GetProperty("model").GetString());
        Assert.Equal(12, root.GetProperty("images").GetInt32());
        Assert.Equal(4, root.GetProperty("classes").GetInt32());
        Assert.Equal(QuadrantModel.Labels, root.GetProperty("labels").EnumerateArray().Select(e => e.GetString()));
        var int8 = root.GetProperty("int8");
        Assert.Equal(10, int8.GetProperty("correct").GetInt32());
        Assert.Equal(100.0 * 10 / 12, int8.GetProperty("top1").GetDouble(), 9);
        Assert.Equal(JsonValueKind.Null, int8.GetProperty("top5").ValueKind); // 4 classes: no top-5
        Assert.True(int8.GetProperty("images_per_second").GetDouble() > 0);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("float").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("agreement").ValueKind);
        int[][] expected = [[2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 3, 0], [1, 1, 0, 3]];
        var confusion = root.GetProperty("confusion").EnumerateArray().Select(r => r.EnumerateArray().Select(c => c.GetInt32()).ToArray()).ToArray();
        Assert.Equal(expected, confusion);
    }

    [Fact]
    public void Several_threads_give_the_same_figures()
    {
        using var dir = new TempDir();
        var (model, images, labels) = HandMadeSet(dir);
        var one = CliRunner.Run("eval", model, "--data", images, "--labels", labels, "--json");
        var three = CliRunner.Run("eval", model, "--data", images, "--labels", labels, "--threads", "3", "--json");
        Assert.True(three.Exit == 0, three.Err);
        using JsonDocument a = JsonDocument.Parse(one.Out), b = JsonDocument.Parse(three.Out);
        Assert.Equal(3, b.RootElement.GetProperty("int8").GetProperty("threads").GetInt32());
        Assert.Equal(a.RootElement.GetProperty("confusion").GetRawText(), b.RootElement.GetProperty("confusion").GetRawText());
        Assert.Equal(10, b.RootElement.GetProperty("int8").GetProperty("correct").GetInt32());
    }

    [Fact]
    public void Text_output_shows_accuracy_and_the_confusion_matrix()
    {
        using var dir = new TempDir();
        var (model, images, labels) = HandMadeSet(dir);
        var (exit, stdout, stderr) = CliRunner.Run("eval", model, "--data", images, "--labels", labels, "--limit", "6");
        Assert.True(exit == 0, stderr);
        Assert.Contains("quadrants.edge: 6 images, 4 classes", stdout);
        Assert.Contains("66.67%", stdout); // images 0..5: 1 and 5 are mislabelled
        Assert.Contains("Confusion matrix (int8; rows true class, columns predicted)", stdout);
        Assert.Contains("bottom-right", stdout);
    }

    [Fact]
    public void Float_comparison_on_a_converted_shipped_model_reports_both_paths_and_their_agreement()
    {
        using var dir = new TempDir();
        var entry = FirmwareModels.Get("lenet5-mnist");
        string onnx = FirmwareModels.OnnxPath(entry, "onnx"), edge = dir.File("lenet.edge");
        var convert = CliRunner.Run("convert", onnx, "--calib", FirmwareModels.PathOf(entry.CalibrationData!.Images), "-o", edge,
            "--mean", "0.1307", "--std", "0.3081");
        Assert.True(convert.Exit == 0, convert.Err);
        var (exit, stdout, stderr) = CliRunner.Run("eval", edge, "--data", FirmwareModels.PathOf(entry.TestData!.Images),
            "--labels", FirmwareModels.PathOf(entry.TestData.Labels), "--float", onnx, "--limit", "200", "--json");
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal(200, root.GetProperty("images").GetInt32());
        double int8 = root.GetProperty("int8").GetProperty("top1").GetDouble(), fl = root.GetProperty("float").GetProperty("top1").GetDouble();
        Assert.InRange(fl, 90, 100);
        Assert.InRange(int8, fl - 2, fl + 2);
        Assert.InRange(root.GetProperty("agreement").GetDouble(), 97, 100);
        Assert.Equal(int8 - fl, root.GetProperty("int8_minus_float").GetDouble(), 9);
        Assert.Equal(100, root.GetProperty("float").GetProperty("batch").GetInt32());
        Assert.Equal(200, root.GetProperty("confusion").EnumerateArray().Sum(r => r.EnumerateArray().Sum(c => c.GetInt32())));
    }

    [Fact]
    public void Missing_labels_file_wrong_image_size_and_an_onnx_model_are_user_errors()
    {
        using var dir = new TempDir();
        var (model, images, labels) = HandMadeSet(dir);
        Assert.Contains("nope.idx", CliRunner.AssertUserError(CliRunner.Run("eval", model, "--data", images, "--labels", dir.File("nope.idx"))));
        var mnist = FirmwareModels.Get("lenet5-mnist");
        Assert.Contains("the model takes 6×6", CliRunner.AssertUserError(CliRunner.Run("eval", model,
            "--data", FirmwareModels.PathOf(mnist.TestData!.Images), "--labels", FirmwareModels.PathOf(mnist.TestData.Labels))));
        Assert.Contains("int8 .edge", CliRunner.AssertUserError(CliRunner.Run("eval", FirmwareModels.OnnxPath(mnist, "onnx"), "--data", images, "--labels", labels)));
    }
}
