using Edge.Core.Errors;
using Edge.Vision.Datasets;
using Edge.Vision.Preprocessing;

namespace Edge.Quantization.Calibration;

/// <summary>Images of an <see cref="ImageSet"/> (an IDX file); labels, if any, are ignored.</summary>
public sealed class ImageSetSource : CalibrationSource
{
    private readonly ImageSet _images;
    private readonly ImagePreprocessor _preprocessor;

    public ImageSetSource(ImageSet images, int[] itemShape, InputNormalization normalization) : base(images.Source, itemShape)
    {
        if (images.Count == 0) throw new DataFormatException(images.Source, "the calibration set holds no images");
        _images = images;
        _preprocessor = new ImagePreprocessor(images.Source, itemShape, normalization);
    }

    public override int Count => _images.Count;

    public override string Describe()
        => $"{Count} images of {_images.Height}×{_images.Width}×{_images.Channels} from {FileName(Name)} (IDX)";

    public override void Read(int index, Span<float> destination)
        => _preprocessor.Fill(_images.Image(index), _images.Height, _images.Width, _images.Channels, destination);
}
