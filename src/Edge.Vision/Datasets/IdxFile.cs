using System.Buffers.Binary;
using System.IO.Compression;
using Edge.Core.Errors;
using Edge.Core.Files;

namespace Edge.Vision.Datasets;

/// <summary>
/// The IDX format of MNIST and Fashion-MNIST, unsigned-byte tensors only, optionally gzip-compressed (detected by the
/// gzip magic bytes, not the file name).
/// <code>
/// offset 0: 0x00 0x00        two zero bytes
/// offset 2: 0x08             element type: unsigned byte
/// offset 3: n                number of dimensions
/// offset 4: n × int32 BE     dimension sizes (images: count, rows, cols; labels: count)
/// then    : Π dims bytes     the elements, row-major
/// </code>
/// </summary>
public static class IdxFile
{
    private const byte UnsignedByteType = 0x08;

    /// <summary>
    /// Reads an IDX file; every structural problem raises <see cref="DataFormatException"/> naming the file. The file is
    /// read as a stream (inflated when gzip): the header's dimensions are multiplied with overflow checks and held to
    /// <see cref="InputLimits.MaxBytes"/> before the data is allocated, and the data must end exactly where the header says.
    /// </summary>
    public static IdxTensor Read(string path)
    {
        using var stream = InputFile.OpenData(path, InputLimits.MaxBytes, "IDX file");
        try
        {
            Span<byte> head = stackalloc byte[4];
            int got = stream.ReadAtLeast(head, 4, throwOnEndOfStream: false);
            if (got < 4) throw new DataFormatException(path, $"too short for an IDX header ({got} bytes)");
            CheckMagic(head, path);
            int rank = head[3];
            var dimBytes = new byte[4 * rank];
            got = stream.ReadAtLeast(dimBytes, dimBytes.Length, throwOnEndOfStream: false);
            if (got < dimBytes.Length) throw new DataFormatException(path, $"truncated IDX header: {rank} dimensions need {4 + 4 * rank} bytes, the file has {4 + got}");
            var dims = ReadDims(dimBytes, rank, path);
            long count = DataLength(dims, path);
            var data = new byte[count];
            got = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
            if (got < data.Length) throw new DataFormatException(path, $"IDX header declares [{string.Join(", ", dims)}] = {count} bytes of data, the file holds {got}");
            Span<byte> extra = stackalloc byte[1];
            if (stream.Read(extra) != 0) throw new DataFormatException(path, $"IDX header declares [{string.Join(", ", dims)}] = {count} bytes of data, the file holds more");
            return new IdxTensor(dims, data);
        }
        catch (IOException e)
        {
            throw new DataFormatException(path, $"cannot read: {e.Message}", e);
        }
    }

    private static void CheckMagic(ReadOnlySpan<byte> bytes, string sourceName)
    {
        if (bytes[0] != 0 || bytes[1] != 0)
            throw new DataFormatException(sourceName, $"bad IDX magic 0x{bytes[0]:x2}{bytes[1]:x2}{bytes[2]:x2}{bytes[3]:x2}: expected 0x000008nn");
        if (bytes[2] != UnsignedByteType)
            throw new DataFormatException(sourceName, $"IDX element type 0x{bytes[2]:x2} is not supported: expected 0x08 (unsigned byte)");
        if (bytes[3] == 0) throw new DataFormatException(sourceName, "IDX header declares 0 dimensions");
    }

    private static int[] ReadDims(ReadOnlySpan<byte> bytes, int rank, string sourceName)
    {
        var dims = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(bytes[(4 * i)..]);
            if (dims[i] < 0) throw new DataFormatException(sourceName, $"IDX dimension {i} is negative ({dims[i]})");
        }
        return dims;
    }

    /// <summary>The product of the dimensions, refused (not wrapped) past <see cref="InputLimits.MaxBytes"/>.</summary>
    private static long DataLength(int[] dims, string sourceName)
    {
        long count = 1, max = InputLimits.MaxBytes;
        foreach (int d in dims)
        {
            // count ≤ max < 2^62 and d < 2^31 before the test, so count * d cannot wrap once count ≤ max / d holds.
            if (d != 0 && count > max / d)
                throw new DataFormatException(sourceName, $"IDX header declares [{string.Join(", ", dims)}], more than {InputLimits.Describe(max)} of data: {InputLimits.BytesHint}");
            count *= d;
        }
        return count;
    }

    /// <summary>Parses IDX bytes (raw or gzip) read from <paramref name="sourceName"/>.</summary>
    public static IdxTensor Parse(byte[] bytes, string sourceName)
    {
        if (bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
        {
            try
            {
                using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
                using var raw = new MemoryStream();
                gz.CopyTo(raw);
                // GZipStream does not check the trailer: a file cut inside it inflates "fine". ISIZE, the last four
                // bytes, is the inflated length mod 2^32; comparing it catches truncation.
                uint declared = bytes.Length >= 18 ? BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4)) : uint.MaxValue;
                if (declared != (uint)raw.Length)
                    throw new DataFormatException(sourceName, $"gzip stream is truncated or corrupt: its trailer declares {declared} bytes, it inflates to {raw.Length}");
                bytes = raw.ToArray();
            }
            catch (InvalidDataException e)
            {
                throw new DataFormatException(sourceName, $"corrupt gzip stream: {e.Message}", e);
            }
        }
        if (bytes.Length < 4) throw new DataFormatException(sourceName, $"too short for an IDX header ({bytes.Length} bytes)");
        CheckMagic(bytes, sourceName);
        int rank = bytes[3];
        int headerLength = 4 + 4 * rank;
        if (bytes.Length < headerLength) throw new DataFormatException(sourceName, $"truncated IDX header: {rank} dimensions need {headerLength} bytes, the file has {bytes.Length}");
        var dims = ReadDims(bytes.AsSpan(4), rank, sourceName);
        long count = DataLength(dims, sourceName);
        long available = bytes.Length - headerLength;
        if (available != count)
        {
            throw new DataFormatException(sourceName,
                $"IDX header declares [{string.Join(", ", dims)}] = {count} bytes of data, the file holds {available}");
        }
        return new IdxTensor(dims, bytes.AsSpan(headerLength).ToArray());
    }

    /// <summary>Encodes an unsigned-byte tensor as IDX; gzip-compressed (with a zero timestamp) when asked.</summary>
    public static byte[] Encode(IdxTensor tensor, bool gzip)
    {
        var raw = new byte[4 + 4 * tensor.Dims.Length + tensor.Data.Length];
        raw[2] = UnsignedByteType;
        raw[3] = (byte)tensor.Dims.Length;
        for (int i = 0; i < tensor.Dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(raw.AsSpan(4 + 4 * i), tensor.Dims[i]);
        tensor.Data.CopyTo(raw, 4 + 4 * tensor.Dims.Length);
        if (!gzip) return raw;
        using var packed = new MemoryStream();
        using (var gz = new GZipStream(packed, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(raw);
        return packed.ToArray();
    }
}

/// <summary>An unsigned-byte tensor read from an IDX file.</summary>
public sealed record IdxTensor(int[] Dims, byte[] Data);
