using Edge.Core.Errors;

namespace Edge.Vision.Images;

/// <summary>
/// An 8-bit image as the decoders return it: <see cref="Channels"/> is 1 (gray) or 3 (RGB), pixels row-major, HWC
/// interleaved, top row first. An alpha channel is dropped (not composited): a network sees the color values.
/// </summary>
public sealed record DecodedImage(int Width, int Height, int Channels, byte[] Pixels)
{
    /// <summary>Largest pixel count a decoder accepts (2^26, e.g. 8192×8192): a header cannot make it allocate more.</summary>
    public const long MaxPixels = 1L << 26;

    /// <summary>Throws unless a header's dimensions are positive and within <see cref="MaxPixels"/>.</summary>
    internal static void CheckSize(string file, string format, long width, long height)
    {
        if (width <= 0 || height <= 0) throw new DataFormatException(file, $"{format} header declares a {width}×{height} image");
        if (width * height > MaxPixels) throw new DataFormatException(file, $"{format} image of {width}×{height} exceeds the {MaxPixels} pixels Edge decodes");
    }

    /// <summary>True when every palette entry is a gray (r = g = b), so the image decodes to one channel.</summary>
    internal static bool IsGrayPalette(byte[][] palette) => palette.All(e => e[0] == e[1] && e[1] == e[2]);
}
