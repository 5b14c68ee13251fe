using Edge.Runtime.Format;
using Edge.Runtime.Session;
using Edge.Vision.Images;

namespace Edge.Vision.Preprocessing;

/// <summary>
/// Feeds 8-bit images of any size to an <see cref="EdgeSession"/>, preprocessed as the model records and as the converter
/// calibrated it. An image of the model's size goes straight to <see cref="EdgeSession.RunImage"/> (per-channel tables
/// quantize each pixel into the input tensor). Another size takes PyTorch's order: pixel/255 per channel plane,
/// bilinear resize (<see cref="BilinearResize"/>, align_corners=False), then <c>(x − mean)/std</c>, then
/// <see cref="EdgeSession.Run(ReadOnlySpan{float}, Span{float})"/>.
/// <para>
/// The buffers are kept between frames: after the first frame of a given size, a run allocates nothing. Like the session,
/// an instance serves one thread.
/// </para>
/// </summary>
public sealed class ImageInput
{
    private readonly EdgeSession _session;
    private readonly InputNormalization _unit;
    private readonly float[] _resized;
    private float[] _planes = [];

    public ImageInput(EdgeSession session)
    {
        (Height, Width) = session.ImageSize;
        if (Height == 0) throw new ArgumentException($"{session.Source}: input '{session.Inputs[0].Name}' [{string.Join(", ", session.Inputs[0].LogicalShape)}] is not an image input");
        _session = session;
        Channels = session.Inputs[0].NhwcShape[3];
        Order = session.Normalization.ChannelOrder;
        _unit = InputNormalization.Unit(Order);
        _resized = new float[Channels * Height * Width];
    }

    /// <summary>The image size the model takes.</summary>
    public int Height { get; }
    public int Width { get; }

    /// <summary>The model's channels (1 gray, 3 color) and their order.</summary>
    public int Channels { get; }
    public EdgeChannelOrder Order { get; }

    public void Run(DecodedImage image, Span<float> output) => Run(image.Pixels, image.Height, image.Width, image.Channels, output);

    /// <summary>Runs the model on an HWC image of <paramref name="channels"/> 1 (gray) or 3 (RGB); writes output 0 as float.</summary>
    public void Run(ReadOnlySpan<byte> hwc, int height, int width, int channels, Span<float> output)
    {
        if (height == Height && width == Width)
        {
            _session.RunImage(hwc, height, width, channels, output);
            return;
        }
        int plane = height * width;
        if (_planes.Length != Channels * plane) _planes = new float[Channels * plane];
        _unit.ToChw(hwc, height, width, channels, _planes);
        var norm = _session.Normalization;
        int target = Height * Width;
        for (int c = 0; c < Channels; c++)
        {
            var dst = _resized.AsSpan(c * target, target);
            BilinearResize.Plane(_planes.AsSpan(c * plane, plane), height, width, dst, Height, Width);
            float mean = norm.MeanOf(c), std = norm.StdOf(c);
            for (int i = 0; i < dst.Length; i++) dst[i] = (dst[i] - mean) / std;
        }
        _session.Run(_resized, output);
    }
}
