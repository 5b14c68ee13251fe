using Edge.Core.Errors;
using Edge.Runtime.Format;
using Edge.Runtime.Session;

namespace Edge.Vision.Preprocessing;

/// <summary>
/// The preprocessing a network was trained with, as torchvision's <c>ToTensor</c> then <c>Normalize(mean, std)</c>:
/// <c>input[c] = (pixel[c] / 255 − Mean[c]) / Std[c]</c>, one value for all channels or one per channel. The formula
/// is the runtime's (<see cref="SessionNormalization.Normalize(float, float, float)"/>), so an image normalized here and
/// run as floats gives the session's image path exactly.
/// </summary>
public sealed record InputNormalization
{
    public InputNormalization(float[] mean, float[] std, EdgeChannelOrder order)
    {
        if (mean.Length == 0 || mean.Length != std.Length)
            throw new ArgumentException($"mean has {mean.Length} values and std {std.Length}; give one value, or one per channel, for each");
        foreach (var s in std)
        {
            if (!(s > 0) || !float.IsFinite(s)) throw new ArgumentException($"std must be positive and finite, got {s}");
        }
        Mean = mean;
        Std = std;
        Order = order;
    }

    public float[] Mean { get; }
    public float[] Std { get; }
    public EdgeChannelOrder Order { get; }

    /// <summary>Pixels in [0, 255] taken as [0, 1], no mean or std.</summary>
    public static InputNormalization Unit(EdgeChannelOrder order) => new([0f], [1f], order);

    public int Channels => Order == EdgeChannelOrder.Gray ? 1 : 3;

    /// <summary>A channel order by name (gray or grey, rgb, bgr; any case), or null for any other name.</summary>
    public static EdgeChannelOrder? ParseChannelOrder(string name) => name.Trim().ToLowerInvariant() switch
    {
        "gray" or "grey" => EdgeChannelOrder.Gray,
        "rgb" => EdgeChannelOrder.Rgb,
        "bgr" => EdgeChannelOrder.Bgr,
        _ => null,
    };

    public float MeanOf(int channel) => Mean.Length == 1 ? Mean[0] : Mean[channel];
    public float StdOf(int channel) => Std.Length == 1 ? Std[0] : Std[channel];

    /// <summary>
    /// One HWC 8-bit image (gray or RGB) into a CHW float tensor with <see cref="Channels"/> planes. An image with the
    /// other channel count is converted: RGB to gray by ITU-R BT.601 luma, gray to RGB by replication.
    /// </summary>
    public void ToChw(ReadOnlySpan<byte> hwc, int height, int width, int imageChannels, Span<float> chw)
    {
        int plane = height * width;
        if (hwc.Length != plane * imageChannels) throw new DataFormatException("image", $"{hwc.Length} bytes are not a {height}×{width}×{imageChannels} image");
        if (chw.Length != plane * Channels) throw new DataFormatException("image", $"the network input holds {chw.Length} values, a {height}×{width} image in {Order} gives {plane * Channels}");
        for (int c = 0; c < Channels; c++)
        {
            float mean = MeanOf(c), std = StdOf(c);
            var dst = chw.Slice(c * plane, plane);
            int source = Order == EdgeChannelOrder.Bgr ? 2 - c : c;
            for (int i = 0; i < plane; i++)
            {
                float pixel = (imageChannels, Channels) switch
                {
                    (1, _) => hwc[i],
                    (3, 1) => SessionNormalization.Luma(hwc[3 * i], hwc[3 * i + 1], hwc[3 * i + 2]),
                    _ => hwc[imageChannels * i + source],
                };
                dst[i] = SessionNormalization.Normalize(pixel, mean, std);
            }
        }
    }
}
