using Edge.Core.Errors;
using Edge.Vision.Datasets;

namespace Edge.Vision.Tests;

public class IdxFileTests
{
    private static IdxTensor Images(int count, int rows, int cols)
    {
        var data = new byte[count * rows * cols];
        for (int i = 0; i < data.Length; i++) data[i] = (byte)(i * 7);
        return new IdxTensor([count, rows, cols], data);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Round_trips_raw_and_gzip(bool gzip)
    {
        var t = Images(3, 4, 5);
        var back = IdxFile.Parse(IdxFile.Encode(t, gzip), "mem");
        Assert.Equal(t.Dims, back.Dims);
        Assert.Equal(t.Data, back.Data);
    }

    [Fact]
    public void Gzip_encoding_is_byte_identical_across_runs()
        => Assert.Equal(IdxFile.Encode(Images(2, 3, 3), true), IdxFile.Encode(Images(2, 3, 3), true));

    [Fact]
    public void Corrupt_magic_names_the_file_and_the_magic()
    {
        var bytes = IdxFile.Encode(Images(1, 2, 2), false);
        bytes[0] = 0x12;
        var e = Assert.Throws<DataFormatException>(() => IdxFile.Parse(bytes, "bad.idx"));
        Assert.StartsWith("bad.idx: bad IDX magic 0x12", e.Message);
    }

    [Fact]
    public void Unsupported_element_type_is_rejected()
    {
        var bytes = IdxFile.Encode(Images(1, 2, 2), false);
        bytes[2] = 0x0D; // float
        Assert.Contains("element type 0x0d", Assert.Throws<DataFormatException>(() => IdxFile.Parse(bytes, "f.idx")).Message);
    }

    [Fact]
    public void Header_declaring_more_data_than_present_is_rejected()
    {
        var bytes = IdxFile.Encode(Images(2, 3, 3), false);
        bytes[7] = 9; // count 2 → 9
        var e = Assert.Throws<DataFormatException>(() => IdxFile.Parse(bytes, "short.idx"));
        Assert.Contains("[9, 3, 3] = 81 bytes of data, the file holds 18", e.Message);
    }

    [Fact]
    public void Every_truncation_gives_a_DataFormatException()
    {
        var raw = IdxFile.Encode(Images(2, 3, 3), false);
        var gz = IdxFile.Encode(Images(2, 3, 3), true);
        for (int n = 0; n < raw.Length; n++) Assert.Throws<DataFormatException>(() => IdxFile.Parse(raw[..n], "t"));
        for (int n = 2; n < gz.Length; n++) Assert.Throws<DataFormatException>(() => IdxFile.Parse(gz[..n], "t"));
    }

    [Fact]
    public void Images_and_labels_load_into_an_image_set()
    {
        var dir = Directory.CreateTempSubdirectory("edge-idx");
        try
        {
            var imgs = Path.Combine(dir.FullName, "i.gz");
            var lbls = Path.Combine(dir.FullName, "l.gz");
            File.WriteAllBytes(imgs, IdxFile.Encode(Images(3, 4, 5), true));
            File.WriteAllBytes(lbls, IdxFile.Encode(new IdxTensor([3], [7, 0, 9]), true));
            var set = ImageSet.FromIdx(imgs, lbls);
            Assert.Equal((3, 4, 5, 1), (set.Count, set.Height, set.Width, set.Channels));
            Assert.Equal([7, 0, 9], set.Labels!);
            Assert.Equal((byte)(20 * 7), set.Image(1)[0]);

            File.WriteAllBytes(lbls, IdxFile.Encode(new IdxTensor([2], [7, 0]), true));
            Assert.Contains("2 labels for the 3 images", Assert.Throws<DataFormatException>(() => ImageSet.FromIdx(imgs, lbls)).Message);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void Missing_file_is_a_DataFormatException()
        => Assert.Contains("no such file", Assert.Throws<DataFormatException>(() => IdxFile.Read("/nonexistent/x.idx")).Message);
}
