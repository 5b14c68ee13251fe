namespace Edge.Runtime.Format;

/// <summary>Element type of a tensor or blob in a <c>.edge</c> model.</summary>
public enum EdgeDataType : byte
{
    Int8 = 1,
    Float32 = 2,
    Int32 = 3,
}

/// <summary>
/// An int8 model as stored in a <c>.edge</c> file (docs/edge-format.md): tensors with their quantization, operators in
/// execution order, constant blobs, the input preprocessing, optional labels and metadata. The converter builds one and
/// writes it; the runtime reads one and prepares kernels from it.
/// </summary>
public sealed class EdgeModel
{
    public List<EdgeTensor> Tensors { get; } = [];
    public List<EdgeInput> Inputs { get; } = [];

    /// <summary>Indices into <see cref="Tensors"/>.</summary>
    public List<int> Outputs { get; } = [];

    /// <summary>Operators in execution order.</summary>
    public List<EdgeOp> Ops { get; } = [];

    /// <summary>Class labels, one per output index; empty when none were given.</summary>
    public List<string> Labels { get; } = [];

    /// <summary>Provenance (source model, calibrator, samples…), written sorted by key so files are reproducible.</summary>
    public SortedDictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    /// <summary>Version of the program that produced the file, e.g. <c>edge 0.1.0</c> (at most 16 UTF-8 bytes).</summary>
    public string ProducerVersion { get; set; } = "";

    public int AddTensor(EdgeTensor t)
    {
        Tensors.Add(t);
        return Tensors.Count - 1;
    }
}

/// <summary>
/// A tensor: its shape (activations NHWC with batch 1; a 2-D [1, features] after Flatten), element type and, for int8,
/// its quantization <c>real = Scale × (q − ZeroPoint)</c>.
/// </summary>
public sealed record EdgeTensor(string Name, EdgeDataType DataType, int[] Shape, float Scale = 1f, int ZeroPoint = 0)
{
    public long ElementCount => Shape.Aggregate(1L, (a, d) => a * d);

    public int ElementSize => DataType switch { EdgeDataType.Int8 => 1, _ => 4 };

    public long ByteCount => ElementCount * ElementSize;

    public bool Equals(EdgeTensor? other) => other is not null && Name == other.Name && DataType == other.DataType &&
        Shape.AsSpan().SequenceEqual(other.Shape) && Scale.Equals(other.Scale) && ZeroPoint == other.ZeroPoint;

    public override int GetHashCode() => HashCode.Combine(Name, DataType, Shape.Length, Scale, ZeroPoint);
}

/// <summary>Color channel order of an image input.</summary>
public enum EdgeChannelOrder : byte
{
    Gray = 0,
    Rgb = 1,
    Bgr = 2,
}

/// <summary>
/// A model input and the preprocessing the network was trained with: <c>(pixel/255 − Mean[c]) / Std[c]</c>, in
/// <see cref="ChannelOrder"/>. The float layout the user supplies is NCHW; the int8 tensor is NHWC.
/// </summary>
public sealed record EdgeInput(int Tensor, float[] Mean, float[] Std, EdgeChannelOrder ChannelOrder);

/// <summary>A constant: weights, bias, multipliers, a lookup table. <see cref="Data"/> holds the little-endian bytes.</summary>
public sealed record EdgeBlob(EdgeDataType DataType, int[] Shape, byte[] Data)
{
    public long ElementCount => Shape.Aggregate(1L, (a, d) => a * d);

    public static EdgeBlob FromInt8(int[] shape, ReadOnlySpan<sbyte> values) => new(EdgeDataType.Int8, shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).ToArray());

    public static EdgeBlob FromInt32(int[] shape, ReadOnlySpan<int> values) => new(EdgeDataType.Int32, shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).ToArray());

    public static EdgeBlob FromFloat32(int[] shape, ReadOnlySpan<float> values) => new(EdgeDataType.Float32, shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).ToArray());

    public ReadOnlySpan<sbyte> AsInt8() => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(Data);
    public ReadOnlySpan<int> AsInt32() => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(Data);
    public ReadOnlySpan<float> AsFloat32() => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(Data);
}

/// <summary>
/// One operator: its type, tensor indices, integer and float parameters and constant blobs. The meaning of
/// <see cref="Ints"/>, <see cref="Floats"/> and <see cref="Blobs"/> per <see cref="EdgeOpType"/> is fixed by
/// docs/edge-format.md.
/// </summary>
public sealed class EdgeOp
{
    public EdgeOp(EdgeOpType type, string name, int[] inputs, int[] outputs, int[]? ints = null, float[]? floats = null, EdgeBlob[]? blobs = null)
    {
        Type = type;
        Name = name;
        Inputs = inputs;
        Outputs = outputs;
        Ints = ints ?? [];
        Floats = floats ?? [];
        Blobs = blobs ?? [];
    }

    public EdgeOpType Type { get; }
    public string Name { get; }
    public int[] Inputs { get; }
    public int[] Outputs { get; }
    public int[] Ints { get; }
    public float[] Floats { get; }
    public EdgeBlob[] Blobs { get; }

    public override string ToString() => $"{Type} '{Name}'";
}
