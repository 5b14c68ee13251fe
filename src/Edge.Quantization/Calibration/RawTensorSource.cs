using Edge.Core.Errors;
using Edge.Core.Tensors;

namespace Edge.Quantization.Calibration;

/// <summary>A raw float32 file of already normalized NCHW items back to back (see <see cref="Float32File"/>).</summary>
public sealed class RawTensorSource : CalibrationSource
{
    private readonly float[] _data;

    private RawTensorSource(string path, int[] itemShape, float[] data) : base(path, itemShape) => _data = data;

    public static RawTensorSource Open(string path, int[] itemShape)
    {
        var data = Float32File.Read(path);
        var source = new RawTensorSource(path, itemShape, data);
        string shape = "[" + string.Join(", ", itemShape) + "]";
        if (data.Length == 0) throw new DataFormatException(path, "the calibration tensor file is empty: no samples");
        if (data.Length % source.ItemLength != 0)
            throw new DataFormatException(path, $"{data.Length} floats are not a whole number of model inputs: expected a multiple of {source.ItemLength} ({shape} per item), got {data.Length}");
        for (int i = 0; i < data.Length; i++)
        {
            if (!float.IsFinite(data[i])) throw new DataFormatException(path, $"item {i / source.ItemLength} holds a non-finite value {data[i]} at offset {i % source.ItemLength}");
        }
        return source;
    }

    public override int Count => _data.Length / ItemLength;

    public override string Describe() => $"{Count} tensors from {FileName(Name)} (raw float32)";

    public override void Read(int index, Span<float> destination) => _data.AsSpan(index * ItemLength, ItemLength).CopyTo(destination);
}
