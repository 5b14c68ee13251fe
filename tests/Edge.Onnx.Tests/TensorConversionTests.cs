using Edge.Core.Errors;
using Edge.Onnx.Proto;
using Edge.Tests.Shared;
using Google.Protobuf;
using DT = Edge.Onnx.Proto.TensorProto.Types.DataType;

namespace Edge.Onnx.Tests;

/// <summary>Initializer decoding: raw_data (little-endian) and the typed fields, for every element type Edge reads.</summary>
public class TensorConversionTests
{
    private static TensorProto Tensor(DT type, int[] dims, byte[]? raw = null)
    {
        var t = new TensorProto { Name = "t", DataType = (int)type };
        t.Dims.Add(dims.Select(d => (long)d));
        if (raw is not null) t.RawData = ByteString.CopyFrom(raw);
        return t;
    }

    private static float[] Floats(TensorProto t) => TensorConversion.Read(t, "model.onnx", "t").Floats!;
    private static long[] Ints(TensorProto t) => TensorConversion.Read(t, "model.onnx", "t").Ints!;

    [Fact]
    public void Float_RawAndTypedFieldsDecodeTheSame()
    {
        float[] values = [1.5f, -0.25f, 3e-8f, float.MaxValue];
        var raw = OnnxModelBuilder.FloatTensor("t", [2, 2], values, raw: true);
        var typed = OnnxModelBuilder.FloatTensor("t", [2, 2], values, raw: false);

        Assert.Equal(values, Floats(raw));
        Assert.Equal(values, Floats(typed));
        Assert.Equal([2, 2], TensorConversion.Read(raw, "model.onnx", "t").Dims);
    }

    [Fact]
    public void RawData_IsLittleEndian()
    {
        Assert.Equal([1f], Floats(Tensor(DT.Float, [1], [0x00, 0x00, 0x80, 0x3F])));
        Assert.Equal([258L], Ints(Tensor(DT.Int64, [1], [0x02, 0x01, 0, 0, 0, 0, 0, 0])));
    }

    [Fact]
    public void Float16_RawAndInt32DataBecomeFloat32()
    {
        // 0x3C00 = 1.0, 0xC000 = −2.0, 0x3555 ≈ 0.33325
        Assert.Equal([1f, -2f, (float)BitConverter.UInt16BitsToHalf(0x3555)], Floats(Tensor(DT.Float16, [3], [0x00, 0x3C, 0x00, 0xC0, 0x55, 0x35])));
        var typed = Tensor(DT.Float16, [2]);
        typed.Int32Data.Add([0x3C00, 0xC000]);
        Assert.Equal([1f, -2f], Floats(typed));
    }

    [Fact]
    public void BFloat16_IsTheHighHalfOfAFloat32()
    {
        Assert.Equal([1f, -2f], Floats(Tensor(DT.Bfloat16, [2], [0x80, 0x3F, 0x00, 0xC0])));
    }

    [Fact]
    public void Double_RawAndTypedBecomeFloat32()
    {
        var typed = Tensor(DT.Double, [2]);
        typed.DoubleData.Add([0.1, -4.0]);
        Assert.Equal([0.1f, -4f], Floats(typed));
        Assert.Equal([0.1f], Floats(Tensor(DT.Double, [1], BitConverter.GetBytes(0.1))));
    }

    [Fact]
    public void Integers_RawAndTypedBecomeInt64()
    {
        var int64 = Tensor(DT.Int64, [3]);
        int64.Int64Data.Add([-1L, 0L, long.MaxValue]);
        Assert.Equal([-1L, 0L, long.MaxValue], Ints(int64));

        var int32 = Tensor(DT.Int32, [2]);
        int32.Int32Data.Add([-7, 9]);
        Assert.Equal([-7L, 9L], Ints(int32));
        Assert.Equal([-7L], Ints(Tensor(DT.Int32, [1], BitConverter.GetBytes(-7))));

        Assert.Equal([-1L, 255L, 1L], Ints(Tensor(DT.Int8, [1], [0xFF])).Concat(Ints(Tensor(DT.Uint8, [1], [0xFF]))).Concat(Ints(Tensor(DT.Bool, [1], [0x01]))));
        var int8Typed = Tensor(DT.Int8, [1]);
        int8Typed.Int32Data.Add(-3);
        Assert.Equal([-3L], Ints(int8Typed));
    }

    [Fact]
    public void AScalarHasOneElement()
    {
        var t = TensorConversion.Read(OnnxModelBuilder.FloatTensor("t", [], [4f]), "model.onnx", "t");
        Assert.Empty(t.Dims);
        Assert.Equal([4f], t.Floats!);
    }

    [Fact]
    public void AValueCountThatDisagreesWithTheDims_Fails()
    {
        var e = Assert.Throws<ModelImportException>(() => TensorConversion.Read(OnnxModelBuilder.FloatTensor("w", [2, 3], [1f, 2f]), "model.onnx", "w"));
        Assert.Equal("model.onnx: tensor 'w': raw_data has 8 bytes; dims [2, 3] need 6 Float values (24 bytes)", e.Message);
        var typed = Assert.Throws<ModelImportException>(() => TensorConversion.Read(OnnxModelBuilder.FloatTensor("w", [2, 3], [1f], raw: false), "model.onnx", "w"));
        Assert.Contains("it holds 1 values; dims [2, 3] need 6 Float values", typed.Message);
    }

    [Fact]
    public void RawDataThatIsNotAWholeNumberOfElements_Fails()
    {
        Assert.Throws<ModelImportException>(() => Floats(Tensor(DT.Float, [1], [0, 0, 0, 0, 0])));
    }

    [Theory]
    [InlineData((int)DT.String)]
    [InlineData((int)DT.Complex64)]
    [InlineData((int)DT.Undefined)]
    public void UnreadableElementTypes_Fail(int typeNumber)
    {
        var type = (DT)typeNumber;
        var e = Assert.Throws<ModelImportException>(() => TensorConversion.Read(Tensor(type, [1]), "model.onnx", "t"));
        Assert.Contains($"data type {type} is not supported", e.Message);
    }

    [Fact]
    public void ExternalData_FailsNamingTheTensor()
    {
        var weight = Tensor(DT.Float, [4, 1, 1, 1]);
        weight.Name = "conv.weight";
        weight.DataLocation = TensorProto.Types.DataLocation.External;
        weight.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "weights.bin" });
        var model = new OnnxModelBuilder().Input("x", "batch", 1, 4, 4).Initializer(weight)
            .Node("Conv", ["x", "conv.weight"], ["y"], "conv")
            .Output("y");

        var e = TestImport.Fails(model);
        Assert.Equal("model.onnx: tensor 'conv.weight': external data is not supported: re-export with the weights inside the file", e.Message);
    }

    [Fact]
    public void NegativeDims_Fail()
    {
        Assert.Throws<ModelImportException>(() => Floats(Tensor(DT.Float, [-1])));
    }
}
