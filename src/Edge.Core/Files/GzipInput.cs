using System.Buffers.Binary;
using System.IO.Compression;
using Edge.Core.Errors;

namespace Edge.Core.Files;

/// <summary>
/// A read-only stream of a gzip file's inflated bytes (RFC 1952; several members back to back are one stream, as
/// gunzip reads them) that fails, naming the file, when the data is not exactly a sequence of complete members:
/// <list type="bullet">
/// <item>truncated anywhere — inside the deflate data, after a full flush with no final block, inside the trailer;</item>
/// <item>a CRC-32 or length mismatch in a trailer, or invalid deflate data (each named as such);</item>
/// <item>more than <c>maxBytes</c> inflated, counted while inflating (a 2 MB file can inflate to gigabytes).</item>
/// </list>
/// <para>
/// How truncation is seen: <see cref="GZipStream"/> returns end-of-stream, without an error, when its input ends before
/// a member does. So the input is followed by one more member, a sentinel, that inflates to a known 16-byte marker:
/// the stream is complete exactly when the inflated bytes end with the marker. If the real data stopped early, the
/// inflater reads the sentinel's bytes as the rest of the cut member and fails, or never emits the marker; bytes that
/// are not a gzip member after the last one also stop it before the sentinel. The marker is never passed on.
/// </para>
/// </summary>
public sealed class GzipInput : Stream
{
    private static readonly byte[] Marker = "EDGE/GZIP-END-OK"u8.ToArray();
    private static readonly byte[] Sentinel = Compress(Marker);

    private readonly FileStream _file;
    private readonly string _path;
    private readonly long _maxBytes;
    private readonly GZipStream _inflater;
    private readonly byte[] _buffer = new byte[(1 << 16) + 16];
    private int _start, _end;
    private bool _innerDone, _verified;
    private long _produced;

