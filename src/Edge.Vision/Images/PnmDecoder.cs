using Edge.Core.Errors;

namespace Edge.Vision.Images;

/// <summary>
/// Netpbm decoding: PGM (P2 plain, P5 raw) and PPM (P3 plain, P6 raw) with a maxval of at most 255. Samples are
/// rescaled to 0..255 (<c>round(v·255 / maxval)</c>) when maxval is not 255. Comments (<c>#</c> to the end of the
/// line) may appear anywhere in the header.
/// </summary>
internal static class PnmDecoder
{
    /// <summary>P1 to P6: the bitmap kinds are recognized too, so that they are refused by name.</summary>
    public static bool HasSignature(ReadOnlySpan<byte> bytes)
        => bytes.Length >= 2 && bytes[0] == 'P' && bytes[1] is >= (byte)'1' and <= (byte)'6';

    public static DecodedImage Decode(byte[] bytes, string file)
    {
        DataFormatException Bad(string m) => new(file, $"PNM: {m}");
        if (bytes.Length < 2 || bytes[0] != 'P') throw Bad("missing the 'P' magic");
        char kind = (char)bytes[1];
        if (kind is '1' or '4') throw Bad($"P{kind} (bitmap) images are not supported (P2, P3, P5, P6 are)");
        if (kind is not ('2' or '3' or '5' or '6')) throw Bad($"unknown netpbm kind 'P{kind}'");
        bool plain = kind is '2' or '3';
        int channels = kind is '2' or '5' ? 1 : 3;
        int pos = 2;
        long width = ReadNumber(bytes, ref pos, "width", file);
        long height = ReadNumber(bytes, ref pos, "height", file);
        long maxval = ReadNumber(bytes, ref pos, "maxval", file);
        DecodedImage.CheckSize(file, "PNM", width, height);
        if (maxval is < 1 or > 255) throw Bad($"maxval {maxval} is not supported (1..255; 16-bit samples are not)");
        long count = width * height * channels;
        var pixels = new byte[count];
        if (plain)
        {
            for (long i = 0; i < count; i++)
            {
                long v = ReadNumber(bytes, ref pos, $"sample {i}", file);
                if (v > maxval) throw Bad($"sample {i} is {v}, above maxval {maxval}");
                pixels[i] = Scale(v, maxval);
            }
        }
        else
        {
            // Exactly one whitespace byte separates maxval from the raster.
            if (pos >= bytes.Length || !IsSpace(bytes[pos])) throw Bad("no whitespace after maxval");
            pos++;
            if (bytes.Length - pos < count) throw Bad($"raster of {width}×{height}×{channels} needs {count} bytes, {bytes.Length - pos} remain (truncated)");
            for (long i = 0; i < count; i++)
            {
                int v = bytes[pos + i];
                if (v > maxval) throw Bad($"sample {i} is {v}, above maxval {maxval}");
                pixels[i] = Scale(v, maxval);
            }
        }
        return new DecodedImage((int)width, (int)height, channels, pixels);
    }

    private static byte Scale(long v, long maxval) => maxval == 255 ? (byte)v : (byte)((v * 255 + maxval / 2) / maxval);

    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0B or 0x0C;

    /// <summary>Skips whitespace and comments, then reads a decimal number.</summary>
    private static long ReadNumber(byte[] bytes, ref int pos, string what, string file)
    {
        while (pos < bytes.Length)
        {
            if (IsSpace(bytes[pos])) pos++;
            else if (bytes[pos] == '#') while (pos < bytes.Length && bytes[pos] != '\n' && bytes[pos] != '\r') pos++;
            else break;
        }
        if (pos >= bytes.Length) throw new DataFormatException(file, $"PNM: truncated before the {what}");
        if (bytes[pos] is < (byte)'0' or > (byte)'9') throw new DataFormatException(file, $"PNM: expected the {what} at byte {pos}, found '{(char)bytes[pos]}'");
        long v = 0;
        while (pos < bytes.Length && bytes[pos] is >= (byte)'0' and <= (byte)'9')
        {
            v = v * 10 + (bytes[pos++] - '0');
            if (v > int.MaxValue) throw new DataFormatException(file, $"PNM: the {what} is too large");
        }
        return v;
    }
}
