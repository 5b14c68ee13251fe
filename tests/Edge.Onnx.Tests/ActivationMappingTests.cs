using Edge.Core.Graph;
using Edge.Core.Graph.Nodes;
using Edge.Onnx.Proto;
using Edge.Tests.Shared;

namespace Edge.Onnx.Tests;

public class ActivationMappingTests
{
    private static Node ImportUnary(string op, params AttributeProto[] attributes)
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 3, 4, 4).Node(op, ["x"], ["y"], "act", attributes).Output("y");
        var node = Assert.Single(TestImport.Import(model).Nodes);
        Assert.Equal(("act", "x", "y"), (node.Name, node.Input, node.Output));
        return node;
    }

    [Fact]
    public void ParameterlessActivations_Map()
    {
        Assert.IsType<ReluNode>(ImportUnary("Relu"));
        Assert.IsType<SigmoidNode>(ImportUnary("Sigmoid"));
        Assert.IsType<TanhNode>(ImportUnary("Tanh"));
    }

    [Fact]
    public void HardSwish_Opset14_Maps()
    {
        var model = new OnnxModelBuilder(opset: 14).Input("x", "batch", 3).Node("HardSwish", ["x"], ["y"], "hs").Output("y");
        TestImport.Single<HardSwishNode>(model);
    }

    [Fact]
    public void LeakyRelu_MapsAlphaAndItsDefault()
    {
        Assert.Equal(0.2f, Assert.IsType<LeakyReluNode>(ImportUnary("LeakyRelu", OnnxAttr.Float("alpha", 0.2f))).Alpha);
        Assert.Equal(0.01f, Assert.IsType<LeakyReluNode>(ImportUnary("LeakyRelu")).Alpha);
    }

    [Fact]
    public void Elu_MapsAlphaAndItsDefault()
    {
        Assert.Equal(0.5f, Assert.IsType<EluNode>(ImportUnary("Elu", OnnxAttr.Float("alpha", 0.5f))).Alpha);
        Assert.Equal(1f, Assert.IsType<EluNode>(ImportUnary("Elu")).Alpha);
    }

    [Fact]
    public void HardSigmoid_MapsAlphaBetaAndTheirDefaults()
    {
        var hs = Assert.IsType<HardSigmoidNode>(ImportUnary("HardSigmoid", OnnxAttr.Float("alpha", 1f / 6), OnnxAttr.Float("beta", 0.25f)));
        Assert.Equal((1f / 6, 0.25f), (hs.Alpha, hs.Beta));
        var defaults = Assert.IsType<HardSigmoidNode>(ImportUnary("HardSigmoid"));
        Assert.Equal((0.2f, 0.5f), (defaults.Alpha, defaults.Beta));
    }

    [Theory]
    [InlineData(11)]
    [InlineData(13)]
    public void Clip_BoundsAreConstantInputs(int opset)
    {
        var model = new OnnxModelBuilder(opset).Input("x", "batch", 3)
            .FloatConstant("lo", 0f).FloatConstant("hi", 6f)
            .Node("Clip", ["x", "lo", "hi"], ["y"], "relu6")
            .Output("y");
        var clip = TestImport.Single<ClipNode>(model);
        Assert.Equal((0f, 6f), (clip.Min, clip.Max));
    }

    [Fact]
    public void Clip_OmittedBoundsAreUnbounded()
    {
        var minOnly = new OnnxModelBuilder().Input("x", "batch", 3).FloatConstant("lo", -1f)
            .Node("Clip", ["x", "lo"], ["y"], "clip").Output("y");
        var maxOnly = new OnnxModelBuilder().Input("x", "batch", 3).Initializer("hi", [], [2f])
            .Node("Clip", ["x", "", "hi"], ["y"], "clip").Output("y");

        Assert.Equal((-1f, float.PositiveInfinity), (TestImport.Single<ClipNode>(minOnly).Min, TestImport.Single<ClipNode>(minOnly).Max));
        Assert.Equal((float.NegativeInfinity, 2f), (TestImport.Single<ClipNode>(maxOnly).Min, TestImport.Single<ClipNode>(maxOnly).Max));
    }

    [Fact]
    public void Clip_WithAComputedBound_IsUnsupported()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 3).Input("lo", 1)
            .Node("Clip", ["x", "lo"], ["y"], "clip").Output("y");
        TestImport.Unsupported(model, "clip", "Clip");
    }

    [Fact]
    public void Softmax_Opset13_DefaultsToTheLastAxis()
    {
        var model = new OnnxModelBuilder(13).Input("x", "batch", 10).Node("Softmax", ["x"], ["y"], "softmax").Output("y");
        Assert.Equal(-1, TestImport.Single<SoftmaxNode>(model).Axis);
    }

    [Fact]
    public void Softmax_Opset13_AnyAxisIsPerAxis()
    {
        var model = new OnnxModelBuilder(13).Input("x", "batch", 10, 4, 4).Node("Softmax", ["x"], ["y"], "softmax", OnnxAttr.Int("axis", 1)).Output("y");
        Assert.Equal(1, TestImport.Single<SoftmaxNode>(model).Axis);
    }

    [Fact]
    public void Softmax_Opset11_DefaultAxis1OnA2dInput_IsPerAxis()
    {
        var model = new OnnxModelBuilder(11).Input("x", "batch", 10).Node("Softmax", ["x"], ["y"], "softmax").Output("y");
        Assert.Equal(1, TestImport.Single<SoftmaxNode>(model).Axis);
    }

    [Fact]
    public void Softmax_Opset11_WhenTrailingDimensionsAreOne_IsPerAxis()
    {
        var model = new OnnxModelBuilder(11).Input("x", "batch", 10, 1, 1).Node("Softmax", ["x"], ["y"], "softmax").Output("y");
        Assert.Equal(1, TestImport.Single<SoftmaxNode>(model).Axis);
    }

    [Fact]
    public void Softmax_Opset11_OverSeveralDimensions_IsUnsupported()
    {
        var model = new OnnxModelBuilder(11).Input("x", "batch", 10, 4, 4).Node("Softmax", ["x"], ["y"], "softmax").Output("y");
        var e = TestImport.Unsupported(model, "softmax", "Softmax");
        Assert.Contains("opset 13", e.Message);
    }
}