    /// <summary>Inflates <paramref name="file"/> (positioned at its gzip header); <paramref name="path"/> names it in errors.</summary>
    public GzipInput(FileStream file, string path, long maxBytes)
    {
        _file = file;
        _path = path;
        _maxBytes = maxBytes;
        _inflater = new GZipStream(new ConcatenatedStream(file, Sentinel), CompressionMode.Decompress);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _produced; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> destination)
    {
        if (destination.IsEmpty) return 0;
        while (true)
        {
            // The last 16 bytes seen may be the marker: hold them back until the inflater ends.
            int available = _end - _start - Marker.Length;
            if (available > 0)
            {
                int n = Math.Min(available, destination.Length);
                if (_produced + n > _maxBytes)
                    throw new DataFormatException(_path, $"gzip data inflates to more than {InputLimits.Describe(_maxBytes)}: {InputLimits.BytesHint}");
                _buffer.AsSpan(_start, n).CopyTo(destination);
                _start += n;
                _produced += n;
                return n;
            }
            if (_innerDone)
            {
                if (!_verified)
                {
                    if (_end - _start != Marker.Length || !_buffer.AsSpan(_start, Marker.Length).SequenceEqual(Marker)) throw Diagnose(null);
                    _verified = true;
                }
                return 0;
            }
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
            int read;
            try
            {
                read = _inflater.Read(_buffer, _end, _buffer.Length - _end);
            }
            catch (InvalidDataException e)
            {
                throw Diagnose(e);
            }
            if (read == 0) _innerDone = true;
            _end += read;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inflater.Dispose();
            _file.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>
    /// Names what is wrong, reading the file again (this is the error path only; the file is a regular file whose
    /// size the reader bounded): truncation, a CRC-32 or length mismatch, invalid deflate data or trailing garbage.
    /// </summary>
    private DataFormatException Diagnose(InvalidDataException? inner)
    {
        string message;
        try
        {
            message = Explain(File.ReadAllBytes(_path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            message = $"corrupt gzip stream ({e.Message})";
        }
        return new DataFormatException(_path, message, inner);
    }

    /// <summary>Walks the members one by one: each header, its deflate data, its trailer.</summary>
    internal static string Explain(byte[] bytes)
    {
        int pos = 0, member = 0;
        while (true)
        {
            member++;
            string which = member == 1 ? "" : $" (member {member})";
            if (bytes.Length - pos < 10) return $"truncated gzip stream: the header{which} at byte {pos} is cut short";
            if (bytes[pos] != 0x1f || bytes[pos + 1] != 0x8b) return $"{bytes.Length - pos} bytes after the last gzip member are not gzip data";
            if (bytes[pos + 2] != 8) return $"gzip header{which} names compression method {bytes[pos + 2]}, not deflate (8)";
            int flags = bytes[pos + 3];
            int body = pos + 10;
            if ((flags & 4) != 0)
            {
                if (bytes.Length - body < 2) return $"truncated gzip stream: the header{which} is cut short";
                body += 2 + BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(body));
            }
            for (int bit = 8; bit <= 16; bit <<= 1) // FNAME, FCOMMENT: zero-terminated
            {
                if ((flags & bit) == 0) continue;
                while (body < bytes.Length && bytes[body] != 0) body++;
                body++;
            }
            if ((flags & 2) != 0) body += 2;
            if (body > bytes.Length) return $"truncated gzip stream: the header{which} is cut short";

            // Inflate this member's deflate data on its own (a cut stream simply ends early here).
            var counter = new MemoryStream(bytes, body, bytes.Length - body);
            long length = 0;
            uint crc = 0;
            try
            {
                using var deflate = new DeflateStream(counter, CompressionMode.Decompress);
                var chunk = new byte[1 << 16];
                int n;
                while ((n = deflate.Read(chunk)) > 0)
                {
                    crc = Crc32.Append(crc, chunk.AsSpan(0, n));
                    length += n;
                    if (length > InputLimits.MaxBytes) return $"gzip data inflates to more than {InputLimits.BytesHint}";
                }
            }
            catch (InvalidDataException)
            {
                return $"corrupt gzip stream: invalid deflate data{which}";
            }
            // DeflateStream reads ahead, so where the member ends is not known; the trailer is the only one that
            // matches the data, searched from the end of what was read.
            int trailer = FindTrailer(bytes, body, crc, (uint)length);
            if (trailer < 0)
            {
                if (bytes.Length - body >= 8 && member == 1 && LastTrailerLength(bytes) == (uint)length)
                    return $"gzip CRC-32 mismatch{which}: the trailer declares {BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 8)):x8}, the data hashes to {crc:x8}";
                if (bytes.Length - body >= 8 && member == 1 && BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 8)) == crc)
                    return $"gzip length mismatch{which}: the trailer declares {LastTrailerLength(bytes)} bytes, the data inflates to {length}";
                return $"truncated gzip stream{which}: the data ends before its final deflate block and trailer ({length} bytes inflated)";
            }
            pos = trailer + 8;
            if (pos == bytes.Length) return "corrupt gzip stream"; // every member checks out: the stream read fine, no cause found
        }
    }

    private static uint LastTrailerLength(byte[] bytes) => BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4));

    private static int FindTrailer(byte[] bytes, int body, uint crc, uint length)
    {
        for (int t = body; t + 8 <= bytes.Length; t++)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(t)) == crc && BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(t + 4)) == length)
                return t;
        }
        return -1;
    }

    private static byte[] Compress(byte[] data)
    {
        using var packed = new MemoryStream();
        using (var gz = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(data);
        return packed.ToArray();
    }

    /// <summary>The file, then the sentinel member.</summary>
    private sealed class ConcatenatedStream(Stream first, byte[] second) : Stream
    {
        private int _secondAt;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> destination)
        {
            if (_secondAt == 0)
            {
                int n = first.Read(destination);
                if (n > 0) return n;
            }
            int m = Math.Min(destination.Length, second.Length - _secondAt);
            second.AsSpan(_secondAt, m).CopyTo(destination);
            _secondAt += m;
            return m;
        }
    }
}
