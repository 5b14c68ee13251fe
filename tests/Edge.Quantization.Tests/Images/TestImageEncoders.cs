using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Edge.Quantization.Tests.Images;

/// <summary>Minimal encoders that write test images byte by byte, so each decoder path can be reached on purpose.</summary>
internal static class TestImageEncoders
{
    /// <summary>
    /// A PNG of <paramref name="rows"/> (already packed samples, one array per row); row y uses filter
    /// <c>filters[y % filters.Length]</c>, applied here. <paramref name="palette"/> adds a PLTE chunk.
    /// </summary>
    public static byte[] Png(int width, int height, int bitDepth, int colorType, byte[][] rows, int[] filters, byte[]? palette = null, int interlace = 0)
    {
        int samples = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
        int bpp = Math.Max(1, bitDepth * samples / 8);
        var raw = new MemoryStream();
        for (int y = 0; y < height; y++)
        {
            int f = filters[y % filters.Length];
            raw.WriteByte((byte)f);
            var row = rows[y];
            var up = y > 0 ? rows[y - 1] : new byte[row.Length];
            for (int i = 0; i < row.Length; i++)
            {
                int a = i >= bpp ? row[i - bpp] : 0, b = up[i], c = i >= bpp ? up[i - bpp] : 0;
                int predictor = f switch { 0 => 0, 1 => a, 2 => b, 3 => (a + b) >> 1, _ => Paeth(a, b, c) };
                raw.WriteByte((byte)(row[i] - predictor));
            }
        }
        var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true)) zs.Write(raw.ToArray());
        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)height);
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = (byte)colorType;
        ihdr[12] = (byte)interlace;
        Chunk(png, "IHDR", ihdr);
        if (palette is not null) Chunk(png, "PLTE", palette);
        Chunk(png, "tEXt", Encoding.ASCII.GetBytes("Comment\0ancillary chunks are skipped"));
        var data = z.ToArray();
        int half = data.Length / 2; // two IDAT chunks: the decoder must concatenate them
        Chunk(png, "IDAT", data[..half]);
        Chunk(png, "IDAT", data[half..]);
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        Span<byte> u32 = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(u32, (uint)data.Length);
        s.Write(u32);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(u32, Crc(typed));
        s.Write(u32);
    }

    public static uint Crc(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        return c ^ 0xFFFFFFFFu;
    }

    /// <summary>A BMP of <paramref name="pixels"/> (RGB or palette indices, top row first).</summary>
    public static byte[] Bmp(int width, int height, int bits, byte[] pixels, byte[][]? palette = null, bool topDown = false, uint compression = 0)
    {
        int stride = (width * bits / 8 + 3) & ~3;
        int paletteBytes = palette is null ? 0 : 4 * palette.Length;
        int masks = compression == 3 ? 12 : 0;
        int offset = 14 + 40 + masks + paletteBytes;
        var b = new byte[offset + stride * height];
        b[0] = (byte)'B';
        b[1] = (byte)'M';
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(2), (uint)b.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(10), (uint)offset);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(22), topDown ? -height : height);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(26), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(28), (ushort)bits);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(30), compression);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(46), (uint)(palette?.Length ?? 0));
        if (compression == 3)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(54), 0x00FF0000);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(58), 0x0000FF00);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(62), 0x000000FF);
        }
        for (int i = 0; i < (palette?.Length ?? 0); i++)
        {
            int o = 54 + masks + 4 * i;
            (b[o], b[o + 1], b[o + 2]) = (palette![i][2], palette[i][1], palette[i][0]);
        }
        for (int y = 0; y < height; y++)
        {
            int row = offset + (topDown ? y : height - 1 - y) * stride;
            for (int x = 0; x < width; x++)
            {
                if (bits == 8)
                {
                    b[row + x] = pixels[y * width + x];
                    continue;
                }
                int p = row + x * bits / 8, s = (y * width + x) * 3;
                (b[p], b[p + 1], b[p + 2]) = (pixels[s + 2], pixels[s + 1], pixels[s]);
                if (bits == 32) b[p + 3] = 0xAB; // the unused byte must be ignored
            }
        }
        return b;
    }
}
