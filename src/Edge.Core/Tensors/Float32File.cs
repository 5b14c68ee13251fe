using System.IO.Compression;
using System.Runtime.InteropServices;
using Edge.Core.Errors;

namespace Edge.Core.Tensors;

/// <summary>
/// Raw float32 tensor files: little-endian values back to back, no header (the shape comes from the model or a JSON
/// sidecar). A file whose name ends in <c>.gz</c> is gzip-compressed. Golden vectors and <c>--tensor</c> inputs use it.
/// </summary>
public static class Float32File
{
    public static float[] Read(string path)
    {
        byte[] bytes;
        try
        {
            if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
            {
                using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
                using var ms = new MemoryStream();
                gz.CopyTo(ms);
                bytes = ms.ToArray();
            }
            else
            {
                bytes = File.ReadAllBytes(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new DataFormatException(path, $"cannot read float32 tensor: {e.Message}", e);
        }
        if (bytes.Length % 4 != 0) throw new DataFormatException(path, $"a float32 tensor file holds a multiple of 4 bytes, this one has {bytes.Length}");
        var values = new float[bytes.Length / 4];
        if (BitConverter.IsLittleEndian)
        {
            bytes.AsSpan().CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        }
        else
        {
            for (int i = 0; i < values.Length; i++) values[i] = BitConverter.ToSingle([bytes[4 * i + 3], bytes[4 * i + 2], bytes[4 * i + 1], bytes[4 * i]]);
        }
        return values;
    }

    public static void Write(string path, ReadOnlySpan<float> values)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts are not supported");
        File.WriteAllBytes(path, MemoryMarshal.AsBytes(values).ToArray());
    }
}
