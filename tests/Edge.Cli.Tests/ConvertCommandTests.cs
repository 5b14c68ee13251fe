using Edge.Core.Tensors;
using Edge.Runtime.Format;
using Edge.Tests.Shared;

namespace Edge.Cli.Tests;

/// <summary><c>edge convert</c>: a working conversion with its per-layer printout, and every bad input as exit code 2 with one line.</summary>
public class ConvertCommandTests
{
    private static string MnistCalibration => FirmwareModels.PathOf("data/mnist-calib-images-idx3-ubyte.gz");

    /// <summary>A small ONNX model: Conv 3×3 (weights given) → BatchNorm (variance given) → Relu; input [N, 1, 6, 6].</summary>
    private static string SmallModel(TempDir dir, float[]? weights = null, float[]? variance = null)
    {
        weights ??= Enumerable.Range(0, 18).Select(i => (i % 7 - 3) / 10f).ToArray();
        variance ??= [1f, 0.5f];
        return new OnnxModelBuilder()
            .Input("x", "batch", 1, 6, 6)
            .Initializer("w", [2, 1, 3, 3], weights)
            .Initializer("gamma", [2], [1f, 1.5f]).Initializer("beta", [2], [0f, 0.1f]).Initializer("mean", [2], [0.1f, -0.2f]).Initializer("var", [2], variance)
            .Node("Conv", ["x", "w"], ["c"], "conv1", OnnxAttr.Ints("pads", 1, 1, 1, 1))
            .Node("BatchNormalization", ["c", "gamma", "beta", "mean", "var"], ["b"], "bn1")
            .Node("Relu", ["b"], ["y"], "relu1")
            .Output("y")
            .Save(dir.File("small.onnx"));
    }

    private static string GaussianTensor(TempDir dir, int floats, string name = "calib.f32")
    {
        var r = new Random(3);
        Float32File.Write(dir.File(name), Enumerable.Range(0, floats).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray());
        return dir.File(name);
    }

