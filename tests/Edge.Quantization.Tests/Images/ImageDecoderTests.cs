using System.Text;
using Edge.Core.Errors;
using Edge.Vision.Images;
using static Edge.Quantization.Tests.Images.TestImageEncoders;

namespace Edge.Quantization.Tests.Images;

/// <summary>PNG, BMP and PGM/PPM decoding on small hand-built images, and the typed error of each malformed case.</summary>
public class ImageDecoderTests
{
    /// <summary>A 5×4 RGB test pattern with values that differ in every channel.</summary>
    private static byte[] Rgb(int width = 5, int height = 4)
    {
        var p = new byte[width * height * 3];
        for (int i = 0; i < p.Length; i++) p[i] = (byte)(i * 37 + 11);
        return p;
    }

    private static byte[][] Rows(byte[] pixels, int width, int height, int channels)
        => Enumerable.Range(0, height).Select(y => pixels.AsSpan(y * width * channels, width * channels).ToArray()).ToArray();

    private static string Error(byte[] bytes) => Assert.Throws<DataFormatException>(() => ImageDecoder.Decode(bytes, "img")).Message;

    [Fact]
    public void Png_rgb_with_all_five_filter_types()
    {
        var rgb = Rgb(5, 10);
        var image = ImageDecoder.Decode(Png(5, 10, 8, 2, Rows(rgb, 5, 10, 3), [0, 1, 2, 3, 4]), "t.png");
        Assert.Equal((5, 10, 3), (image.Width, image.Height, image.Channels));
        Assert.Equal(rgb, image.Pixels);
    }

