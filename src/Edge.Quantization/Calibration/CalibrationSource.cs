using Edge.Core.Errors;
using Edge.Core.Files;
using Edge.Vision.Datasets;
using Edge.Vision.Images;
using Edge.Vision.Preprocessing;

namespace Edge.Quantization.Calibration;

/// <summary>
/// Representative inputs for calibration, each delivered as one normalized float item of the model input's shape
/// (NCHW without the batch: [C, H, W], or [F] for a flat input).
/// <para>
/// <see cref="Open"/> recognizes: a folder of PNG/BMP/PGM/PPM images; an IDX image file (raw or gzip; labels are not
/// needed); a raw float32 tensor file (<c>.f32</c> or <c>.f32.gz</c>, already normalized NCHW, the item count being its
/// length over one item's); a single image file. Images are converted to the preprocessing's channel order, resized
/// bilinearly to the input's H×W and normalized as <c>(pixel/255 − mean)/std</c>.
/// </para>
/// </summary>
public abstract class CalibrationSource
{
    protected CalibrationSource(string name, int[] itemShape)
    {
        Name = name;
        ItemShape = itemShape;
        ItemLength = itemShape.Aggregate(1, (a, d) => checked(a * d));
    }

    /// <summary>The source as given (a path), for errors; <see cref="Describe"/> is for reports.</summary>
    public string Name { get; }

    /// <summary>Shape of one item, without the batch dimension.</summary>
    public int[] ItemShape { get; }

    public int ItemLength { get; }

    public abstract int Count { get; }

    /// <summary>One line for reports and metadata: kind, count, file name (never a full path).</summary>
    public abstract string Describe();

    /// <summary>Writes item <paramref name="index"/> (normalized, NCHW order) to <paramref name="destination"/>.</summary>
    public abstract void Read(int index, Span<float> destination);

    /// <summary>
    /// Opens <paramref name="path"/> for a model input of shape <paramref name="inputShape"/> (batch first, which is ignored).
    /// Throws <see cref="DataFormatException"/> when the data cannot feed that input, or holds no samples.
    /// </summary>
    public static CalibrationSource Open(string path, IReadOnlyList<int> inputShape, InputNormalization normalization)
    {
        var item = inputShape.Skip(1).ToArray();
        if (Directory.Exists(path)) return ImageFileSource.FromFolder(path, item, normalization);
        if (!File.Exists(path)) throw new DataFormatException(path, "no such file or folder");
        InputFile.CheckRegular(path, "data file"); // a FIFO or a device would block or never end
        string lower = path.ToLowerInvariant();
        if (lower.EndsWith(".f32") || lower.EndsWith(".f32.gz")) return RawTensorSource.Open(path, item);
        if (ImageDecoder.HasImageExtension(path)) return new ImageFileSource(path, [path], item, normalization);
        if (!LooksLikeIdx(path))
        {
            throw new DataFormatException(path, "not calibration data Edge reads: give an IDX image file (raw or gzip), a folder of PNG/BMP/PGM/PPM images, " +
                "an image, or a raw float32 tensor file (.f32, .f32.gz)");
        }
        return new ImageSetSource(ImageSet.FromIdx(path), item, normalization);
    }

    /// <summary>An IDX file starts with 00 00 08 (unsigned bytes); a gzip file with 1f 8b (checked when inflated).</summary>
    private static bool LooksLikeIdx(string path)
    {
        Span<byte> head = stackalloc byte[3];
        try
        {
            using var f = InputFile.OpenRead(path, "data file");
            int n = f.ReadAtLeast(head, 3, throwOnEndOfStream: false);
            return n >= 2 && head[0] == 0x1f && head[1] == 0x8b || n == 3 && head[0] == 0 && head[1] == 0 && head[2] == 0x08;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, $"cannot read: {e.Message}", e);
        }
    }

    protected static string FileName(string path) => Path.GetFileName(Path.TrimEndingDirectorySeparator(path));
}
