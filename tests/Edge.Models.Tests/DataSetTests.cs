using Edge.Tests.Shared;

namespace Edge.Models.Tests;

/// <summary>The committed data sets are what firmware-models/README.md says they are.</summary>
public class DataSetTests
{
    [Theory]
    [InlineData("data/mnist-test-images-idx3-ubyte.gz", "data/mnist-test-labels-idx1-ubyte.gz", 2000)]
    [InlineData("data/mnist-calib-images-idx3-ubyte.gz", "data/mnist-calib-labels-idx1-ubyte.gz", 1000)]
    [InlineData("data/fashion-test-images-idx3-ubyte.gz", "data/fashion-test-labels-idx1-ubyte.gz", 10000)]
    [InlineData("data/fashion-calib-images-idx3-ubyte.gz", "data/fashion-calib-labels-idx1-ubyte.gz", 1000)]
    public void Data_set_has_the_documented_size_and_every_class(string images, string labels, int count)
    {
        var set = Edge.Vision.Datasets.ImageSet.FromIdx(FirmwareModels.PathOf(images), FirmwareModels.PathOf(labels));
        Assert.Equal((count, 28, 28, 1), (set.Count, set.Height, set.Width, set.Channels));
        Assert.Equal(Enumerable.Range(0, 10), set.Labels!.Distinct().Order());
        Assert.True(set.Pixels.Max() > 200 && set.Pixels.Min() == 0, "pixels span the 8-bit range");
    }

    [Fact]
    public void Manifest_lists_models_whose_files_exist()
    {
        Assert.NotEmpty(FirmwareModels.All);
        foreach (var m in FirmwareModels.All)
        {
            Assert.True(File.Exists(FirmwareModels.PathOf(m.Onnx)), m.Onnx);
            Assert.True(File.Exists(FirmwareModels.PathOf(m.BnOnnx)), m.BnOnnx);
            Assert.True(File.Exists(FirmwareModels.PathOf(m.Golden)), m.Golden);
        }
    }
}
