using Edge.Core.Errors;

namespace Edge.Core.Files;

/// <summary>
/// Opens data files the way every Edge reader should: a directory, a FIFO or a device is refused by name before it
/// is opened (opening a FIFO with no writer blocks forever, a device never ends), a regular file larger than
/// <see cref="InputLimits.MaxBytes"/> is refused before it is read, and gzip (recognized by its magic bytes) is
/// inflated by <see cref="GzipInput"/>, which rejects a truncated stream and stops at the limit while inflating.
/// Every refusal is a <see cref="DataFormatException"/> naming the file.
/// </summary>
public static class InputFile
{
    /// <summary>Throws unless <paramref name="path"/> names a regular file (following links).</summary>
    public static void CheckRegular(string path, string what = "file")
    {
        switch (FileIdentity.KindOf(path))
        {
            case FileKind.Missing: throw new DataFormatException(path, "no such file");
            case FileKind.Directory: throw new DataFormatException(path, $"is a directory, not {Article(what)}");
            case FileKind.Special: throw new DataFormatException(path, $"is not a regular file (a FIFO, socket or device), not {Article(what)}");
        }
    }

    /// <summary>Opens a regular file for reading, after <see cref="CheckRegular"/>.</summary>
    public static FileStream OpenRead(string path, string what = "file")
    {
        CheckRegular(path, what);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, $"cannot read: {e.Message}", e);
        }
    }

    /// <summary>
    /// Opens a file whose content may be gzip-compressed (magic bytes 1f 8b): the returned stream yields the inflated
    /// bytes and fails, naming the file, past <paramref name="maxBytes"/> or on a truncated or corrupt stream.
    /// </summary>
    public static Stream OpenData(string path, long maxBytes, string what = "file", bool gzip = true)
    {
        var file = OpenRead(path, what);
        try
        {
            Span<byte> head = stackalloc byte[2];
            int n = file.ReadAtLeast(head, 2, throwOnEndOfStream: false);
            file.Position = 0;
            if (gzip && n == 2 && head[0] == 0x1f && head[1] == 0x8b)
            {
                // Deflate never grows data by more than a few bytes per 16 KiB block: a larger file inflates past the limit.
                if (file.Length > maxBytes + maxBytes / 64 + 1024)
                    throw new DataFormatException(path, $"holds {file.Length} bytes of gzip data, more than {Article(what)} may inflate to: {InputLimits.BytesHint}");
                return new GzipInput(file, path, maxBytes);
            }
            if (file.Length > maxBytes) throw new DataFormatException(path, $"holds {file.Length} bytes, more than {Article(what)} may: {InputLimits.BytesHint}");
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>All of a file's bytes (inflated when gzip), within <paramref name="maxBytes"/>.</summary>
    public static byte[] ReadAllBytes(string path, long maxBytes, string what = "file", bool gzip = true)
    {
        using var stream = OpenData(path, maxBytes, what, gzip);
        try
        {
            if (stream is FileStream f)
            {
                var bytes = new byte[f.Length];
                f.ReadExactly(bytes);
                return bytes;
            }
            // Inflated size unknown until the end: 1 MiB chunks, one copy at the end (a MemoryStream's doublings would
            // hold up to three times the data at once).
            var chunks = new List<byte[]>();
            long total = 0;
            while (true)
            {
                var chunk = new byte[1 << 20];
                int filled = stream.ReadAtLeast(chunk, chunk.Length, throwOnEndOfStream: false);
                if (filled == 0) break;
                chunks.Add(filled == chunk.Length ? chunk : chunk[..filled]);
                total += filled;
                if (filled < chunk.Length) break;
            }
            var all = new byte[total];
            long at = 0;
            foreach (var c in chunks)
            {
                c.CopyTo(all, at);
                at += c.Length;
            }
            return all;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, $"cannot read: {e.Message}", e);
        }
    }

    private static string Article(string what) => what.StartsWith("an ") || what.StartsWith("a ") ? what : (what.Length > 0 && "aeiou".Contains(what[0]) ? "an " : "a ") + what;
}
