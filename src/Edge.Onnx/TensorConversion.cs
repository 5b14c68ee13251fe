using System.Buffers.Binary;
using Edge.Core.Errors;
using Edge.Onnx.Proto;
using Edge.Onnx.ShapeFolding;
using DT = Edge.Onnx.Proto.TensorProto.Types.DataType;

namespace Edge.Onnx;

/// <summary>
/// Decodes an ONNX <see cref="TensorProto"/> (an initializer or a Constant's value) into a <see cref="FoldedTensor"/>.
/// Floating types (float32, float16, bfloat16, double) become float32; integer types and bool become int64.
/// Values come from <c>raw_data</c> (fixed width, little-endian) or from the typed field the ONNX schema assigns to the
/// type: <c>float_data</c>, <c>double_data</c>, <c>int64_data</c>, <c>uint64_data</c>, or <c>int32_data</c> (which
/// also carries the 8/16-bit integer types, bool and the bit patterns of float16/bfloat16).
/// </summary>
internal static class TensorConversion
{
    public static FoldedTensor Read(TensorProto t, string file, string name)
    {
        ModelImportException Error(string message) => new(file, $"tensor '{name}': {message}");

        if (t.DataLocation == TensorProto.Types.DataLocation.External || t.ExternalData.Count > 0)
            throw Error("external data is not supported: re-export with the weights inside the file");
        if (t.Segment is not null) throw Error("segmented tensors are not supported");

        var dims = new int[t.Dims.Count];
        for (int i = 0; i < dims.Length; i++)
        {
            if (t.Dims[i] < 0 || t.Dims[i] > int.MaxValue) throw Error($"dimension {t.Dims[i]} is out of range");
            dims[i] = (int)t.Dims[i];
        }
        long count = FoldedTensor.ElementCount(dims);
        if (count > FoldedTensor.MaxElements) throw Error($"shape [{string.Join(", ", dims)}] is too large");
        int n = (int)count;
        var type = (DT)t.DataType;
        var raw = t.RawData.Span;

        int width = ElementWidth(type) ?? throw Error($"data type {type} is not supported");
        int available = raw.Length > 0 ? raw.Length / width : TypedFieldLength(t, type);
        if (raw.Length % width != 0 || available != n)
        {
            string has = raw.Length > 0 ? $"raw_data has {raw.Length} bytes" : $"it holds {available} values";
            throw Error($"{has}; dims [{string.Join(", ", dims)}] need {n} {type} values ({(long)n * width} bytes)");
        }

        switch (type)
        {
            case DT.Float:
                return FoldedTensor.OfFloats(dims, raw.Length > 0 ? Floats(raw, n, 4, b => BinaryPrimitives.ReadSingleLittleEndian(b)) : t.FloatData.ToArray());
            case DT.Double:
                return FoldedTensor.OfFloats(dims, raw.Length > 0
                    ? Floats(raw, n, 8, b => (float)BinaryPrimitives.ReadDoubleLittleEndian(b))
                    : t.DoubleData.Select(v => (float)v).ToArray());
            case DT.Float16:
                return FoldedTensor.OfFloats(dims, raw.Length > 0
                    ? Floats(raw, n, 2, b => (float)BinaryPrimitives.ReadHalfLittleEndian(b))
                    : t.Int32Data.Select(v => (float)BitConverter.UInt16BitsToHalf((ushort)v)).ToArray());
            case DT.Bfloat16:
                return FoldedTensor.OfFloats(dims, raw.Length > 0
                    ? Floats(raw, n, 2, b => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b) << 16))
                    : t.Int32Data.Select(v => BitConverter.Int32BitsToSingle((v & 0xFFFF) << 16)).ToArray());
            case DT.Uint64:
                var u64 = raw.Length > 0 ? Ints(raw, n, 8, b => (long)BinaryPrimitives.ReadUInt64LittleEndian(b)) : t.Uint64Data.Select(v => (long)v).ToArray();
                if (u64.Any(v => v < 0)) throw Error("a uint64 value does not fit in int64");
                return FoldedTensor.OfInts(dims, u64);
            case DT.Int64:
                return FoldedTensor.OfInts(dims, raw.Length > 0 ? Ints(raw, n, 8, BinaryPrimitives.ReadInt64LittleEndian) : t.Int64Data.ToArray());
            case DT.Uint32:
                return FoldedTensor.OfInts(dims, raw.Length > 0 ? Ints(raw, n, 4, b => BinaryPrimitives.ReadUInt32LittleEndian(b)) : t.Uint64Data.Select(v => (long)(uint)v).ToArray());
            default:
                return FoldedTensor.OfInts(dims, raw.Length > 0 ? Ints(raw, n, width, b => ReadSmallInt(type, b)) : t.Int32Data.Select(v => NarrowInt32(type, v)).ToArray());
        }
    }

    /// <summary>Bytes per element in <c>raw_data</c>, or null for a type Edge does not read (string, complex).</summary>
    private static int? ElementWidth(DT type) => type switch
    {
        DT.Float or DT.Int32 or DT.Uint32 => 4,
        DT.Double or DT.Int64 or DT.Uint64 => 8,
        DT.Float16 or DT.Bfloat16 or DT.Int16 or DT.Uint16 => 2,
        DT.Int8 or DT.Uint8 or DT.Bool => 1,
        _ => null,
    };

    private static int TypedFieldLength(TensorProto t, DT type) => type switch
    {
        DT.Float => t.FloatData.Count,
        DT.Double => t.DoubleData.Count,
        DT.Int64 => t.Int64Data.Count,
        DT.Uint32 or DT.Uint64 => t.Uint64Data.Count,
        _ => t.Int32Data.Count,
    };

    private static long ReadSmallInt(DT type, ReadOnlySpan<byte> b) => type switch
    {
        DT.Int32 => BinaryPrimitives.ReadInt32LittleEndian(b),
        DT.Int16 => BinaryPrimitives.ReadInt16LittleEndian(b),
        DT.Uint16 => BinaryPrimitives.ReadUInt16LittleEndian(b),
        DT.Int8 => (sbyte)b[0],
        DT.Bool => b[0] != 0 ? 1 : 0,
        _ => b[0], // uint8
    };

    /// <summary>An <c>int32_data</c> element read as its declared narrower type.</summary>
    private static long NarrowInt32(DT type, int v) => type switch
    {
        DT.Int16 => (short)v,
        DT.Uint16 => (ushort)v,
        DT.Int8 => (sbyte)v,
        DT.Uint8 => (byte)v,
        DT.Bool => v != 0 ? 1 : 0,
        _ => v,
    };

    private delegate T ElementReader<T>(ReadOnlySpan<byte> bytes);

    private static float[] Floats(ReadOnlySpan<byte> raw, int n, int width, ElementReader<float> read)
    {
        var values = new float[n];
        for (int i = 0; i < n; i++) values[i] = read(raw.Slice(i * width, width));
        return values;
    }

    private static long[] Ints(ReadOnlySpan<byte> raw, int n, int width, ElementReader<long> read)
    {
        var values = new long[n];
        for (int i = 0; i < n; i++) values[i] = read(raw.Slice(i * width, width));
        return values;
    }
}
