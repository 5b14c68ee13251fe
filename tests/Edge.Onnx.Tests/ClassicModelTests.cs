using Edge.Core.Graph.Nodes;
using Edge.Core.Tensors;
using Edge.Tests.Shared;

namespace Edge.Onnx.Tests;

public class ClassicModelTests
{
    [Fact]
    public void LeNet5_ImportsWith61706ParametersAndTheClassicLayerShapes()
    {
        var graph = TestImport.Import(ClassicModels.LeNet5());

        Assert.Equal(ClassicModels.LeNet5Parameters, graph.ParameterCount);
        Assert.Equal(61_706, graph.ParameterCount);
        var input = Assert.Single(graph.Inputs);
        Assert.Equal(new TensorShape(TensorShape.Dynamic, 1, 28, 28), input.Shape);
        Assert.Equal(["logits"], graph.Outputs);

        var expected = new (string Node, string Op, int[] Shape, long Params)[]
        {
            ("conv1", "Conv", [1, 6, 28, 28], 156),
            ("pool1", "AveragePool", [1, 6, 14, 14], 0),
            ("sigmoid1", "Sigmoid", [1, 6, 14, 14], 0),
            ("conv2", "Conv", [1, 16, 10, 10], 2_416),
            ("pool2", "AveragePool", [1, 16, 5, 5], 0),
            ("sigmoid2", "Sigmoid", [1, 16, 5, 5], 0),
            ("flatten", "Flatten", [1, 400], 0),
            ("fc1", "Gemm", [1, 120], 48_120),
            ("sigmoid3", "Sigmoid", [1, 120], 0),
            ("fc2", "Gemm", [1, 84], 10_164),
            ("sigmoid4", "Sigmoid", [1, 84], 0),
            ("fc3", "Gemm", [1, 10], 850),
        };
        Assert.Equal(expected.Select(e => e.Node), graph.Nodes.Select(n => n.Name));
        var shapes = graph.InferShapes(1);
        foreach (var (name, op, shape, parameters) in expected)
        {
            var node = graph.Nodes.Single(n => n.Name == name);
            Assert.Equal(op, node.OpType);
            Assert.Equal(new TensorShape(shape), shapes[node.Output]);
            Assert.Equal(parameters, node.ParameterCount);
        }
        Assert.Equal(new TensorShape(32, 10), graph.InferShapes(32)["logits"]);
    }

    [Fact]
    public void LeNet5_GemmWeightsKeepPyTorchsOutInLayout()
    {
        var model = ClassicModels.LeNet5();
        var fc1 = TestImport.Import(model).Nodes.OfType<GemmNode>().First();
        var source = model.Graph.Initializer.Single(t => t.Name == "fc1.weight");

        Assert.Equal(new TensorShape(120, 400), fc1.Weight.Shape);
        Assert.Equal(BitConverter.ToSingle(source.RawData.Span[..4]), fc1.Weight.Data[0]);
        Assert.Equal(BitConverter.ToSingle(source.RawData.Span[(4 * 401)..(4 * 402)]), fc1.Weight.Data[401]);
    }
}
