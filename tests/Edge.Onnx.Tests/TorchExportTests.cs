using Edge.Core.Graph.Nodes;
using Edge.Core.Tensors;

namespace Edge.Onnx.Tests;

/// <summary>
/// Files written by torch.onnx.export (PyTorch 1.13, Data/make_torch_samples.py): the proto subset reads real exporter
/// output, and the exporter's shape chains fold away. The model is Conv → BN → Hardswish → F.pad → clamp →
/// x.view(x.size(0), -1) → Linear → softmax.
/// </summary>
public class TorchExportTests
{
    private static readonly string[] ExpectedOps = ["Conv", "BatchNormalization", "HardSwish", "Pad", "Clip", "Reshape", "Gemm", "Softmax"];

    [Theory]
    [InlineData("torch_sample_opset13.onnx", 13)]
    [InlineData("torch_sample_opset11.onnx", 11)]
    public void SampleModel_FoldsShapeChainsAndFusesHardswish(string file, int opset)
    {
        var graph = OnnxImporter.Import(Path.Combine(AppContext.BaseDirectory, "Data", file));

        Assert.Equal(ExpectedOps, graph.Nodes.Select(n => n.OpType));
        Assert.Equal(opset.ToString(), graph.Metadata["opset"]);
        Assert.Equal("pytorch 1.13.0", graph.Metadata["producer"]);
        var input = Assert.Single(graph.Inputs); // opset-11 file lists its initializers as inputs too
        Assert.Equal(new TensorShape(TensorShape.Dynamic, 1, 8, 8), input.Shape);

        var pad = graph.Nodes.OfType<PadNode>().Single();
        Assert.Equal([0, 0, 0, 1, 0, 0, 1, 0], pad.Pads); // F.pad(x, (left 1, right 0, top 0, bottom 1)) in ONNX order
        var clip = graph.Nodes.OfType<ClipNode>().Single();
        Assert.Equal((-1f, 6f), (clip.Min, clip.Max));
        Assert.Equal([0, -1], graph.Nodes.OfType<ReshapeNode>().Single().TargetShape);
        Assert.Equal(1, graph.Nodes.OfType<SoftmaxNode>().Single().Axis);
        var gemm = graph.Nodes.OfType<GemmNode>().Single();
        Assert.Equal(new TensorShape(3, 196), gemm.Weight.Shape);
        Assert.Equal(4L * 9 + 4 + 4 + 4 + 3 * 196 + 3, graph.ParameterCount);

        Assert.Equal(new TensorShape(5, 3), graph.InferShapes(5)["y"]);
    }

    [Fact]
    public void ReshapeWithSizeArithmetic_FoldsTheMulOfStaticSizes()
    {
        var graph = OnnxImporter.Import(Path.Combine(AppContext.BaseDirectory, "Data", "torch_reshape_arithmetic.onnx"));

        var reshape = Assert.Single(graph.Nodes);
        Assert.Equal([0, 24], Assert.IsType<ReshapeNode>(reshape).TargetShape);
        Assert.Equal(new TensorShape(7, 24), graph.InferShapes(7)["y"]);
    }
}
