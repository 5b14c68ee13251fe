using Edge.Core.Errors;
using Edge.Vision.Images;
using Edge.Vision.Preprocessing;

namespace Edge.Quantization.Calibration;

/// <summary>
/// Image files (PNG, BMP, PGM, PPM), decoded when read. A folder contributes its image files (by extension, not
/// recursively) in ordinal order of their names, so the order does not depend on the file system.
/// </summary>
public sealed class ImageFileSource : CalibrationSource
{
    private readonly string[] _files;
    private readonly ImagePreprocessor _preprocessor;

    public ImageFileSource(string name, string[] files, int[] itemShape, InputNormalization normalization) : base(name, itemShape)
    {
        if (files.Length == 0) throw new DataFormatException(name, $"no images to calibrate with (looked for {string.Join(", ", ImageDecoder.Extensions)})");
        _files = files;
        _preprocessor = new ImagePreprocessor(name, itemShape, normalization);
    }

    public static ImageFileSource FromFolder(string folder, int[] itemShape, InputNormalization normalization)
    {
        string[] files;
        try
        {
            files = Directory.GetFiles(folder).Where(ImageDecoder.HasImageExtension).Order(StringComparer.Ordinal).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(folder, $"cannot list the folder: {e.Message}", e);
        }
        return new ImageFileSource(folder, files, itemShape, normalization);
    }

    public override int Count => _files.Length;

    public override string Describe() => _files.Length == 1 && _files[0] == Name
        ? $"1 image {FileName(Name)}"
        : $"{Count} images from folder {FileName(Name)}";

    public override void Read(int index, Span<float> destination) => _preprocessor.Fill(ImageDecoder.Decode(_files[index]), destination);
}
