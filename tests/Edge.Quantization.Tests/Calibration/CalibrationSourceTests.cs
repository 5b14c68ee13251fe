using Edge.Runtime.Format;
using System.Text;
using Edge.Core.Errors;
using Edge.Core.Tensors;
using Edge.Quantization.Calibration;
using Edge.Quantization.Tests.Images;
using Edge.Vision.Datasets;
using Edge.Vision.Preprocessing;

namespace Edge.Quantization.Tests.Calibration;

/// <summary>Calibration data sources: image folders, IDX files and raw tensors, their preprocessing and their errors.</summary>
public sealed class CalibrationSourceTests : IDisposable
{
    private static readonly InputNormalization ImageNet = new([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f], EdgeChannelOrder.Rgb);
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-calib-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] Solid(int width, int height, byte r, byte g, byte b)
        => Enumerable.Range(0, width * height).SelectMany(_ => new[] { r, g, b }).ToArray();

    [Fact]
    public void A_folder_gives_its_images_in_name_order_resized_and_normalized()
    {
        Write("b.png", TestImageEncoders.Png(8, 6, 8, 2, Enumerable.Range(0, 6).Select(_ => Solid(8, 1, 10, 20, 30)).ToArray(), [1]));
        Write("a.pgm", Encoding.ASCII.GetBytes("P5 4 4 255\n").Concat(Enumerable.Repeat((byte)128, 16)).ToArray());
        Write("c.bmp", TestImageEncoders.Bmp(5, 5, 24, Solid(5, 5, 255, 0, 0)));
        Write("notes.txt", [1, 2, 3]);
        var source = CalibrationSource.Open(_dir, [1, 3, 4, 4], ImageNet);
        Assert.Equal(3, source.Count);
        Assert.StartsWith("3 images from folder", source.Describe());
        var item = new float[48];
        // a.pgm: gray 128 replicated to three channels
        source.Read(0, item);
        for (int c = 0; c < 3; c++) Assert.All(item[(16 * c)..(16 * c + 16)], v => Assert.Equal((128 / 255f - ImageNet.Mean[c]) / ImageNet.Std[c], v, 5));
        // b.png: 8×6 resized to 4×4; a solid color stays solid
        source.Read(1, item);
        byte[] rgb = [10, 20, 30];
        for (int c = 0; c < 3; c++) Assert.All(item[(16 * c)..(16 * c + 16)], v => Assert.Equal((rgb[c] / 255f - ImageNet.Mean[c]) / ImageNet.Std[c], v, 5));
    }

    [Fact]
    public void An_rgb_image_feeds_a_gray_input_as_luma()
    {
        var path = Write("red.bmp", TestImageEncoders.Bmp(2, 2, 24, Solid(2, 2, 255, 0, 0)));
        var source = CalibrationSource.Open(path, [1, 1, 2, 2], InputNormalization.Unit(EdgeChannelOrder.Gray));
        var item = new float[4];
        source.Read(0, item);
        Assert.All(item, v => Assert.Equal(0.299f * 255 / 255f, v, 5));
    }

    [Fact]
    public void An_idx_file_is_resized_to_the_input()
    {
        var images = new byte[2 * 28 * 28];
        Array.Fill(images, (byte)51);
        var path = Write("set.idx3-ubyte.gz", IdxFile.Encode(new IdxTensor([2, 28, 28], images), gzip: true));
        var source = CalibrationSource.Open(path, [1, 3, 32, 32], ImageNet);
        Assert.Equal(2, source.Count);
        Assert.Equal("2 images of 28×28×1 from set.idx3-ubyte.gz (IDX)", source.Describe());
        var item = new float[3 * 32 * 32];
        source.Read(1, item);
        Assert.Equal((0.2f - 0.485f) / 0.229f, item[0], 5);
    }

    [Fact]
    public void A_raw_tensor_file_holds_whole_items()
    {
        var path = Path.Combine(_dir, "x.f32");
        Float32File.Write(path, Enumerable.Range(0, 2 * 12).Select(i => (float)i).ToArray());
        var source = CalibrationSource.Open(path, [1, 3, 2, 2], ImageNet);
        Assert.Equal(2, source.Count);
        var item = new float[12];
        source.Read(1, item);
        Assert.Equal(12f, item[0]);
    }

    [Fact]
    public void A_raw_tensor_of_the_wrong_length_says_expected_and_got()
    {
        var path = Path.Combine(_dir, "bad.f32");
        Float32File.Write(path, new float[100]);
        var e = Assert.Throws<DataFormatException>(() => CalibrationSource.Open(path, [1, 3, 32, 32], ImageNet));
        Assert.Equal($"{path}: 100 floats are not a whole number of model inputs: expected a multiple of 3072 ([3, 32, 32] per item), got 100", e.Message);
    }

    [Fact]
    public void A_raw_tensor_with_a_nan_is_refused()
    {
        var path = Path.Combine(_dir, "nan.f32");
        Float32File.Write(path, [0, 1, float.NaN, 3]);
        Assert.Contains("item 0 holds a non-finite value NaN at offset 2", Assert.Throws<DataFormatException>(() => CalibrationSource.Open(path, [1, 4], ImageNet)).Message);
    }

    [Fact]
    public void Empty_sources_are_refused()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_dir, "empty")).FullName;
        Assert.Contains("no images to calibrate with", Assert.Throws<DataFormatException>(() => CalibrationSource.Open(empty, [1, 3, 4, 4], ImageNet)).Message);
        var emptyTensor = Write("empty.f32", []);
        Assert.Contains("empty", Assert.Throws<DataFormatException>(() => CalibrationSource.Open(emptyTensor, [1, 3, 4, 4], ImageNet)).Message);
        var idx = Write("none.idx", IdxFile.Encode(new IdxTensor([0, 28, 28], []), gzip: false));
        Assert.Contains("no images", Assert.Throws<DataFormatException>(() => CalibrationSource.Open(idx, [1, 1, 28, 28], InputNormalization.Unit(EdgeChannelOrder.Gray))).Message);
    }

    [Fact]
    public void Images_for_a_3_channel_input_with_a_gray_channel_order_are_refused()
    {
        var path = Write("one.pgm", Encoding.ASCII.GetBytes("P2 1 1 255 7"));
        var e = Assert.Throws<DataFormatException>(() => CalibrationSource.Open(path, [1, 3, 8, 8], InputNormalization.Unit(EdgeChannelOrder.Gray)));
        Assert.Contains("the model input has 3 channel(s), the preprocessing (channel order gray) gives 1", e.Message);
    }

    [Fact]
    public void A_file_of_another_kind_lists_what_is_read()
    {
        var path = Write("data.npy", [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y']);
        Assert.Contains("give an IDX image file", Assert.Throws<DataFormatException>(() => CalibrationSource.Open(path, [1, 1, 2, 2], ImageNet)).Message);
    }

    [Fact]
    public void A_missing_path_is_named()
        => Assert.Equal("/no/such/data: no such file or folder", Assert.Throws<DataFormatException>(() => CalibrationSource.Open("/no/such/data", [1, 1, 2, 2], ImageNet)).Message);

    [Fact]
    public void The_runner_refuses_items_of_another_shape_and_reports_progress_over_both_passes()
    {
        var g = Graphs.Graph(3, 4, 4, ["y"], Graphs.Conv("conv", "x", "y", 2, 3, 3, seed: 1));
        var wrong = new ArraySource([3, 5, 5], new float[75]);
        var e = Assert.Throws<DataFormatException>(() => CalibrationRunner.Run(g, wrong, new MinMaxCalibrator()));
        Assert.Equal("memory: calibration items are [3, 5, 5], the model input 'x' needs [3, 4, 4] per item", e.Message);

        var reports = new List<CalibrationProgress>();
        var result = CalibrationRunner.Run(g, ArraySource.RandomFor(g, 10, seed: 2), new PercentileCalibrator(), samples: 7, progress: new ListProgress(reports));
        Assert.Equal(7, result.Samples);
        Assert.Equal(14, reports[^1].Done);
        Assert.All(reports, r => Assert.Equal(14, r.Total));
        Assert.Equal(reports.Select(r => r.Done).Order(), reports.Select(r => r.Done));
    }

    private sealed class ListProgress(List<CalibrationProgress> reports) : IProgress<CalibrationProgress>
    {
        public void Report(CalibrationProgress value) => reports.Add(value);
    }
}