    [Fact]
    public void Converts_lenet5_with_labels_and_prints_every_layer()
    {
        using var dir = new TempDir();
        File.WriteAllLines(dir.File("labels.txt"), Enumerable.Range(0, 10).Select(i => $"digit {i}").Append(""));
        var output = dir.File("lenet5.edge");
        var (exit, stdout, stderr) = CliRunner.Run("convert", FirmwareModels.PathOf("lenet5-mnist.onnx"), "-o", output, "--calib", MnistCalibration,
            "--samples", "64", "--mean", "0.1307", "--std", "0.3081", "--labels", dir.File("labels.txt"));
        Assert.True(exit == 0, stderr);
        Assert.Equal("", stderr);
        Assert.Contains("Calibration: 1000 images of 28×28×1 from mnist-calib-images-idx3-ubyte.gz (IDX); 64 used, mse", stdout);
        foreach (var layer in new[] { "/0/Conv", "/2/Sigmoid", "/6/Flatten", "/11/Gemm" }) Assert.Contains(layer, stdout);
        Assert.Contains("Wrote", stdout);
        var model = EdgeModelReader.Read(output);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"digit {i}"), model.Labels);
        Assert.Equal("lenet5-mnist.onnx", model.Metadata["source"]);
        Assert.Equal("64", model.Metadata["samples"]);
        Assert.Equal([0.1307f], model.Inputs[0].Mean);
        Assert.Equal(EdgeChannelOrder.Gray, model.Inputs[0].ChannelOrder);
    }

    [Fact]
    public void The_printout_shows_folds_fusions_weight_ranges_and_parameters()
    {
        using var dir = new TempDir();
        var (exit, stdout, stderr) = CliRunner.Run("convert", SmallModel(dir), "-o", dir.File("s.edge"), "--calib", GaussianTensor(dir, 36 * 20),
            "--calibrator", "minmax", "--keep-float", "conv1");
        Assert.True(exit == 0, stderr);
        Assert.Contains("BN 'bn1' folded; relu fused", stdout);
        Assert.Contains("Conv (float)", stdout);
        Assert.Contains("[1,1,6,6]→[1,2,6,6]", stdout);
        Assert.Contains("Calibration: 20 tensors from calib.f32 (raw float32); 20 used, minmax", stdout);
    }

    [Fact]
    public void Converts_mobilenetv2_from_resized_fashion_images_in_rgb()
    {
        using var dir = new TempDir();
        var (exit, stdout, stderr) = CliRunner.Run("convert", FirmwareModels.PathOf("mobilenetv2-224.onnx"), "-o", dir.File("m.edge"),
            "--calib", FirmwareModels.PathOf("data/fashion-calib-images-idx3-ubyte.gz"), "--samples", "2", "--calibrator", "mse",
            "--mean", "0.485,0.456,0.406", "--std", "0.229,0.224,0.225");
        Assert.True(exit == 0, stderr);
        var model = EdgeModelReader.Read(dir.File("m.edge"));
        Assert.Equal([1, 224, 224, 3], model.Tensors[model.Inputs[0].Tensor].Shape);
        Assert.Equal(EdgeChannelOrder.Rgb, model.Inputs[0].ChannelOrder);
        Assert.Contains("relu6 fused", stdout);
    }

    [Fact]
    public void An_unknown_calibrator_lists_the_valid_ones()
    {
        using var dir = new TempDir();
        var line = CliRunner.AssertUserError(CliRunner.Run("convert", SmallModel(dir), "-o", dir.File("s.edge"), "--calib", GaussianTensor(dir, 36), "--calibrator", "median"));
        Assert.Equal("edge: unknown calibrator 'median': valid calibrators are minmax, percentile, entropy, mse", line);
        Assert.False(File.Exists(dir.File("s.edge")));
    }

    [Fact]
    public void Calibration_data_of_the_wrong_shape_says_expected_and_got()
    {
        using var dir = new TempDir();
        var calib = GaussianTensor(dir, 50);
        var line = CliRunner.AssertUserError(CliRunner.Run("convert", SmallModel(dir), "-o", dir.File("s.edge"), "--calib", calib));
        Assert.Equal($"edge: {calib}: 50 floats are not a whole number of model inputs: expected a multiple of 36 ([1, 6, 6] per item), got 50", line);
    }

    [Fact]
    public void Images_of_the_wrong_channel_count_for_the_preprocessing_are_refused()
    {
        using var dir = new TempDir();
        var line = CliRunner.AssertUserError(CliRunner.Run("convert", FirmwareModels.PathOf("vgg-zoo.onnx"), "-o", dir.File("v.edge"),
            "--calib", MnistCalibration, "--channel-order", "gray"));
        Assert.Equal("edge: channel order gray has 1 channel(s); input 'input' has 3", line);
    }

    [Fact]
    public void An_empty_calibration_folder_is_refused()
    {
        using var dir = new TempDir();
        var empty = Directory.CreateDirectory(dir.File("images")).FullName;
        var line = CliRunner.AssertUserError(CliRunner.Run("convert", SmallModel(dir), "-o", dir.File("s.edge"), "--calib", empty));
        Assert.Contains("no images to calibrate with", line);
    }

    [Fact]
    public void Nan_weights_name_the_node()
    {
        using var dir = new TempDir();
        var weights = new float[18];
        weights[4] = float.NaN;
        var line = CliRunner.AssertUserError(CliRunner.Run("convert", SmallModel(dir, weights: weights), "-o", dir.File("s.edge"), "--calib", GaussianTensor(dir, 36)));
        Assert.Contains("conv1", line);
        Assert.Contains("NaN", line);
    }

    [Fact]
    public void A_negative_batchnorm_variance_names_the_batchnorm()
    {
        using var dir = new TempDir();
        var line = CliRunner.AssertUserError(CliRunner.Run("convert", SmallModel(dir, variance: [1f, -2f]), "-o", dir.File("s.edge"), "--calib", GaussianTensor(dir, 36)));
        Assert.Contains("bn1", line);
        Assert.Contains("negative", line);
    }

    [Fact]
    public void An_output_path_that_cannot_be_written_leaves_nothing_behind()
    {
        using var dir = new TempDir();
        var output = dir.File("missing/s.edge");
        var model = SmallModel(dir);
        var calib = GaussianTensor(dir, 36);
        var line = CliRunner.AssertUserError(CliRunner.Run("convert", model, "-o", output, "--calib", calib));
        Assert.StartsWith($"edge: -o {output}: folder", line); // refused before calibrating
        Assert.Equal(new[] { calib, model }.Order(), Directory.GetFileSystemEntries(dir.Path).Order());
    }

    [Fact]
    public void Keep_float_naming_an_unknown_node_is_refused()
    {
        using var dir = new TempDir();
        var line = CliRunner.AssertUserError(CliRunner.Run("convert", SmallModel(dir), "-o", dir.File("s.edge"), "--calib", GaussianTensor(dir, 36), "--keep-float", "conv9"));
        Assert.Equal("edge: --keep-float: the model has no node named 'conv9' (its nodes: 'conv1')", line);
    }

    [Theory]
    [InlineData("--samples", "0")]
    [InlineData("--mean", "0.5,x")]
    [InlineData("--std", "0")]
    [InlineData("--channel-order", "cmyk")]
    [InlineData("--percentile", "40")]
    [InlineData("--labels", "/no/such/labels.txt")]
    public void Bad_options_are_user_errors(string option, string value)
    {
        using var dir = new TempDir();
        CliRunner.AssertUserError(CliRunner.Run("convert", SmallModel(dir), "-o", dir.File("s.edge"), "--calib", GaussianTensor(dir, 36), option, value));
    }

    [Fact]
    public void Missing_model_or_calibration_data_is_a_user_error()
    {
        using var dir = new TempDir();
        CliRunner.AssertUserError(CliRunner.Run("convert", dir.File("none.onnx"), "-o", dir.File("s.edge"), "--calib", MnistCalibration));
        CliRunner.AssertUserError(CliRunner.Run("convert", SmallModel(dir), "-o", dir.File("s.edge"), "--calib", dir.File("none")));
        Assert.Equal(2, CliRunner.Run("convert", SmallModel(dir), "-o", dir.File("s.edge")).Exit);
    }
}
