using Edge.Core.Tensors;
using Edge.Tests.Shared;

namespace Edge.Onnx.Tests;

/// <summary>Graph-level import: inputs, outputs, names and metadata, and the three ways to pass a model.</summary>
public class GraphImportTests
{
    private static OnnxModelBuilder ReluModel() => new OnnxModelBuilder(opset: 12).Input("x", "batch", 4).Node("Relu", ["x"], ["y"], "relu").Output("y");

    [Fact]
    public void Metadata_RecordsProducerOpsetSourceAndTheModelsProps()
    {
        var model = ReluModel().Producer("pytorch", "1.13.0").Metadata("dataset", "mnist");
        var graph = OnnxImporter.Import(model.ToBytes(), "models/lenet.onnx");

        Assert.Equal("lenet", graph.Name);
        Assert.Equal("models/lenet.onnx", graph.Metadata["source"]);
        Assert.Equal("pytorch 1.13.0", graph.Metadata["producer"]);
        Assert.Equal("12", graph.Metadata["opset"]);
        Assert.Equal("7", graph.Metadata["ir_version"]);
        Assert.Equal("test", graph.Metadata["graph_name"]);
        Assert.Equal("mnist", graph.Metadata["dataset"]);
    }

    [Fact]
    public void BatchDimParam_BecomesADynamicBatch()
    {
        var graph = TestImport.Import(ReluModel());
        Assert.Equal(new TensorInfo("x", new TensorShape(TensorShape.Dynamic, 4)), Assert.Single(graph.Inputs));
        Assert.Equal(new TensorShape(6, 4), graph.InferShapes(6)["y"]);
    }

    [Fact]
    public void AStaticBatch_StaysStatic()
    {
        var graph = TestImport.Import(new OnnxModelBuilder().Input("x", 2, 4).Node("Relu", ["x"], ["y"], "relu").Output("y"));
        Assert.Equal(new TensorShape(2, 4), Assert.Single(graph.Inputs).Shape);
    }

    [Fact]
    public void InitializersListedAsGraphInputs_AreNotInputs()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 3).Input("fc.weight", 2, 3)
            .RandomInitializer("fc.weight", 2, 3)
            .Node("Gemm", ["x", "fc.weight"], ["y"], "fc", OnnxAttr.Int("transB", 1))
            .Output("y");
        var graph = TestImport.Import(model);

        Assert.Equal(["x"], graph.Inputs.Select(i => i.Name));
        Assert.Equal(6, graph.ParameterCount);
    }

    [Fact]
    public void SeveralInputsAndOutputs_KeepTheirOrder()
    {
        var model = new OnnxModelBuilder().Input("a", "batch", 4).Input("b", "batch", 4)
            .Node("Add", ["a", "b"], ["sum"], "add")
            .Node("Relu", ["sum"], ["relu"], "relu")
            .Output("relu").Output("sum");
        var graph = TestImport.Import(model);
        Assert.Equal(["a", "b"], graph.Inputs.Select(i => i.Name));
        Assert.Equal(["relu", "sum"], graph.Outputs);
    }

    [Fact]
    public void UnnamedAndDuplicateNodeNames_AreMadeUnique()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 4)
            .Node("Relu", ["x"], ["a"], "")
            .Node("Relu", ["a"], ["b"], "act")
            .Node("Relu", ["b"], ["y"], "act")
            .Output("y");
        Assert.Equal(["Relu_0", "act", "act_1"], TestImport.Import(model).Nodes.Select(n => n.Name));
    }

    [Fact]
    public void PathStreamBytesAndSpan_ImportTheSameGraph()
    {
        var builder = ClassicModels.LeNet5();
        var bytes = builder.ToBytes();
        var path = builder.Save(Path.Combine(Path.GetTempPath(), $"edge-lenet-{Guid.NewGuid():N}.onnx"));
        try
        {
            var fromPath = OnnxImporter.Import(path);
            using var stream = new MemoryStream(bytes);
            var graphs = new[] { fromPath, OnnxImporter.Import(stream, path), OnnxImporter.Import(bytes, path), OnnxImporter.Import((ReadOnlySpan<byte>)bytes, path) };

            foreach (var g in graphs)
            {
                Assert.Equal(fromPath.Nodes.Select(n => n.ToString()), g.Nodes.Select(n => n.ToString()));
                Assert.Equal(fromPath.ParameterCount, g.ParameterCount);
                Assert.Equal(path, g.Metadata["source"]);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TheBuildersBytesMatchTheOfficialWireFormat()
    {
        // onnx.helper.make_tensor('t', INT64, [2], [5, 6]) serialized by onnx 1.12 (proto2: dims unpacked, int64_data packed).
        byte[] official = [0x08, 0x02, 0x10, 0x07, 0x3A, 0x02, 0x05, 0x06, 0x42, 0x01, 0x74];
        var ours = Google.Protobuf.MessageExtensions.ToByteArray(OnnxModelBuilder.Int64Tensor("t", [2], [5, 6]));
        Assert.Equal(official, ours);
        // onnx.helper.make_attribute('pads', [1, 2]): ints unpacked (field 8), type INTS (field 20).
        byte[] attribute = [0x0A, 0x04, 0x70, 0x61, 0x64, 0x73, 0x40, 0x01, 0x40, 0x02, 0xA0, 0x01, 0x07];
        Assert.Equal(attribute, Google.Protobuf.MessageExtensions.ToByteArray(OnnxAttr.Ints("pads", 1, 2)));
    }
}
