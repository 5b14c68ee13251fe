using Edge.Runtime.Arithmetic;
using Edge.Runtime.Format;
using Edge.Runtime.Session;
using Edge.Runtime.Tests.Session.Support;
using Edge.Runtime.Tests.Support;
using Edge.Tests.Shared;

namespace Edge.Runtime.Tests.Session;

/// <summary>The camera-case conveniences of EdgeSession.Image.cs: <c>Run(image bytes)</c> and <c>Classify</c>.</summary>
public class SessionImageTests
{
    private static readonly ModelBuilder Everything = SessionCases.Everything(23);

    /// <summary>A 5×7 image input of <paramref name="order"/> dequantized straight to the output: the output is the normalized input.</summary>
    private static EdgeSession ImageModel(EdgeChannelOrder order)
    {
        int channels = order == EdgeChannelOrder.Gray ? 1 : 3;
        var b = new ModelBuilder(11);
        int x = b.Input([1, 5, 7, channels], new QuantizationParams(0.04f, -3), order,
            channels == 1 ? [0.2f] : [0.485f, 0.456f, 0.406f], channels == 1 ? [0.3f] : [0.229f, 0.224f, 0.225f]);
        b.Output(b.Dequantize(x));
        return EdgeSession.FromModel(b.Model);
    }

    [Theory]
    [InlineData(EdgeChannelOrder.Gray, 1)]
    [InlineData(EdgeChannelOrder.Gray, 3)]
    [InlineData(EdgeChannelOrder.Rgb, 3)]
    [InlineData(EdgeChannelOrder.Bgr, 3)]
    [InlineData(EdgeChannelOrder.Rgb, 1)]
    public void Run_on_image_bytes_reads_the_channels_from_the_length_and_equals_RunImage(EdgeChannelOrder order, int imageChannels)
    {
        var s = ImageModel(order);
        var pixels = new byte[5 * 7 * imageChannels];
        new Random(17 + imageChannels).NextBytes(pixels);
        var expected = new float[s.Outputs[0].ElementCount];
        var actual = new float[expected.Length];
        s.RunImage(pixels, 5, 7, imageChannels, expected);
        s.Run(pixels, actual);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(34)]
    [InlineData(36)]
    [InlineData(70)]
    [InlineData(106)]
    public void Run_on_image_bytes_of_another_length_names_both_sizes_it_takes(int length)
    {
        var s = ImageModel(EdgeChannelOrder.Rgb);
        var e = Assert.Throws<ArgumentException>(() => s.Run(new byte[length], new float[s.Outputs[0].ElementCount]));
        Assert.Contains($"{length} bytes", e.Message);
        Assert.Contains("gray (35 bytes)", e.Message);
        Assert.Contains("RGB (105 bytes)", e.Message);
        Assert.Contains("7×5", e.Message);
    }

    [Fact]
    public void Run_on_image_bytes_refuses_a_model_whose_input_is_not_an_image()
    {
        var b = new ModelBuilder(3);
        int x = b.Input([1, 12]);
        b.Output(b.Dequantize(x));
        var s = EdgeSession.FromModel(b.Model);
        var e = Assert.Throws<InvalidOperationException>(() => s.Run(new byte[12], new float[12]));
        Assert.Contains("not a gray or color image input", e.Message);
    }

    [Fact]
    public void Classify_returns_the_top_1_of_the_scores_it_writes()
    {
        // The shipped Fashion-MNIST LeNet on its first test images: real scores, several classes.
        var model = FirmwareModels.Get("lenet5-fashion");
        var s = EdgeSession.Load(model.EdgePath);
        var test = model.TestSet(40);
        var scores = new float[s.Outputs[0].ElementCount];
        var expected = new float[scores.Length];
        var top = new int[1];
        var classes = new HashSet<int>();
        for (int i = 0; i < test.Count; i++)
        {
            int best = s.Classify(test.Image(i), scores);
            s.RunImage(test.Image(i), test.Height, test.Width, test.Channels, expected);
            EdgeSession.TopK(expected, top);
            Assert.Equal(expected, scores);
            Assert.True(top[0] == best, $"image {i}: Classify {best}, TopK {top[0]}");
            classes.Add(best);
        }
        Assert.True(classes.Count >= 5, $"40 test images fell in {classes.Count} classes: the test would hardly see a wrong index");
    }

    [Fact]
    public void Run_on_image_bytes_and_Classify_allocate_nothing()
    {
        var s = EdgeSession.FromModel(Everything.Model);
        var (h, w) = s.ImageSize;
        var pixels = new byte[h * w * 3];
        new Random(5).NextBytes(pixels);
        var scores = new float[s.Outputs[0].ElementCount];
        Allocations.AssertNone("Run(image)", () => s.Run(pixels, scores));
        Allocations.AssertNone("Classify(image)", () => s.Classify(pixels, scores));
    }
}
