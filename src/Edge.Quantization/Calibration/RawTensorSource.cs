using Edge.Core.Errors;
using Edge.Core.Tensors;

namespace Edge.Quantization.Calibration;

/// <summary>A raw float32 file of already normalized NCHW items back to back (see <see cref="Float32File"/>).</summary>
public sealed class RawTensorSource : CalibrationSource
{
    private readonly List<float[]> _items = [];

    private RawTensorSource(string path, int[] itemShape) : base(path, itemShape) { }

    /// <summary>
    /// Reads every item (the file is bounded by <see cref="Edge.Core.Files.InputLimits.MaxBytes"/>, inflated), one
    /// array per item, checking each is finite; a partial last item or an empty file is an error naming the file.
    /// </summary>
    public static RawTensorSource Open(string path, int[] itemShape)
    {
        var source = new RawTensorSource(path, itemShape);
        using var reader = Float32File.OpenItems(path, source.ItemLength);
        try
        {
            while (true)
            {
                var item = new float[source.ItemLength];
                if (!reader.ReadItem(item)) break;
                source._items.Add(item);
            }
        }
        catch (DataFormatException) when (reader.TotalFloats is { } floats)
        {
            string shape = "[" + string.Join(", ", itemShape) + "]";
            throw new DataFormatException(path, $"{floats} floats are not a whole number of model inputs: expected a multiple of {source.ItemLength} ({shape} per item), got {floats}");
        }
        if (source._items.Count == 0) throw new DataFormatException(path, "the calibration tensor file is empty: no samples");
        return source;
    }

    public override int Count => _items.Count;

    public override string Describe() => $"{Count} tensors from {FileName(Name)} (raw float32)";

    public override void Read(int index, Span<float> destination) => _items[index].CopyTo(destination);
}
