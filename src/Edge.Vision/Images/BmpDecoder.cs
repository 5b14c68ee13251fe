using System.Buffers.Binary;
using Edge.Core.Errors;

namespace Edge.Vision.Images;

/// <summary>
/// Windows BMP decoding: uncompressed 24-bit (BGR) and 32-bit (BGRx, also BI_BITFIELDS with the standard masks)
/// pixels and 8-bit palette images, bottom-up or top-down, with an info header of 40 bytes or more (V4, V5).
/// Rows are padded to 4 bytes. A palette of grays decodes to one channel, any other image to RGB.
/// <code>
/// offset 0   "BM", u32 file size, u32 reserved, u32 pixel data offset
/// offset 14  u32 header size (≥ 40), i32 width, i32 height (negative: top-down), u16 planes (1), u16 bits per pixel,
///            u32 compression (0 = BI_RGB, 3 = BI_BITFIELDS), u32 image size, i32 ×2 resolution, u32 colors used, u32 important
/// offset 54  BI_BITFIELDS: u32 red, green, blue masks; palette (8-bit): entries of B, G, R, 0 after the header
/// </code>
/// </summary>
internal static class BmpDecoder
{
    private const int FileHeader = 14;

    public static bool HasSignature(ReadOnlySpan<byte> bytes) => bytes.Length >= 2 && bytes[0] == 'B' && bytes[1] == 'M';

    public static DecodedImage Decode(byte[] bytes, string file)
    {
        DataFormatException Bad(string m) => new(file, $"BMP: {m}");
        if (!HasSignature(bytes)) throw Bad("missing the 'BM' signature");
        if (bytes.Length < FileHeader + 40) throw Bad($"too short for the headers ({bytes.Length} bytes, need at least 54)");
        var b = bytes.AsSpan();
        uint dataOffset = BinaryPrimitives.ReadUInt32LittleEndian(b[10..]);
        uint headerSize = BinaryPrimitives.ReadUInt32LittleEndian(b[14..]);
        if (headerSize < 40) throw Bad($"info header of {headerSize} bytes is not supported (need BITMAPINFOHEADER, 40 bytes, or later)");
        if (FileHeader + (long)headerSize > bytes.Length) throw Bad($"info header of {headerSize} bytes runs past the end of the file");
        int width = BinaryPrimitives.ReadInt32LittleEndian(b[18..]);
        int rawHeight = BinaryPrimitives.ReadInt32LittleEndian(b[22..]);
        int planes = BinaryPrimitives.ReadUInt16LittleEndian(b[26..]);
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(b[28..]);
        uint compression = BinaryPrimitives.ReadUInt32LittleEndian(b[30..]);
        uint colorsUsed = BinaryPrimitives.ReadUInt32LittleEndian(b[46..]);
        bool topDown = rawHeight < 0;
        long height = Math.Abs((long)rawHeight);
        DecodedImage.CheckSize(file, "BMP", width, height);
        if (planes != 1) throw Bad($"{planes} color planes, expected 1");
        if (bits is not (8 or 24 or 32)) throw Bad($"{bits}-bit images are not supported (8-bit palette, 24-bit and 32-bit are)");
        if (compression == 3 && bits == 32)
        {
            if (FileHeader + 40 + 12 > bytes.Length) throw Bad("BI_BITFIELDS masks run past the end of the file");
            uint r = BinaryPrimitives.ReadUInt32LittleEndian(b[54..]), g = BinaryPrimitives.ReadUInt32LittleEndian(b[58..]), bl = BinaryPrimitives.ReadUInt32LittleEndian(b[62..]);
            if (r != 0x00FF0000 || g != 0x0000FF00 || bl != 0x000000FF) throw Bad($"BI_BITFIELDS masks R {r:x8} G {g:x8} B {bl:x8} are not the standard 8-bit BGR layout");
        }
        else if (compression != 0)
        {
            throw Bad($"compression {compression} is not supported (only uncompressed images are)");
        }

        byte[][]? palette = null;
        if (bits == 8)
        {
            long count = colorsUsed == 0 ? 256 : colorsUsed;
            if (count > 256) throw Bad($"palette of {count} colors exceeds 256");
            long start = FileHeader + headerSize + (compression == 3 ? 12 : 0);
            if (start + 4 * count > bytes.Length) throw Bad($"palette of {count} colors runs past the end of the file");
            palette = new byte[count][];
            for (int i = 0; i < count; i++)
            {
                int o = (int)start + 4 * i;
                palette[i] = [bytes[o + 2], bytes[o + 1], bytes[o]];
            }
        }

        long stride = (width * (long)bits / 8 + 3) & ~3L;
        if (dataOffset > bytes.Length || stride * height > bytes.Length - dataOffset)
            throw Bad($"pixel data of {height} rows × {stride} bytes from offset {dataOffset} runs past the end of the file ({bytes.Length} bytes)");

        bool gray = palette is not null && DecodedImage.IsGrayPalette(palette);
        int channels = gray ? 1 : 3;
        var pixels = new byte[width * height * channels];
        for (int y = 0; y < height; y++)
        {
            int sourceRow = topDown ? y : (int)height - 1 - y;
            var row = b.Slice((int)(dataOffset + sourceRow * stride), (int)stride);
            for (int x = 0; x < width; x++)
            {
                long o = ((long)y * width + x) * channels;
                if (palette is not null)
                {
                    int index = row[x];
                    if (index >= palette.Length) throw Bad($"pixel ({x}, {y}) uses palette index {index}, the palette has {palette.Length} entries");
                    for (int c = 0; c < channels; c++) pixels[o + c] = palette[index][c];
                }
                else
                {
                    int p = x * bits / 8; // B, G, R(, x)
                    pixels[o] = row[p + 2];
                    pixels[o + 1] = row[p + 1];
                    pixels[o + 2] = row[p];
                }
            }
        }
        return new DecodedImage(width, (int)height, channels, pixels);
    }
}
