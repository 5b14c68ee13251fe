using System.Runtime.InteropServices;
using Edge.Core.Errors;
using Edge.Core.Files;

namespace Edge.Core.Tensors;

/// <summary>
/// Raw float32 tensor files: little-endian values back to back, no header (the shape comes from the model or a JSON
/// sidecar). A gzip-compressed file (magic bytes 1f 8b; golden vectors are named <c>.f32.gz</c>) is inflated and checked
/// for truncation. Golden vectors and <c>--tensor</c> inputs use it. Reads are bounded by <see cref="InputLimits.MaxBytes"/>
/// (checked before allocating, and while inflating).
/// </summary>
public static class Float32File
{
    public static float[] Read(string path) => Read(path, InputLimits.MaxBytes);

    public static float[] Read(string path, long maxBytes)
    {
        var bytes = InputFile.ReadAllBytes(path, maxBytes, "float32 tensor file");
        if (bytes.Length % 4 != 0) throw new DataFormatException(path, $"a float32 tensor file holds a multiple of 4 bytes, this one has {bytes.Length}");
        var values = new float[bytes.Length / 4];
        Decode(bytes, values);
        return values;
    }

    /// <summary>
    /// Reads the file item by item (<paramref name="itemLength"/> floats each), so a large file never sits in memory
    /// whole. With <paramref name="finiteOnly"/>, a NaN or infinity is a <see cref="DataFormatException"/> naming the item.
    /// </summary>
    public static Float32ItemReader OpenItems(string path, int itemLength, bool finiteOnly = true, long? maxBytes = null)
        => new(path, itemLength, finiteOnly, maxBytes ?? InputLimits.MaxBytes);

    internal static void Decode(ReadOnlySpan<byte> bytes, Span<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            bytes.CopyTo(MemoryMarshal.AsBytes(values));
        }
        else
        {
            for (int i = 0; i < values.Length; i++) values[i] = BitConverter.ToSingle([bytes[4 * i + 3], bytes[4 * i + 2], bytes[4 * i + 1], bytes[4 * i]]);
        }
    }

    public static void Write(string path, ReadOnlySpan<float> values)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts are not supported");
        File.WriteAllBytes(path, MemoryMarshal.AsBytes(values).ToArray());
    }
}

/// <summary>Items of a raw float32 file, one at a time (see <see cref="Float32File.OpenItems"/>).</summary>
public sealed class Float32ItemReader : IDisposable
{
    private readonly Stream _stream;
    private readonly string _path;
    private readonly bool _finiteOnly;
    private readonly byte[] _bytes;

    internal Float32ItemReader(string path, int itemLength, bool finiteOnly, long maxBytes)
    {
        if (itemLength <= 0) throw new ArgumentOutOfRangeException(nameof(itemLength));
        _path = path;
        _finiteOnly = finiteOnly;
        ItemLength = itemLength;
        _bytes = new byte[checked(itemLength * 4)];
        _stream = InputFile.OpenData(path, maxBytes, "float32 tensor file");
    }

    public int ItemLength { get; }

    /// <summary>Items read so far.</summary>
    public int Count { get; private set; }

    /// <summary>Every float the file held, once <see cref="ReadItem"/> has refused a partial last item (else null).</summary>
    public long? TotalFloats { get; private set; }

    /// <summary>Fills <paramref name="item"/> with the next item; false at the end of the file. A partial last item is an error.</summary>
    public bool ReadItem(Span<float> item)
    {
        int n;
        try
        {
            n = _stream.ReadAtLeast(_bytes, _bytes.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(_path, $"cannot read: {e.Message}", e);
        }
        if (n == 0)
        {
            if (Count == 0) throw new DataFormatException(_path, "the float32 tensor file is empty");
            return false;
        }
        if (n < _bytes.Length)
        {
            long floats = (long)Count * ItemLength + n / 4;
            if (n % 4 == 0) TotalFloats = floats;
            throw new DataFormatException(_path, n % 4 != 0
                ? $"a float32 tensor file holds a multiple of 4 bytes, this one ends {n % 4} bytes into a value"
                : $"{floats} floats are not a whole number of items of {ItemLength} floats");
        }
        Float32File.Decode(_bytes, item[..ItemLength]);
        if (_finiteOnly)
        {
            for (int i = 0; i < ItemLength; i++)
            {
                if (!float.IsFinite(item[i])) throw new DataFormatException(_path, $"item {Count} holds a non-finite value {item[i]} at offset {i}: inputs must be finite");
            }
        }
        Count++;
        return true;
    }

    public void Dispose() => _stream.Dispose();
}
