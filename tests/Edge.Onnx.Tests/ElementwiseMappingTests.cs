using Edge.Core.Graph.Nodes;
using Edge.Core.Tensors;
using Edge.Tests.Shared;

namespace Edge.Onnx.Tests;

public class ElementwiseMappingTests
{
    [Fact]
    public void Add_OfTwoDataTensors_IsAResidualAdd()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 4, 3, 3)
            .Node("Relu", ["x"], ["r"], "relu")
            .Node("Add", ["x", "r"], ["y"], "residual")
            .Output("y");
        var add = TestImport.Single<AddNode>(model);
        Assert.Equal(["x", "r"], add.Inputs);
        Assert.True(add.Clamp.IsNone);
    }

    [Fact]
    public void Add_OfAPerChannelConstant_IsAnAddConstantNode_AndOfAnotherConstant_IsUnsupported()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 4).RandomInitializer("c", 4)
            .Node("Add", ["c", "x"], ["y"], "bias_add")
            .Output("y");
        var add = TestImport.Single<AddConstantNode>(model);
        Assert.Equal("x", add.Input);
        Assert.Equal("c", add.Bias.Name);

        var spatial = new OnnxModelBuilder().Input("x", "batch", 4, 3).RandomInitializer("c", 3)
            .Node("Add", ["x", "c"], ["y"], "row_add")
            .Output("y");
        var e = TestImport.Unsupported(spatial, "row_add", "Add");
        Assert.Contains("is not per-channel", e.Message);
    }

    [Theory]
    [InlineData(new[] { 4, 1, 1 })]
    [InlineData(new[] { 1, 4, 1, 1 })]
    [InlineData(new[] { 1 })]
    [InlineData(new int[0])]
    public void Mul_ByAPerChannelOrScalarConstant_IsAMulNode(int[] dims)
    {
        int n = dims.Aggregate(1, (a, b) => a * b);
        var model = new OnnxModelBuilder().Input("x", "batch", 4, 3, 3)
            .Initializer("scale", dims, Enumerable.Range(1, n).Select(i => (float)i).ToArray())
            .Node("Mul", ["scale", "x"], ["y"], "scale_mul")
            .Output("y");
        var mul = TestImport.Single<MulNode>(model);

        Assert.Equal("x", mul.Input);
        Assert.Equal(new TensorShape(dims), mul.Scale.Shape);
        Assert.Equal("scale", mul.Scale.Name);
    }

    [Fact]
    public void Mul_ByANonChannelConstant_IsUnsupported()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 4, 3, 3).RandomInitializer("s", 3, 3)
            .Node("Mul", ["x", "s"], ["y"], "spatial_mul")
            .Output("y");
        var e = TestImport.Unsupported(model, "spatial_mul", "Mul");
        Assert.Contains("not per-channel", e.Message);
    }

    /// <summary>PyTorch 1.13 exports nn.Hardswish at opset 13 as Mul(x, HardSigmoid(x, alpha = 1/6)).</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void HardSigmoidTimesInput_IsFusedIntoHardSwish(bool gateFirst)
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 4, 3, 3)
            .Node("HardSigmoid", ["x"], ["gate"], "hs/HardSigmoid", OnnxAttr.Float("alpha", 1f / 6))
            .Node("Mul", gateFirst ? ["gate", "x"] : ["x", "gate"], ["y"], "hs/Mul")
            .Output("y");
        var graph = TestImport.Import(model);

        var hardSwish = Assert.IsType<HardSwishNode>(Assert.Single(graph.Nodes));
        Assert.Equal(("hs/Mul", "x", "y"), (hardSwish.Name, hardSwish.Input, hardSwish.Output));
    }

    [Fact]
    public void HardSigmoidWithAnotherConsumer_IsNotFused()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 4)
            .Node("HardSigmoid", ["x"], ["gate"], "hsig", OnnxAttr.Float("alpha", 1f / 6))
            .Node("Mul", ["x", "gate"], ["y"], "mul")
            .Output("y").Output("gate");
        var graph = TestImport.Import(model);
        Assert.Single(graph.Nodes.OfType<HardSigmoidNode>());
        Assert.Equal(["x", "gate"], Assert.Single(graph.Nodes.OfType<BroadcastMulNode>()).Inputs);
    }

    [Fact]
    public void HardSigmoidWithOtherCoefficients_IsNotFused()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 4)
            .Node("HardSigmoid", ["x"], ["gate"], "hsig") // ONNX default alpha 0.2
            .Node("Mul", ["x", "gate"], ["y"], "mul")
            .Output("y");
        var graph = TestImport.Import(model);
        Assert.Single(graph.Nodes.OfType<HardSigmoidNode>());
        Assert.Single(graph.Nodes.OfType<BroadcastMulNode>());
    }

    [Fact]
    public void Mul_OfTwoUnrelatedDataTensors_IsABroadcastMul()
    {
        var model = new OnnxModelBuilder().Input("a", "batch", 4).Input("b", "batch", 4)
            .Node("Mul", ["a", "b"], ["y"], "product")
            .Output("y");
        Assert.Equal(["a", "b"], TestImport.Single<BroadcastMulNode>(model).Inputs);
    }

    [Fact]
    public void Mul_OfXAndSigmoidOfX_IsOneSilu()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 4)
            .Node("Sigmoid", ["x"], ["s"], "sigmoid")
            .Node("Mul", ["s", "x"], ["y"], "swish")
            .Output("y");
        var silu = Assert.Single(TestImport.Import(model).Nodes);
        Assert.Equal(("swish", "x"), (Assert.IsType<SiluNode>(silu).Name, silu.Input));
        Assert.Equal(2f * (1f / (1f + MathF.Exp(-2f))), ((SiluNode)silu).Evaluate(2f));
    }

    [Fact]
    public void Sub_and_Div_by_constants_become_Add_of_the_negation_and_Mul_by_the_reciprocal()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 2, 3, 3).Initializer("m", [2, 1, 1], [1f, -2f]).Initializer("d", [2, 1, 1], [4f, 0.5f])
            .Node("Sub", ["x", "m"], ["c"], "centre")
            .Node("Div", ["c", "d"], ["y"], "scale")
            .Output("y");
        var graph = TestImport.Import(model);
        Assert.Equal([-1f, 2f], Assert.IsType<AddConstantNode>(graph.Nodes[0]).Bias.Data);
        Assert.Equal([0.25f, 2f], Assert.IsType<MulNode>(graph.Nodes[1]).Scale.Data);

        var fromConstant = new OnnxModelBuilder().Input("x", "batch", 2, 3, 3).Initializer("m", [1], [1f])
            .Node("Sub", ["m", "x"], ["y"], "flip")
            .Output("y");
        var flip = TestImport.Import(fromConstant);
        Assert.Equal([-1f], Assert.IsType<MulNode>(flip.Nodes[0]).Scale.Data);
        Assert.Equal([1f], Assert.IsType<AddConstantNode>(flip.Nodes[1]).Bias.Data);

        var byData = new OnnxModelBuilder().Input("x", "batch", 2).Input("z", "batch", 2)
            .Node("Div", ["x", "z"], ["y"], "ratio")
            .Output("y");
        Assert.Contains("Div by a data tensor", TestImport.Unsupported(byData, "ratio", "Div").Message);
    }
}
