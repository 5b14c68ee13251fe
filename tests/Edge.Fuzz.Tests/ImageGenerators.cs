using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Edge.Core.Files;

namespace Edge.Fuzz.Tests;

/// <summary>Seeded writers of small valid PNG, BMP and PNM files, the seeds the image fuzzer mutates.</summary>
internal static class ImageGenerators
{
    /// <summary>A PNG of <paramref name="width"/>×<paramref name="height"/>; <paramref name="header"/> overrides the IHDR size (data stays the real size).</summary>
    public static byte[] Png(int width, int height, int colorType, int depth, (uint W, uint H)? header = null, int seed = 1)
    {
        var rnd = new Random(seed);
        int samples = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
        int rowBytes = (width * samples * depth + 7) / 8;
        var raw = new byte[height * (rowBytes + 1)];
        rnd.NextBytes(raw);
        for (int y = 0; y < height; y++) raw[y * (rowBytes + 1)] = (byte)rnd.Next(5);
        using var ms = new MemoryStream();
        ms.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, header?.W ?? (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), header?.H ?? (uint)height);
        ihdr[8] = (byte)depth;
        ihdr[9] = (byte)colorType;
        Chunk(ms, "IHDR", ihdr);
        if (colorType == 3)
        {
            var plte = new byte[3 * (1 << Math.Min(depth, 8))];
            rnd.NextBytes(plte);
            Chunk(ms, "PLTE", plte);
        }
        using (var z = new MemoryStream())
        {
            using (var zs = new ZLibStream(z, CompressionLevel.Fastest, leaveOpen: true)) zs.Write(raw);
            Chunk(ms, "IDAT", z.ToArray());
        }
        Chunk(ms, "IEND", []);
        return ms.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(len, (uint)data.Length);
        s.Write(len);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(len, Crc32.Compute(typed));
        s.Write(len);
    }

    /// <summary>A 24-bit (or 8-bit palette) bottom-up BMP.</summary>
    public static byte[] Bmp(int width, int height, int bits, int seed = 1)
    {
        var rnd = new Random(seed);
        int stride = (width * bits / 8 + 3) & ~3;
        int palette = bits == 8 ? 256 * 4 : 0;
        int offset = 14 + 40 + palette;
        var b = new byte[offset + stride * height];
        rnd.NextBytes(b);
        b[0] = (byte)'B';
        b[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(2), b.Length);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(6), 0);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(10), offset);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(28), (short)bits);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(30), 0);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(34), stride * height);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(46), bits == 8 ? 256 : 0);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(50), 0);
        return b;
    }

    /// <summary>A binary PGM (P5) or PPM (P6), or their ASCII forms (P2, P3).</summary>
    public static byte[] Pnm(int width, int height, bool color, bool ascii, int maxval = 255, int seed = 1)
    {
        var rnd = new Random(seed);
        int channels = color ? 3 : 1;
        string magic = (color, ascii) switch { (false, false) => "P5", (true, false) => "P6", (false, true) => "P2", _ => "P3" };
        var head = Encoding.ASCII.GetBytes($"{magic}\n# fuzz\n{width} {height}\n{maxval}\n");
        int n = width * height * channels;
        if (ascii) return [.. head, .. Encoding.ASCII.GetBytes(string.Join(' ', Enumerable.Range(0, n).Select(_ => rnd.Next(maxval + 1))))];
        var data = new byte[n * (maxval > 255 ? 2 : 1)];
        rnd.NextBytes(data);
        return [.. head, .. data];
    }
}
