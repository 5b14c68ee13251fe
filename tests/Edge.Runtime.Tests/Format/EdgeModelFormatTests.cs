using Edge.Runtime.Format;

namespace Edge.Runtime.Tests.Format;

public class EdgeModelFormatTests
{
    /// <summary>A small but complete model: two tensors per op, every section, blobs of each type.</summary>
    internal static EdgeModel SmallModel()
    {
        var m = new EdgeModel { ProducerVersion = "edge-test 1.0" };
        int x = m.AddTensor(new EdgeTensor("input", EdgeDataType.Int8, [1, 5, 5, 3], 0.02f, -3));
        int y = m.AddTensor(new EdgeTensor("conv", EdgeDataType.Int8, [1, 3, 3, 4], 0.05f, -128));
        int z = m.AddTensor(new EdgeTensor("logits", EdgeDataType.Float32, [1, 36]));
        m.Inputs.Add(new EdgeInput(x, [0.5f], [0.25f], EdgeChannelOrder.Rgb));
        m.Outputs.Add(z);
        var w = new sbyte[4 * 3 * 3 * 3];
        for (int i = 0; i < w.Length; i++) w[i] = (sbyte)(i * 37 % 255 - 127);
        m.Ops.Add(new EdgeOp(EdgeOpType.Conv2d, "conv1", [x], [y], [3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1, -128, 127], [],
            [EdgeBlob.FromInt8([4, 3, 3, 3], w), EdgeBlob.FromInt32([4], [1, -2, 3, int.MinValue]), EdgeBlob.FromFloat32([4], [0.1f, 0.2f, 0.3f, 0.4f])]));
        m.Ops.Add(new EdgeOp(EdgeOpType.Dequantize, "dq", [y], [z]));
        m.Labels.AddRange(Enumerable.Range(0, 36).Select(i => $"class {i}"));
        m.Metadata["source"] = "unit test";
        m.Metadata["calibrator"] = "minmax";
        return m;
    }

    [Fact]
    public void Round_trip_preserves_every_field()
    {
        var m = SmallModel();
        var back = EdgeModelReader.Read(EdgeModelWriter.ToBytes(m), "mem");
        Assert.Equal(m.ProducerVersion, back.ProducerVersion);
        Assert.Equal(m.Tensors, back.Tensors);
        Assert.Equal(m.Outputs, back.Outputs);
        Assert.Equal(m.Inputs[0].Mean, back.Inputs[0].Mean);
        Assert.Equal(m.Inputs[0].ChannelOrder, back.Inputs[0].ChannelOrder);
        Assert.Equal(m.Labels, back.Labels);
        Assert.Equal(m.Metadata, back.Metadata);
        Assert.Equal(m.Ops.Count, back.Ops.Count);
        for (int i = 0; i < m.Ops.Count; i++)
        {
            Assert.Equal(m.Ops[i].Type, back.Ops[i].Type);
            Assert.Equal(m.Ops[i].Name, back.Ops[i].Name);
            Assert.Equal(m.Ops[i].Ints, back.Ops[i].Ints);
            Assert.Equal(m.Ops[i].Blobs.Length, back.Ops[i].Blobs.Length);
            for (int b = 0; b < m.Ops[i].Blobs.Length; b++)
            {
                Assert.Equal(m.Ops[i].Blobs[b].Shape, back.Ops[i].Blobs[b].Shape);
                Assert.Equal(m.Ops[i].Blobs[b].Data, back.Ops[i].Blobs[b].Data);
            }
        }
    }

    [Fact]
    public void Same_model_gives_identical_bytes_and_blobs_are_64_byte_aligned()
    {
        var a = EdgeModelWriter.ToBytes(SmallModel());
        Assert.Equal(a, EdgeModelWriter.ToBytes(SmallModel()));
        // the int8 weights are the first blob: find them in the file and check the alignment
        var w = SmallModel().Ops[0].Blobs[0].Data;
        int at = a.AsSpan().IndexOf(w);
        Assert.True(at > 0 && at % 64 == 0, $"weights at offset {at}");
    }

    [Fact]
    public void Save_writes_aside_then_renames_and_leaves_no_temporary_file()
    {
        var dir = Directory.CreateTempSubdirectory("edge-format");
        try
        {
            var path = Path.Combine(dir.FullName, "m.edge");
            EdgeModelWriter.Save(SmallModel(), path);
            Assert.Equal(EdgeModelWriter.ToBytes(SmallModel()), File.ReadAllBytes(path));
            Assert.Single(Directory.GetFiles(dir.FullName));
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void Wrong_magic_version_length_and_checksum_have_clear_messages()
    {
        var good = EdgeModelWriter.ToBytes(SmallModel());
        byte[] Altered(int index, byte value)
        {
            var b = (byte[])good.Clone();
            b[index] = value;
            return b;
        }
        Assert.Contains("bad magic", Assert.Throws<EdgeModelFormatException>(() => EdgeModelReader.Read(Altered(0, (byte)'X'), "m.edge")).Message);
        Assert.Contains("format version 7 is not supported", Assert.Throws<EdgeModelFormatException>(() => EdgeModelReader.Read(Altered(8, 7), "m.edge")).Message);
        Assert.Contains("checksum mismatch", Assert.Throws<EdgeModelFormatException>(() => EdgeModelReader.Read(Altered(good.Length - 1, 0x5a), "m.edge")).Message);
        Assert.Contains("truncated", Assert.Throws<EdgeModelFormatException>(() => EdgeModelReader.Read(good.AsSpan(0, good.Length - 3), "m.edge")).Message);
        Assert.StartsWith("m.edge: ", Assert.Throws<EdgeModelFormatException>(() => EdgeModelReader.Read(Altered(0, 0), "m.edge")).Message);
    }

    [Fact]
    public void Every_truncation_raises_EdgeModelFormatException()
    {
        var good = EdgeModelWriter.ToBytes(SmallModel());
        for (int n = 0; n < good.Length; n++)
        {
            var prefix = good.AsSpan(0, n).ToArray();
            Assert.Throws<EdgeModelFormatException>(() => EdgeModelReader.Read(prefix, "t"));
            Assert.Throws<EdgeModelFormatException>(() => EdgeModelReader.Read(prefix, "t", verifyChecksum: false));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Ten_thousand_random_byte_flips_raise_only_EdgeModelFormatException(bool verifyChecksum)
    {
        var good = EdgeModelWriter.ToBytes(SmallModel());
        var rng = new Random(20261121);
        int accepted = 0;
        for (int trial = 0; trial < 10_000; trial++)
        {
            var bytes = (byte[])good.Clone();
            int flips = 1 + rng.Next(4);
            for (int f = 0; f < flips; f++) bytes[rng.Next(bytes.Length)] ^= (byte)(1 + rng.Next(255));
            try
            {
                EdgeModelReader.Read(bytes, "flipped", verifyChecksum);
                accepted++;
            }
            catch (EdgeModelFormatException)
            {
            }
            catch (Exception e)
            {
                Assert.Fail($"trial {trial} (checksum {(verifyChecksum ? "on" : "off")}): {e.GetType().Name}: {e.Message}");
            }
        }
        if (verifyChecksum) Assert.Equal(0, accepted); // the checksum covers every byte but its own field, whose change is a mismatch
    }
}
