using Edge.Core.Errors;
using Edge.Core.Files;

namespace Edge.Vision.Images;

/// <summary>
/// Decodes PNG, BMP, PGM and PPM files, recognized by their leading bytes (not the file name). Every problem is a
/// <see cref="DataFormatException"/> naming the file and what is wrong with it.
/// </summary>
public static class ImageDecoder
{
    /// <summary>File name extensions of the formats <see cref="Decode(string)"/> reads (lower case, with the dot).</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".bmp", ".pgm", ".ppm", ".pnm"];

    public static bool HasImageExtension(string path) => Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    public static DecodedImage Decode(string path)
    {
        // A regular file within the byte limit: a FIFO, a device or a directory is refused before it is opened.
        return Decode(InputFile.ReadAllBytes(path, InputLimits.MaxBytes, "image", gzip: false), path);
    }

    /// <summary>Decodes an image held in <paramref name="bytes"/>; <paramref name="file"/> names it in errors.</summary>
    public static DecodedImage Decode(byte[] bytes, string file)
    {
        if (PngDecoder.HasSignature(bytes)) return PngDecoder.Decode(bytes, file);
        if (BmpDecoder.HasSignature(bytes)) return BmpDecoder.Decode(bytes, file);
        if (PnmDecoder.HasSignature(bytes)) return PnmDecoder.Decode(bytes, file);
        throw new DataFormatException(file, "not a PNG, BMP, PGM or PPM image (unrecognized leading bytes)");
    }
}
