using Edge.Core.Errors;
using Edge.Core.Files;

namespace Edge.Vision.Images;

/// <summary>
/// An 8-bit image as the decoders return it: <see cref="Channels"/> is 1 (gray) or 3 (RGB), pixels row-major, HWC
/// interleaved, top row first. An alpha channel is dropped (not composited): a network sees the color values.
/// </summary>
public sealed record DecodedImage(int Width, int Height, int Channels, byte[] Pixels)
{
    /// <summary>The default largest pixel count a decoder accepts (2^26, e.g. 8192×8192); <see cref="InputLimits.MaxPixels"/> is the one in force.</summary>
    public const long MaxPixels = InputLimits.DefaultMaxPixels;

    /// <summary>
    /// Throws unless a header's dimensions are positive and their product is within <see cref="InputLimits.MaxPixels"/>.
    /// Each side is checked first, so the product of two 32-bit sizes (up to 2^64) cannot wrap.
    /// </summary>
    internal static void CheckSize(string file, string format, long width, long height)
    {
        if (width <= 0 || height <= 0) throw new DataFormatException(file, $"{format} header declares a {width}×{height} image");
        long max = InputLimits.MaxPixels;
        if (width > max || height > max || width * height > max)
            throw new DataFormatException(file, $"{format} image of {width}×{height} exceeds the {max} pixels Edge decodes (edge --max-pixels raises it)");
    }

    /// <summary>True when every palette entry is a gray (r = g = b), so the image decodes to one channel.</summary>
    internal static bool IsGrayPalette(byte[][] palette) => palette.All(e => e[0] == e[1] && e[1] == e[2]);
}
