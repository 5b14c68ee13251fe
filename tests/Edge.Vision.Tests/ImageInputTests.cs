using Edge.Runtime.Arithmetic;
using Edge.Runtime.Format;
using Edge.Runtime.Session;
using Edge.Vision.Images;
using Edge.Vision.Preprocessing;

namespace Edge.Vision.Tests;

/// <summary>
/// <see cref="ImageInput"/> feeds images to a session as the converter's calibration preprocessed them. The model here is
/// the input tensor dequantized, so its output shows exactly the int8 values the image became.
/// </summary>
public class ImageInputTests
{
    private static readonly QuantizationParams InputParams = new(0.021f, 3);

    private static EdgeSession IdentityModel(int h, int w, int c, EdgeChannelOrder order, float[] mean, float[] std)
    {
        var m = new EdgeModel();
        int x = m.AddTensor(new EdgeTensor("input", EdgeDataType.Int8, [1, h, w, c], InputParams.Scale, InputParams.ZeroPoint));
        int y = m.AddTensor(new EdgeTensor("y", EdgeDataType.Float32, [1, h, w, c]));
        m.Inputs.Add(new EdgeInput(x, mean, std, order));
        m.Ops.Add(new EdgeOp(EdgeOpType.Dequantize, "dequantize", [x], [y]));
        m.Outputs.Add(y);
        return EdgeSession.FromModel(m);
    }

    private static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    /// <summary>Normalized CHW floats quantized with the input's parameters and dequantized: what the session's input holds.</summary>
    private static float[] AsInputTensor(float[] chw) => chw.Select(v => InputParams.Dequantize(InputParams.Quantize(v))).ToArray();

    [Theory]
    [InlineData(3, EdgeChannelOrder.Rgb)]
    [InlineData(1, EdgeChannelOrder.Rgb)]
    [InlineData(3, EdgeChannelOrder.Bgr)]
    [InlineData(3, EdgeChannelOrder.Gray)]
    public void An_image_of_the_model_size_becomes_the_normalized_quantized_input(int imageChannels, EdgeChannelOrder order)
    {
        int c = order == EdgeChannelOrder.Gray ? 1 : 3;
        float[] mean = c == 1 ? [0.286f] : Mean, std = c == 1 ? [0.353f] : Std;
        var input = new ImageInput(IdentityModel(5, 6, c, order, mean, std));
        var pixels = Pixels(5 * 6 * imageChannels, 1);
        var chw = new float[c * 30];
        new InputNormalization(mean, std, order).ToChw(pixels, 5, 6, imageChannels, chw);
        var output = new float[chw.Length];
        input.Run(pixels, 5, 6, imageChannels, output);
        Assert.Equal(AsInputTensor(chw), output);
    }

    [Theory]
    [InlineData(11, 9, 3)]
    [InlineData(3, 4, 3)]
    [InlineData(28, 28, 1)]
    public void An_image_of_another_size_is_resized_as_the_converter_calibrates(int height, int width, int imageChannels)
    {
        var input = new ImageInput(IdentityModel(6, 5, 3, EdgeChannelOrder.Rgb, Mean, Std));
        var pixels = Pixels(height * width * imageChannels, 2);

        // pixel/255 per plane, PyTorch's bilinear resize, then (x − mean)/std.
        var unit = new float[3 * height * width];
        InputNormalization.Unit(EdgeChannelOrder.Rgb).ToChw(pixels, height, width, imageChannels, unit);
        var chw = new float[3 * 30];
        for (int ch = 0; ch < 3; ch++)
        {
            var plane = chw.AsSpan(ch * 30, 30);
            BilinearResize.Plane(unit.AsSpan(ch * height * width, height * width), height, width, plane, 6, 5);
            for (int i = 0; i < 30; i++) plane[i] = (plane[i] - Mean[ch]) / Std[ch];
        }
        var output = new float[chw.Length];
        input.Run(new DecodedImage(width, height, imageChannels, pixels), output);
        Assert.Equal(AsInputTensor(chw), output);
    }

    [Fact]
    public void After_the_first_frame_of_a_size_running_allocates_nothing()
    {
        var input = new ImageInput(IdentityModel(6, 5, 3, EdgeChannelOrder.Rgb, Mean, Std));
        var same = Pixels(6 * 5 * 3, 3);
        var other = Pixels(12 * 10 * 3, 4);
        var output = new float[90];
        Edge.Tests.Shared.ZeroAllocation.Assert("ImageInput.Run, two sizes in turn", () =>
        {
            input.Run(same, 6, 5, 3, output);
            input.Run(other, 12, 10, 3, output);
        });
    }

    [Fact]
    public void A_model_without_an_image_input_is_refused()
    {
        var m = new EdgeModel();
        int x = m.AddTensor(new EdgeTensor("x", EdgeDataType.Int8, [1, 20], 0.1f, 0));
        int y = m.AddTensor(new EdgeTensor("y", EdgeDataType.Float32, [1, 20]));
        m.Inputs.Add(new EdgeInput(x, [0f], [1f], EdgeChannelOrder.Gray));
        m.Ops.Add(new EdgeOp(EdgeOpType.Dequantize, "dequantize", [x], [y]));
        m.Outputs.Add(y);
        var e = Assert.Throws<ArgumentException>(() => new ImageInput(EdgeSession.FromModel(m)));
        Assert.Contains("not an image input", e.Message);
    }

    private static byte[] Pixels(int n, int seed)
    {
        var p = new byte[n];
        new Random(seed).NextBytes(p);
        return p;
    }
}
