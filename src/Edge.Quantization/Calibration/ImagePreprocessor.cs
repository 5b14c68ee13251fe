using Edge.Core.Errors;
using Edge.Vision.Images;
using Edge.Vision.Preprocessing;

namespace Edge.Quantization.Calibration;

/// <summary>
/// Turns an 8-bit HWC image into a model input item [C, H, W]: channel conversion and normalization by
/// <see cref="InputNormalization"/>, with a bilinear resize (PyTorch's, align_corners=False) when the image is not H×W.
/// When resizing, the order is PyTorch's: pixel/255, resize, then (x − mean)/std.
/// </summary>
internal sealed class ImagePreprocessor
{
    private readonly InputNormalization _normalization;
    private readonly InputNormalization _unit;
    private readonly int _channels, _height, _width;

    public ImagePreprocessor(string source, int[] itemShape, InputNormalization normalization)
    {
        if (itemShape.Length != 3)
            throw new DataFormatException(source, $"images cannot feed a model input of shape [{string.Join(", ", itemShape)}] per item: an image input is [C, H, W]");
        (_channels, _height, _width) = (itemShape[0], itemShape[1], itemShape[2]);
        if (normalization.Channels != _channels)
        {
            throw new DataFormatException(source,
                $"the model input has {_channels} channel(s), the preprocessing (channel order {normalization.Order.ToString().ToLowerInvariant()}) gives {normalization.Channels}: pass --channel-order {(_channels == 1 ? "gray" : "rgb or bgr")}");
        }
        if (normalization.Mean.Length is not 1 && normalization.Mean.Length != _channels)
            throw new DataFormatException(source, $"{normalization.Mean.Length} mean/std values for a {_channels}-channel input: give one, or one per channel");
        _normalization = normalization;
        _unit = InputNormalization.Unit(normalization.Order);
    }

    public void Fill(ReadOnlySpan<byte> hwc, int height, int width, int channels, Span<float> destination)
    {
        if (height == _height && width == _width)
        {
            _normalization.ToChw(hwc, height, width, channels, destination);
            return;
        }
        var native = new float[_channels * height * width];
        _unit.ToChw(hwc, height, width, channels, native);
        int plane = _height * _width;
        for (int c = 0; c < _channels; c++)
        {
            var dst = destination.Slice(c * plane, plane);
            BilinearResize.Plane(native.AsSpan(c * height * width, height * width), height, width, dst, _height, _width);
            float mean = _normalization.MeanOf(c), std = _normalization.StdOf(c);
            for (int i = 0; i < dst.Length; i++) dst[i] = (dst[i] - mean) / std;
        }
    }

    public void Fill(DecodedImage image, Span<float> destination) => Fill(image.Pixels, image.Height, image.Width, image.Channels, destination);
}
