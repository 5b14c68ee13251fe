using Edge.Core.Graph.Nodes;
using Edge.Core.Tensors;
using Edge.Tests.Shared;

namespace Edge.Onnx.Tests;

public class ShapeMappingTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(-1, -1)]
    public void Flatten_MapsItsAxis(int axis, int expected)
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 2, 3, 4).Node("Flatten", ["x"], ["y"], "flat", OnnxAttr.Int("axis", axis)).Output("y");
        Assert.Equal(expected, TestImport.Single<FlattenNode>(model).Axis);
    }

    [Fact]
    public void Flatten_DefaultAxisIs1()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 2, 3, 4).Node("Flatten", ["x"], ["y"], "flat").Output("y");
        Assert.Equal(1, TestImport.Single<FlattenNode>(model).Axis);
        Assert.Equal(new TensorShape(3, 24), TestImport.Import(model).InferShapes(3)["y"]);
    }

    [Fact]
    public void Reshape_WithAnInitializerShape_Maps()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 2, 3, 4).Int64Initializer("shape", -1, 12)
            .Node("Reshape", ["x", "shape"], ["y"], "view")
            .Output("y");
        Assert.Equal([-1, 12], TestImport.Single<ReshapeNode>(model).TargetShape);
        Assert.Equal(new TensorShape(6, 12), TestImport.Import(model).InferShapes(3)["y"]);
    }

    [Fact]
    public void Reshape_WithAComputedShape_IsUnsupported()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 2, 3, 4).Input("s", 2)
            .Node("Reshape", ["x", "s"], ["y"], "view")
            .Output("y");
        Assert.Contains("must be a constant", TestImport.Unsupported(model, "view", "Reshape").Message);
    }

    [Fact]
    public void Concat_OfDataTensors_MapsItsAxis()
    {
        var model = new OnnxModelBuilder().Input("a", "batch", 2, 4, 4).Input("b", "batch", 3, 4, 4)
            .Node("Concat", ["a", "b"], ["y"], "cat", OnnxAttr.Int("axis", 1))
            .Output("y");
        var concat = TestImport.Single<ConcatNode>(model);
        Assert.Equal((1, 2), (concat.Axis, concat.Inputs.Count));
        Assert.Equal(new TensorShape(1, 5, 4, 4), TestImport.Import(model).InferShapes(1)["y"]);
    }

    [Fact]
    public void Concat_OfADataTensorAndAConstant_IsUnsupported()
    {
        var model = new OnnxModelBuilder().Input("a", "batch", 2).RandomInitializer("c", 1, 2)
            .Node("Concat", ["a", "c"], ["y"], "cat", OnnxAttr.Int("axis", 0))
            .Output("y");
        TestImport.Unsupported(model, "cat", "Concat");
    }

    [Theory]
    [InlineData(11)]
    [InlineData(13)]
    public void Pad_PadsAndValueAreInputsInOnnxOrder(int opset)
    {
        var model = new OnnxModelBuilder(opset).Input("x", "batch", 3, 4, 4)
            .Int64Constant("pads", 0, 0, 1, 2, 0, 0, 3, 4)
            .FloatConstant("value", -1.5f)
            .Node("Pad", ["x", "pads", "value"], ["y"], "pad", OnnxAttr.String("mode", "constant"))
            .Output("y");
        var pad = TestImport.Single<PadNode>(model);

        Assert.Equal([0, 0, 1, 2, 0, 0, 3, 4], pad.Pads);
        Assert.Equal(-1.5f, pad.Value);
        Assert.Equal(new TensorShape(1, 3, 8, 10), TestImport.Import(model).InferShapes(1)["y"]);
    }

    [Fact]
    public void Pad_WithoutValue_PadsWithZero()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 3, 4, 4).Int64Initializer("pads", 0, 0, 1, 1, 0, 0, 1, 1)
            .Node("Pad", ["x", "pads", ""], ["y"], "pad")
            .Output("y");
        Assert.Equal(0f, TestImport.Single<PadNode>(model).Value);
    }

    [Theory]
    [InlineData("reflect")]
    [InlineData("edge")]
    public void Pad_InAnotherMode_IsUnsupported(string mode)
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 3, 4, 4).Int64Initializer("pads", 0, 0, 1, 1, 0, 0, 1, 1)
            .Node("Pad", ["x", "pads"], ["y"], "pad", OnnxAttr.String("mode", mode))
            .Output("y");
        var e = TestImport.Unsupported(model, "pad", "Pad");
        Assert.Contains($"mode '{mode}' is not supported", e.Message);
    }

    [Fact]
    public void Pad_WithTheWrongNumberOfPads_Fails()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 3, 4, 4).Int64Initializer("pads", 1, 1, 1, 1)
            .Node("Pad", ["x", "pads"], ["y"], "pad")
            .Output("y");
        Assert.Contains("node 'pad' (op type 'Pad'): pads has 4 values", TestImport.Fails(model).Message);
    }

    [Fact]
    public void Dropout_Opset11_WithUnusedMask_Maps()
    {
        var model = new OnnxModelBuilder(11).Input("x", "batch", 4)
            .Node("Dropout", ["x"], ["y", "mask"], "drop", OnnxAttr.Float("ratio", 0.5f))
            .Output("y");
        var dropout = TestImport.Single<DropoutNode>(model);
        Assert.Equal(["y"], dropout.Outputs);
    }

    [Fact]
    public void Dropout_Opset13_RatioAndTrainingModeInputs_Map()
    {
        var model = new OnnxModelBuilder(13).Input("x", "batch", 4)
            .FloatConstant("ratio", 0.3f)
            .Node("Constant", [], ["training"], "training_mode", OnnxAttr.Tensor("value", new Proto.TensorProto { DataType = (int)Proto.TensorProto.Types.DataType.Bool, Int32Data = { 0 } }))
            .Node("Dropout", ["x", "ratio", "training"], ["y"], "drop")
            .Output("y");
        TestImport.Single<DropoutNode>(model);
    }

    [Fact]
    public void Dropout_InTrainingMode_IsUnsupported()
    {
        var model = new OnnxModelBuilder(13).Input("x", "batch", 4)
            .Node("Constant", [], ["training"], "training_mode", OnnxAttr.Tensor("value", new Proto.TensorProto { DataType = (int)Proto.TensorProto.Types.DataType.Bool, Int32Data = { 1 } }))
            .Node("Dropout", ["x", "", "training"], ["y"], "drop")
            .Output("y");
        Assert.Contains("training_mode", TestImport.Unsupported(model, "drop", "Dropout").Message);
    }

    [Fact]
    public void Dropout_WithAUsedMask_IsUnsupported()
    {
        var model = new OnnxModelBuilder(13).Input("x", "batch", 4)
            .Node("Dropout", ["x"], ["y", "mask"], "drop")
            .Output("y").Output("mask");
        TestImport.Unsupported(model, "drop", "Dropout");
    }

    [Fact]
    public void Identity_OnADataTensor_IsAnIdentityNode()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 4).Node("Identity", ["x"], ["y"], "id").Output("y");
        Assert.Equal("x", TestImport.Single<IdentityNode>(model).Input);
    }
}