    [Fact]
    public void Png_rgba_and_gray_alpha_drop_the_alpha_channel()
    {
        var rgb = Rgb();
        var rgba = new byte[5 * 4 * 4];
        var grayAlpha = new byte[5 * 4 * 2];
        for (int i = 0; i < 20; i++)
        {
            rgb.AsSpan(3 * i, 3).CopyTo(rgba.AsSpan(4 * i));
            rgba[4 * i + 3] = (byte)(255 - i);
            grayAlpha[2 * i] = rgb[3 * i];
            grayAlpha[2 * i + 1] = 7;
        }
        Assert.Equal(rgb, ImageDecoder.Decode(Png(5, 4, 8, 6, Rows(rgba, 5, 4, 4), [4, 3]), "a.png").Pixels);
        var gray = ImageDecoder.Decode(Png(5, 4, 8, 4, Rows(grayAlpha, 5, 4, 2), [1, 2]), "b.png");
        Assert.Equal(1, gray.Channels);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => rgb[3 * i]), gray.Pixels);
    }

    [Fact]
    public void Png_gray_8_bit_and_sub_byte_depths_scale_to_0_255()
    {
        var gray = Enumerable.Range(0, 12).Select(i => (byte)(i * 20)).ToArray();
        Assert.Equal(gray, ImageDecoder.Decode(Png(4, 3, 8, 0, Rows(gray, 4, 3, 1), [0, 4, 1]), "g.png").Pixels);
        // 2-bit gray, 4 pixels per byte, most significant first: samples 0 1 2 3 / 3 2 1 0 → 0 85 170 255 / 255 170 85 0
        var two = ImageDecoder.Decode(Png(4, 2, 2, 0, [[0b00_01_10_11], [0b11_10_01_00]], [0]), "g2.png");
        Assert.Equal(new byte[] { 0, 85, 170, 255, 255, 170, 85, 0 }, two.Pixels);
    }

    [Fact]
    public void Png_palette_decodes_to_rgb_or_to_gray_when_every_entry_is_gray()
    {
        byte[] palette = [255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9];
        // 4-bit indices, 3 pixels per row (the row's last nibble is padding): 0 1 2 / 3 0 1
        var image = ImageDecoder.Decode(Png(3, 2, 4, 3, [[0x01, 0x20], [0x30, 0x10]], [0, 2], palette), "p.png");
        Assert.Equal(3, image.Channels);
        Assert.Equal(new byte[] { 255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9, 255, 0, 0, 0, 255, 0 }, image.Pixels);
        var grays = ImageDecoder.Decode(Png(2, 1, 8, 3, [[1, 0]], [0], [10, 10, 10, 200, 200, 200]), "q.png");
        Assert.Equal(1, grays.Channels);
        Assert.Equal(new byte[] { 200, 10 }, grays.Pixels);
    }

    [Fact]
    public void Png_errors_name_the_file_and_the_problem()
    {
        var rows = Rows(Rgb(), 5, 4, 3);
        Assert.Contains("interlaced", Error(Png(5, 4, 8, 2, rows, [0], interlace: 1)));
        Assert.Contains("16-bit", Error(Png(5, 4, 16, 2, rows, [0])));
        Assert.Contains("without a PLTE", Error(Png(3, 2, 4, 3, [[0x01, 0x20], [0x30, 0x10]], [0])));
        Assert.Contains("palette index 3", Error(Png(2, 1, 8, 3, [[3, 0]], [0], [1, 2, 3, 4, 5, 6])));
        var good = Png(5, 4, 8, 2, rows, [0]);
        var corrupt = (byte[])good.Clone();
        corrupt[40] ^= 0xFF; // inside the first IDAT's data
        Assert.Contains("CRC", Error(corrupt));
        var message = Error(good[..(good.Length - 20)]);
        Assert.StartsWith("img: PNG:", message);
        Assert.Contains("truncated", message);
    }

    [Fact]
    public void Png_unknown_filter_type_is_reported_with_its_row()
    {
        var png = Png(2, 2, 8, 0, [[1, 2], [3, 4]], [0]);
        // Rebuild with a filter byte of 7 on row 1: re-encode the raw stream by hand.
        var raw = new byte[] { 0, 1, 2, 7, 3, 4 };
        var z = new MemoryStream();
        using (var zs = new System.IO.Compression.ZLibStream(z, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true)) zs.Write(raw);
        var idat = Encoding.ASCII.GetBytes("IDAT").Concat(z.ToArray()).ToArray();
        var chunk = new byte[4].Concat(idat).Concat(new byte[4]).ToArray();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)(idat.Length - 4));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(chunk.Length - 4), Crc(idat));
        var bytes = png[..33].Concat(chunk).Concat(png[^12..]).ToArray(); // signature + IHDR, our IDAT, IEND
        Assert.Contains("row 1 has unknown filter type 7", Error(bytes));
    }

    [Theory]
    [InlineData(24, false)]
    [InlineData(24, true)]
    [InlineData(32, false)]
    public void Bmp_24_and_32_bit_bottom_up_and_top_down(int bits, bool topDown)
    {
        var rgb = Rgb(5, 3); // width 5: 24-bit rows of 15 bytes pad to 16
        var image = ImageDecoder.Decode(Bmp(5, 3, bits, rgb, topDown: topDown), "t.bmp");
        Assert.Equal((5, 3, 3), (image.Width, image.Height, image.Channels));
        Assert.Equal(rgb, image.Pixels);
    }

    [Fact]
    public void Bmp_32_bit_bitfields_with_the_standard_masks()
        => Assert.Equal(Rgb(3, 2), ImageDecoder.Decode(Bmp(3, 2, 32, Rgb(3, 2), compression: 3), "b.bmp").Pixels);

    [Fact]
    public void Bmp_8_bit_palette_to_gray_or_rgb()
    {
        var grays = Enumerable.Range(0, 256).Select(i => new[] { (byte)i, (byte)i, (byte)i }).ToArray();
        byte[] indices = [0, 10, 200, 255, 3, 4];
        var gray = ImageDecoder.Decode(Bmp(3, 2, 8, indices, grays), "g.bmp");
        Assert.Equal(1, gray.Channels);
        Assert.Equal(indices, gray.Pixels);
        var colors = ImageDecoder.Decode(Bmp(2, 1, 8, [1, 0], [[1, 2, 3], [4, 5, 6]]), "c.bmp");
        Assert.Equal(3, colors.Channels);
        Assert.Equal(new byte[] { 4, 5, 6, 1, 2, 3 }, colors.Pixels);
    }

    [Fact]
    public void Bmp_errors_name_the_file_and_the_problem()
    {
        var good = Bmp(5, 3, 24, Rgb(5, 3));
        var bits16 = (byte[])good.Clone();
        bits16[28] = 16;
        Assert.Contains("16-bit images are not supported", Error(bits16));
        var rle = (byte[])good.Clone();
        rle[30] = 1;
        Assert.Contains("compression 1", Error(rle));
        Assert.Contains("runs past the end", Error(good[..(good.Length - 5)]));
        Assert.Contains("palette index 2", Error(Bmp(2, 1, 8, [2, 0], [[1, 2, 3], [4, 5, 6]])));
    }

    [Fact]
    public void Pgm_and_ppm_plain_and_raw_with_comments()
    {
        var p2 = Encoding.ASCII.GetBytes("P2\n# a comment\n3 2\n255\n0 10 20\n# inside the raster\n30 40 255\n");
        Assert.Equal(new byte[] { 0, 10, 20, 30, 40, 255 }, ImageDecoder.Decode(p2, "a.pgm").Pixels);
        var p3 = Encoding.ASCII.GetBytes("P3 2 1 255 1 2 3 4 5 6");
        var ppm = ImageDecoder.Decode(p3, "b.ppm");
        Assert.Equal(3, ppm.Channels);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, ppm.Pixels);
        var p5 = Encoding.ASCII.GetBytes("P5 2 2 255\n").Concat(new byte[] { 9, 8, 7, 6 }).ToArray();
        Assert.Equal(new byte[] { 9, 8, 7, 6 }, ImageDecoder.Decode(p5, "c.pgm").Pixels);
        var p6 = Encoding.ASCII.GetBytes("P6\n#c\n1 1\n255\n").Concat(new byte[] { 1, 2, 3 }).ToArray();
        Assert.Equal(new byte[] { 1, 2, 3 }, ImageDecoder.Decode(p6, "d.ppm").Pixels);
    }

    [Fact]
    public void Pnm_maxval_below_255_is_rescaled()
    {
        var p2 = Encoding.ASCII.GetBytes("P2 3 1 15 0 7 15");
        Assert.Equal(new byte[] { 0, 119, 255 }, ImageDecoder.Decode(p2, "m.pgm").Pixels); // round(7·255/15) = 119
    }

    [Fact]
    public void Pnm_errors_name_the_file_and_the_problem()
    {
        Assert.Contains("maxval 65535", Error(Encoding.ASCII.GetBytes("P5 1 1 65535\n\0\0")));
        Assert.Contains("P4 (bitmap)", Error(Encoding.ASCII.GetBytes("P4 1 1\n\0")));
        Assert.Contains("truncated", Error(Encoding.ASCII.GetBytes("P5 2 2 255\n\x01\x02")));
        Assert.Contains("above maxval", Error(Encoding.ASCII.GetBytes("P2 1 1 10 11")));
        Assert.Contains("expected the height", Error(Encoding.ASCII.GetBytes("P2 3 x 255")));
    }

    [Fact]
    public void Unknown_bytes_are_not_an_image()
        => Assert.Equal("img: not a PNG, BMP, PGM or PPM image (unrecognized leading bytes)", Error([0x47, 0x49, 0x46, 0x38]));

    [Fact]
    public void Bilinear_resize_matches_pytorch_align_corners_false()
    {
        // torch.nn.functional.interpolate([[0, 1], [2, 3]], size=(4, 4), mode="bilinear", align_corners=False)
        float[] expected = [0, 0.25f, 0.75f, 1, 0.5f, 0.75f, 1.25f, 1.5f, 1.5f, 1.75f, 2.25f, 2.5f, 2, 2.25f, 2.75f, 3];
        var up = new float[16];
        BilinearResize.Plane([0, 1, 2, 3], 2, 2, up, 4, 4);
        Assert.Equal(expected, up);
        // Halving samples between pixel pairs: the mean of each 2×2 block.
        var down = new float[4];
        BilinearResize.Plane(Enumerable.Range(0, 16).Select(i => (float)i).ToArray(), 4, 4, down, 2, 2);
        Assert.Equal([2.5f, 4.5f, 10.5f, 12.5f], down);
        var same = new float[4];
        BilinearResize.Plane([1, 2, 3, 4], 2, 2, same, 2, 2);
        Assert.Equal([1f, 2, 3, 4], same);
    }
}
