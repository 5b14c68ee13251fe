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
    public void Add_OfADataTensorAndAConstant_IsUnsupported()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 4).RandomInitializer("c", 4)
            .Node("Add", ["x", "c"], ["y"], "bias_add")
            .Output("y");
        var e = TestImport.Unsupported(model, "bias_add", "Add");
        Assert.Contains("data tensor and a constant", e.Message);
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
        var e = TestImport.Unsupported(model, "mul", "Mul");
        Assert.Contains("Mul of two data tensors", e.Message);
    }

    [Fact]
    public void HardSigmoidWithOtherCoefficients_IsNotFused()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 4)
            .Node("HardSigmoid", ["x"], ["gate"], "hsig") // ONNX default alpha 0.2
            .Node("Mul", ["x", "gate"], ["y"], "mul")
            .Output("y");
        TestImport.Unsupported(model, "mul", "Mul");
    }

    [Fact]
    public void Mul_OfTwoUnrelatedDataTensors_IsUnsupported()
    {
        var model = new OnnxModelBuilder().Input("a", "batch", 4).Input("b", "batch", 4)
            .Node("Mul", ["a", "b"], ["y"], "product")
            .Output("y");
        var e = TestImport.Unsupported(model, "product", "Mul");
        Assert.Contains("Mul of two data tensors is not supported", e.Message);
    }
}
