using Edge.Core.Errors;

namespace Edge.Vision.Datasets;

/// <summary>
/// A set of equally sized 8-bit images, stored HWC-interleaved (gray: 1 channel, RGB: 3) back to back, with optional
/// integer labels. This is what calibration and evaluation consume, whatever the source (IDX, image folder, camera).
/// </summary>
public sealed class ImageSet
{
    public ImageSet(int count, int height, int width, int channels, byte[] pixels, int[]? labels = null, string source = "")
    {
        if (count < 0 || height <= 0 || width <= 0 || channels is not (1 or 3))
            throw new DataFormatException(source, $"invalid image set geometry {count}×{height}×{width}×{channels}");
        if (pixels.LongLength != (long)count * height * width * channels)
            throw new DataFormatException(source, $"{count} images of {height}×{width}×{channels} need {(long)count * height * width * channels} bytes, got {pixels.LongLength}");
        if (labels is not null && labels.Length != count)
            throw new DataFormatException(source, $"{labels.Length} labels for {count} images");
        Count = count;
        Height = height;
        Width = width;
        Channels = channels;
        Pixels = pixels;
        Labels = labels;
        Source = source;
    }

    public int Count { get; }
    public int Height { get; }
    public int Width { get; }
    public int Channels { get; }
    public byte[] Pixels { get; }
    public int[]? Labels { get; }
    public string Source { get; }
    public int ImageSize => Height * Width * Channels;

    /// <summary>The pixels of image <paramref name="index"/>, HWC.</summary>
    public ReadOnlySpan<byte> Image(int index) => Pixels.AsSpan(index * ImageSize, ImageSize);

    /// <summary>The first <paramref name="count"/> images (all when there are fewer).</summary>
    public ImageSet Take(int count)
    {
        int n = Math.Min(count, Count);
        return new ImageSet(n, Height, Width, Channels, Pixels.AsSpan(0, n * ImageSize).ToArray(), Labels?.AsSpan(0, n).ToArray(), Source);
    }

    /// <summary>
    /// Reads an IDX image file ([count, rows, cols], gray) and, when given, its IDX label file ([count]).
    /// </summary>
    public static ImageSet FromIdx(string imagesPath, string? labelsPath = null)
    {
        var images = IdxFile.Read(imagesPath);
        if (images.Dims.Length != 3) throw new DataFormatException(imagesPath, $"an IDX image file has 3 dimensions [count, rows, cols], this one has [{string.Join(", ", images.Dims)}]");
        int[]? labels = labelsPath is null ? null : ReadLabels(labelsPath);
        if (labels is not null && labels.Length != images.Dims[0])
            throw new DataFormatException(labelsPath!, $"{labels.Length} labels for the {images.Dims[0]} images of {imagesPath}");
        return new ImageSet(images.Dims[0], images.Dims[1], images.Dims[2], 1, images.Data, labels, imagesPath);
    }

    /// <summary>Reads an IDX label file ([count], one class index per byte).</summary>
    public static int[] ReadLabels(string labelsPath)
    {
        var l = IdxFile.Read(labelsPath);
        if (l.Dims.Length != 1) throw new DataFormatException(labelsPath, $"an IDX label file has 1 dimension [count], this one has [{string.Join(", ", l.Dims)}]");
        return Array.ConvertAll(l.Data, b => (int)b);
    }
}
