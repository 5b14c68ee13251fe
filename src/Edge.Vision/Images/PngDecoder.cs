using Edge.Core.Files;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Edge.Core.Errors;

namespace Edge.Vision.Images;

/// <summary>
/// PNG (ISO/IEC 15948) decoding for non-interlaced images: gray (1, 2, 4, 8 bits), gray+alpha, RGB, RGBA (8 bits) and
/// palette (1, 2, 4, 8 bits). Chunk CRCs are checked; the IDAT stream is inflated with <see cref="ZLibStream"/> and
/// unfiltered (all five filter types). Alpha is dropped; a palette of grays decodes to one channel, any other to RGB.
/// Sixteen-bit samples and Adam7 interlacing are rejected with a clear error.
/// </summary>
internal static class PngDecoder
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public static bool HasSignature(ReadOnlySpan<byte> bytes) => bytes.StartsWith(Signature);

    public static DecodedImage Decode(byte[] bytes, string file)
    {
        DataFormatException Bad(string m) => new(file, $"PNG: {m}");
        if (!HasSignature(bytes)) throw Bad("missing the PNG signature");

        Header? header = null;
        byte[][]? palette = null;
        var idat = new MemoryStream();
        bool ended = false;
        int pos = Signature.Length;
        while (!ended)
        {
            if (bytes.Length - pos < 12) throw Bad($"truncated: a chunk header at byte {pos} needs 12 bytes, {bytes.Length - pos} remain (no IEND)");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(pos));
            string type = Encoding.ASCII.GetString(bytes, pos + 4, 4);
            if (length > int.MaxValue || length > (uint)(bytes.Length - pos - 12)) throw Bad($"chunk '{type}' at byte {pos} declares {length} bytes, the file ends first (truncated)");
            var data = bytes.AsSpan(pos + 8, (int)length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(pos + 8 + (int)length));
            if (Crc32.Compute(bytes.AsSpan(pos + 4, 4 + (int)length)) != crc) throw Bad($"chunk '{type}' at byte {pos} fails its CRC check (corrupt file)");
            pos += 12 + (int)length;
            switch (type)
            {
                case "IHDR":
                    header = ReadHeader(data, file);
                    break;
                case "PLTE":
                    if (length % 3 != 0 || length == 0 || length > 768) throw Bad($"PLTE chunk of {length} bytes is not 1..256 RGB entries");
                    palette = new byte[length / 3][];
                    for (int i = 0; i < palette.Length; i++) palette[i] = data.Slice(3 * i, 3).ToArray();
                    break;
                case "IDAT":
                    if (header is null) throw Bad("IDAT before IHDR");
                    idat.Write(data);
                    break;
                case "IEND":
                    ended = true;
                    break;
                default:
                    if (header is null) throw Bad($"the first chunk is '{type}', not IHDR");
                    if ((type[0] & 0x20) == 0) throw Bad($"unknown critical chunk '{type}'");
                    break; // ancillary chunks (tRNS, gAMA, tEXt, …) do not change the samples
            }
        }
        if (header is null) throw Bad("no IHDR chunk");
        var h = header.Value;
        if (h.ColorType == 3 && palette is null) throw Bad("palette image without a PLTE chunk");
        if (idat.Length == 0) throw Bad("no IDAT chunk");

        int rowBytes = (int)((h.Width * (long)h.BitsPerPixel + 7) / 8);
        var raw = Inflate(idat, (long)h.Height * (rowBytes + 1), file);
        Unfilter(raw, h.Height, rowBytes, Math.Max(1, h.BitsPerPixel / 8), file);
        return ToImage(raw, h, rowBytes, palette, file);
    }

    private readonly record struct Header(int Width, int Height, int BitDepth, int ColorType, int SamplesPerPixel)
    {
        public int BitsPerPixel => BitDepth * SamplesPerPixel;
    }

    private static Header ReadHeader(ReadOnlySpan<byte> d, string file)
    {
        DataFormatException Bad(string m) => new(file, $"PNG: {m}");
        if (d.Length != 13) throw Bad($"IHDR chunk has {d.Length} bytes, expected 13");
        long width = BinaryPrimitives.ReadUInt32BigEndian(d), height = BinaryPrimitives.ReadUInt32BigEndian(d[4..]);
        DecodedImage.CheckSize(file, "PNG", width, height);
        int depth = d[8], color = d[9];
        if (d[10] != 0) throw Bad($"compression method {d[10]} is not 0 (deflate)");
        if (d[11] != 0) throw Bad($"filter method {d[11]} is not 0");
        if (d[12] == 1) throw Bad("interlaced (Adam7) images are not supported; save the image non-interlaced");
        if (d[12] != 0) throw Bad($"interlace method {d[12]} is unknown");
        int samples = color switch
        {
            0 => 1,
            2 => 3,
            3 => 1,
            4 => 2,
            6 => 4,
            _ => throw Bad($"color type {color} is unknown"),
        };
        if (depth == 16) throw Bad("16-bit samples are not supported (8-bit gray, gray+alpha, RGB, RGBA and palette images are)");
        bool valid = color switch
        {
            0 or 3 => depth is 1 or 2 or 4 or 8,
            _ => depth == 8,
        };
        if (!valid) throw Bad($"bit depth {depth} is not valid for color type {color}");
        return new Header((int)width, (int)height, depth, color, samples);
    }

    private static byte[] Inflate(MemoryStream idat, long expected, string file)
    {
        var raw = new byte[expected];
        try
        {
            idat.Position = 0;
            using var z = new ZLibStream(idat, CompressionMode.Decompress);
            int read = 0;
            while (read < raw.Length)
            {
                int n = z.Read(raw, read, raw.Length - read);
                if (n == 0) break;
                read += n;
            }
            if (read < raw.Length) throw new DataFormatException(file, $"PNG: image data inflates to {read} bytes, the header needs {expected} (truncated)");
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(file, $"PNG: corrupt compressed image data: {e.Message}", e);
        }
        return raw;
    }

    /// <summary>Undoes the per-row filters in place; <paramref name="bpp"/> is the filter's byte distance (at least 1).</summary>
    private static void Unfilter(byte[] raw, int height, int rowBytes, int bpp, string file)
    {
        int stride = rowBytes + 1;
        for (int y = 0; y < height; y++)
        {
            int filter = raw[y * stride];
            var row = raw.AsSpan(y * stride + 1, rowBytes);
            var up = y == 0 ? Span<byte>.Empty : raw.AsSpan((y - 1) * stride + 1, rowBytes);
            switch (filter)
            {
                case 0:
                    break;
                case 1: // Sub
                    for (int i = bpp; i < rowBytes; i++) row[i] += row[i - bpp];
                    break;
                case 2: // Up
                    if (y > 0) for (int i = 0; i < rowBytes; i++) row[i] += up[i];
                    break;
                case 3: // Average
                    for (int i = 0; i < rowBytes; i++)
                    {
                        int left = i >= bpp ? row[i - bpp] : 0, above = y > 0 ? up[i] : 0;
                        row[i] += (byte)((left + above) >> 1);
                    }
                    break;
                case 4: // Paeth
                    for (int i = 0; i < rowBytes; i++)
                    {
                        int a = i >= bpp ? row[i - bpp] : 0, b = y > 0 ? up[i] : 0, c = i >= bpp && y > 0 ? up[i - bpp] : 0;
                        row[i] += (byte)Paeth(a, b, c);
                    }
                    break;
                default:
                    throw new DataFormatException(file, $"PNG: row {y} has unknown filter type {filter}");
            }
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static DecodedImage ToImage(byte[] raw, Header h, int rowBytes, byte[][]? palette, string file)
    {
        bool gray = h.ColorType is 0 or 4 || (h.ColorType == 3 && DecodedImage.IsGrayPalette(palette!));
        int channels = gray ? 1 : 3;
        var pixels = new byte[(long)h.Width * h.Height * channels];
        int maxSample = (1 << h.BitDepth) - 1;
        for (int y = 0; y < h.Height; y++)
        {
            var row = raw.AsSpan(y * (rowBytes + 1) + 1, rowBytes);
            for (int x = 0; x < h.Width; x++)
            {
                int o = (y * h.Width + x) * channels;
                switch (h.ColorType)
                {
                    case 0:
                        pixels[o] = (byte)(Sample(row, x, h.BitDepth) * 255 / maxSample);
                        break;
                    case 3:
                    {
                        int index = Sample(row, x, h.BitDepth);
                        if (index >= palette!.Length) throw new DataFormatException(file, $"PNG: pixel ({x}, {y}) uses palette index {index}, the palette has {palette.Length} entries");
                        for (int c = 0; c < channels; c++) pixels[o + c] = palette[index][c];
                        break;
                    }
                    default: // 8-bit gray+alpha, RGB, RGBA: keep the color samples, drop alpha
                        for (int c = 0; c < channels; c++) pixels[o + c] = row[x * h.SamplesPerPixel + c];
                        break;
                }
            }
        }
        return new DecodedImage(h.Width, h.Height, channels, pixels);
    }

    /// <summary>Sample <paramref name="x"/> of a row of 1-, 2-, 4- or 8-bit samples (packed from the most significant bit).</summary>
    private static int Sample(ReadOnlySpan<byte> row, int x, int depth)
    {
        if (depth == 8) return row[x];
        int perByte = 8 / depth, shift = 8 - depth * (x % perByte + 1);
        return (row[x / perByte] >> shift) & ((1 << depth) - 1);
    }
}
