using Edge.Core.Graph;
using Edge.Core.Graph.Nodes;
using Edge.Core.Tensors;
using Edge.Tests.Shared;

namespace Edge.Onnx.Tests;

/// <summary>
/// The int64 shape computations PyTorch emits (Shape, Gather, Unsqueeze, Concat, Constant, Slice, …) fold into the
/// constant operand of their consumer; none of them remains in the graph. The batch size from Shape(x)[0] may only
/// become dimension 0 of a Reshape target (as 0, "copy the input's dimension").
/// </summary>
public class ShapeFoldingTests
{
    private static readonly string[] FoldedOps = ["Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Constant", "ConstantOfShape", "Cast", "Slice", "Transpose", "Identity", "Sub", "Div"];

    /// <summary>x [batch, 2, 6, 6] → Conv (4@3×3) → "c" [batch, 4, 4, 4], the tensor the shape chains below read.</summary>
    private static OnnxModelBuilder ConvPrefix(int opset = 13, string batch = "batch")
        => new OnnxModelBuilder(opset).Input("x", batch == "1" ? 1 : batch, 2, 6, 6)
            .RandomInitializer("w", 4, 2, 3, 3)
            .Node("Conv", ["x", "w"], ["c"], "conv");

    private static void AssertNothingLeftToFold(ModelGraph graph)
        => Assert.DoesNotContain(graph.Nodes, n => FoldedOps.Contains(n.OpType));

    /// <summary>x.view(x.size(0), -1) at opset 13: Shape → Gather → Unsqueeze (axes input) → Concat → Reshape.</summary>
    private static OnnxModelBuilder FlattenChain(OnnxModelBuilder prefix, bool axesAsInput)
    {
        prefix.Node("Shape", ["c"], ["shape"], "/Shape")
            .Node("Constant", [], ["zero"], "/Constant", OnnxAttr.Tensor("value", OnnxModelBuilder.Int64Tensor("", [], [0])))
            .Node("Gather", ["shape", "zero"], ["n"], "/Gather", OnnxAttr.Int("axis", 0));
        if (axesAsInput) prefix.Int64Constant("axes", 0).Node("Unsqueeze", ["n", "axes"], ["n1"], "/Unsqueeze");
        else prefix.Node("Unsqueeze", ["n"], ["n1"], "/Unsqueeze", OnnxAttr.Ints("axes", 0));
        return prefix.Int64Constant("minus1", -1)
            .Node("Concat", ["n1", "minus1"], ["target"], "/Concat", OnnxAttr.Int("axis", 0))
            .Node("Reshape", ["c", "target"], ["flat"], "/Reshape")
            .RandomInitializer("fc.weight", 10, 64)
            .Node("Gemm", ["flat", "fc.weight"], ["y"], "fc", OnnxAttr.Int("transB", 1))
            .Output("y");
    }

    [Theory]
    [InlineData(13, true)]
    [InlineData(11, false)]
    public void ViewBatchMinusOne_FoldsToReshapeCopyingTheBatch(int opset, bool axesAsInput)
    {
        var graph = TestImport.Import(FlattenChain(ConvPrefix(opset), axesAsInput));

        Assert.Equal(["Conv", "Reshape", "Gemm"], graph.Nodes.Select(n => n.OpType));
        var reshape = graph.Nodes.OfType<ReshapeNode>().Single();
        Assert.Equal("/Reshape", reshape.Name);
        Assert.Equal([0, -1], reshape.TargetShape);
        Assert.Equal(new TensorShape(7, 64), graph.InferShapes(7)["flat"]);
        Assert.Equal(new TensorShape(7, 10), graph.InferShapes(7)["y"]);
    }

    [Fact]
    public void ViewWithAStaticBatch_FoldsTheBatchAsANumber()
    {
        var graph = TestImport.Import(FlattenChain(ConvPrefix(batch: "1"), axesAsInput: true));
        Assert.Equal([1, -1], graph.Nodes.OfType<ReshapeNode>().Single().TargetShape);
    }

    [Fact]
    public void ViewKeepingLeadingDims_SlicesTheShape()
    {
        // x.view(*x.shape[:2], -1): Shape → Slice [0:2] → Concat with [-1]
        var model = ConvPrefix()
            .Node("Shape", ["c"], ["shape"], "shape")
            .Int64Constant("starts", 0).Int64Constant("ends", 2)
            .Node("Slice", ["shape", "starts", "ends"], ["lead"], "slice")
            .Int64Constant("minus1", -1)
            .Node("Concat", ["lead", "minus1"], ["target"], "concat", OnnxAttr.Int("axis", 0))
            .Node("Reshape", ["c", "target"], ["y"], "reshape")
            .Output("y");
        var graph = TestImport.Import(model);

        AssertNothingLeftToFold(graph);
        Assert.Equal([0, 4, -1], graph.Nodes.OfType<ReshapeNode>().Single().TargetShape);
        Assert.Equal(new TensorShape(3, 4, 16), graph.InferShapes(3)["y"]);
    }

    [Fact]
    public void Opset15ShapeWithStartAndEnd_SlicesTheDimensionsAndKeepsTheBatch()
    {
        var model = ConvPrefix(opset: 15)
            .Node("Shape", ["c"], ["lead"], "shape_lead", OnnxAttr.Int("end", 1))     // [batch]
            .Node("Shape", ["c"], ["tail"], "shape_tail", OnnxAttr.Int("start", -2))  // [4, 4]
            .Int64Constant("minus1", -1)
            .Node("Concat", ["lead", "minus1", "tail"], ["target"], "concat", OnnxAttr.Int("axis", 0))
            .Node("Reshape", ["c", "target"], ["y"], "reshape")
            .Output("y");
        var graph = TestImport.Import(model);

        AssertNothingLeftToFold(graph);
        Assert.Equal([0, -1, 4, 4], graph.Nodes.OfType<ReshapeNode>().Single().TargetShape);
    }

    [Fact]
    public void ReshapeToMoreElementsThanTheInput_Fails()
    {
        var model = ConvPrefix().Int64Initializer("target", 0, 1 << 30, 1 << 30)
            .Node("Reshape", ["c", "target"], ["y"], "reshape")
            .Output("y");
        Assert.Contains("node 'reshape' (op type 'Reshape'): cannot reshape [1, 4, 4, 4]", TestImport.Fails(model).Message);
    }

    [Fact]
    public void SizeArithmetic_MulDivSubCastAndSqueeze_Fold()
    {
        // target = [batch, (h·w)/2 − 0, -1] built from 0-d and 1-d pieces, with casts through int32
        var model = ConvPrefix()
            .Node("Shape", ["c"], ["shape"], "shape")
            .Int64Initializer("i0", 0).Int64Initializer("i2", 2).Int64Initializer("i3", 3)
            .Node("Gather", ["shape", "i0"], ["n"], "gather_n")             // [batch]
            .Node("Gather", ["shape", "i2"], ["h"], "gather_h")             // [4]
            .Node("Gather", ["shape", "i3"], ["wd"], "gather_w")            // [4]
            .Node("Mul", ["h", "wd"], ["hw"], "mul")                         // [16]
            .Node("Cast", ["hw"], ["hw32"], "cast32", OnnxAttr.Int("to", 6))
            .Node("Cast", ["hw32"], ["hw64"], "cast64", OnnxAttr.Int("to", 7))
            .Int64Initializer("two", 2).Int64Initializer("zero", 0)
            .Node("Div", ["hw64", "two"], ["half"], "div")                   // [8]
            .Node("Sub", ["half", "zero"], ["half0"], "sub")
            .Node("Unsqueeze", ["half0", "i0"], ["half2d"], "unsqueeze")     // [[8]]
            .Node("Squeeze", ["half2d", "i0"], ["half1d"], "squeeze")        // [8]
            .Int64Initializer("minus1", -1)
            .Node("Concat", ["n", "half1d", "minus1"], ["target"], "concat", OnnxAttr.Int("axis", 0))
            .Node("Reshape", ["c", "target"], ["y"], "reshape")
            .Output("y");
        var graph = TestImport.Import(model);

        AssertNothingLeftToFold(graph);
        Assert.Equal([0, 8, -1], graph.Nodes.OfType<ReshapeNode>().Single().TargetShape);
        Assert.Equal(new TensorShape(2, 8, 8), graph.InferShapes(2)["y"]);
    }

    [Fact]
    public void PadsReversedBySliceWithNegativeStep_Fold()
    {
        // F.pad's chain reverses and transposes pairs of pads; here a reversal through Slice(step −1) from INT64_MAX.
        var model = new OnnxModelBuilder().Input("x", "batch", 4)
            .Int64Constant("raw", 2, 0, 1, 0)
            .Int64Constant("starts", -1).Int64Constant("ends", long.MinValue + 1).Int64Constant("axes", 0).Int64Constant("steps", -1)
            .Node("Slice", ["raw", "starts", "ends", "axes", "steps"], ["reversed"], "slice")
            .Node("Pad", ["x", "reversed"], ["y"], "pad")
            .Output("y");
        var graph = TestImport.Import(model);

        Assert.Equal([0, 1, 0, 2], Assert.IsType<PadNode>(Assert.Single(graph.Nodes)).Pads);
        Assert.Equal(new TensorShape(5, 7), graph.InferShapes(5)["y"]);
    }

    [Fact]
    public void PadsBuiltLikeFPad_ConstantOfShapeReshapeTransposeCast_Fold()
    {
        // torch 1.13 F.pad(x, (1, 2, 3, 4)) on NCHW: pads [1,2,3,4] + zeros(4) → reshape [-1, 2] → reverse rows →
        // transpose → flatten → cast, giving ONNX pads [0, 0, 3, 1, 0, 0, 4, 2].
        var model = new OnnxModelBuilder().Input("x", "batch", 1, 5, 5)
            .Int64Constant("four", 4).Int64Constant("given", 1, 2, 3, 4)
            .Node("ConstantOfShape", ["four"], ["zeros"], "zeros", OnnxAttr.Tensor("value", OnnxModelBuilder.Int64Tensor("", [1], [0])))
            .Node("Concat", ["given", "zeros"], ["all"], "concat", OnnxAttr.Int("axis", 0))
            .Int64Constant("pairs", -1, 2)
            .Node("Reshape", ["all", "pairs"], ["grid"], "reshape_pairs")
            .Int64Constant("s", -1).Int64Constant("e", long.MinValue + 1).Int64Constant("a", 0).Int64Constant("st", -1)
            .Node("Slice", ["grid", "s", "e", "a", "st"], ["rev"], "reverse")
            .Node("Transpose", ["rev"], ["cols"], "transpose", OnnxAttr.Ints("perm", 1, 0))
            .Int64Constant("flat", -1)
            .Node("Reshape", ["cols", "flat"], ["pads64"], "reshape_flat")
            .Node("Cast", ["pads64"], ["pads"], "cast", OnnxAttr.Int("to", 7))
            .Node("Pad", ["x", "pads"], ["y"], "pad")
            .Output("y");
        var graph = TestImport.Import(model);

        Assert.Equal([0, 0, 3, 1, 0, 0, 4, 2], Assert.IsType<PadNode>(Assert.Single(graph.Nodes)).Pads);
    }

    [Fact]
    public void AHugeConstantOfShape_FailsInsteadOfAllocating()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 4)
            .Int64Constant("shape", 1_000_000, 1_000_000)
            .Node("ConstantOfShape", ["shape"], ["zeros"], "zeros")
            .Node("Add", ["x", "zeros"], ["y"], "add")
            .Output("y");
        Assert.Contains("too large to fold", TestImport.Unsupported(model, "zeros", "ConstantOfShape").Message);
    }

    [Fact]
    public void IdentityOfAnInitializer_FoldsIntoItsConsumer()
    {
        // torch exports a fresh BatchNorm with Identity(bn.weight) → bn.running_var (both all ones).
        var model = new OnnxModelBuilder().Input("x", "batch", 2, 3, 3)
            .Initializer("bn.weight", [2], [1f, 1f]).Initializer("bn.bias", [2], [0f, 0f])
            .Node("Identity", ["bn.weight"], ["bn.running_var"], "id_var")
            .Node("Identity", ["bn.bias"], ["bn.running_mean"], "id_mean")
            .Node("BatchNormalization", ["x", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"], ["y"], "bn")
            .Output("y");
        var bn = Assert.IsType<BatchNormNode>(Assert.Single(TestImport.Import(model).Nodes));
        Assert.Equal([1f, 1f], bn.Variance.Data);
        Assert.Equal("bn.running_var", bn.Variance.Name);
    }

    [Fact]
    public void ConstantValueIntsAndValueFloat_Fold()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 4)
            .Node("Constant", [], ["pads"], "pads", OnnxAttr.Ints("value_ints", 0, 1, 0, 1))
            .Node("Constant", [], ["value"], "value", OnnxAttr.Float("value_float", 9f))
            .Node("Pad", ["x", "pads", "value"], ["y"], "pad")
            .Output("y");
        var pad = TestImport.Single<PadNode>(model);
        Assert.Equal([0, 1, 0, 1], pad.Pads);
        Assert.Equal(9f, pad.Value);
    }

    [Fact]
    public void BatchSizeOutsideDimension0OfAReshape_IsUnsupported()
    {
        var model = ConvPrefix()
            .Node("Shape", ["c"], ["shape"], "shape")
            .Int64Initializer("i0", 0)
            .Node("Gather", ["shape", "i0"], ["n"], "gather")
            .Int64Initializer("minus1", -1)
            .Node("Concat", ["minus1", "n"], ["target"], "concat", OnnxAttr.Int("axis", 0))
            .Node("Reshape", ["c", "target"], ["y"], "batch_last")
            .Output("y");
        var e = TestImport.Unsupported(model, "batch_last", "Reshape");
        Assert.Contains("element 1 of the target shape is the batch size", e.Message);
    }

    [Fact]
    public void ArithmeticOnTheBatchSize_IsUnsupported()
    {
        var model = ConvPrefix()
            .Node("Shape", ["c"], ["shape"], "shape")
            .Int64Initializer("i0", 0)
            .Node("Gather", ["shape", "i0"], ["n"], "gather")
            .Int64Initializer("two", 2)
            .Node("Mul", ["n", "two"], ["n2"], "double_batch")
            .Node("Reshape", ["c", "n2"], ["y"], "reshape")
            .Output("y");
        var e = TestImport.Unsupported(model, "double_batch", "Mul");
        Assert.Contains("batch size", e.Message);
    }

    [Fact]
    public void ShapeOfATensorWhoseBatchWasFlattenedAway_IsUnsupported()
    {
        var model = ConvPrefix()
            .Int64Initializer("all", -1)
            .Node("Reshape", ["c", "all"], ["flat"], "flatten_all")
            .Node("Shape", ["flat"], ["shape"], "shape_of_flat")
            .Node("Reshape", ["c", "shape"], ["y"], "reshape")
            .Output("y");
        var e = TestImport.Unsupported(model, "shape_of_flat", "Shape");
        Assert.Contains("changes with the batch size", e.Message);
    }

    [Fact]
    public void ShapeOpOnADataTensorOnly_GatherOnData_IsUnsupported()
    {
        var model = ConvPrefix()
            .Int64Initializer("i0", 0)
            .Node("Gather", ["c", "i0"], ["y"], "gather_data", OnnxAttr.Int("axis", 1))
            .Output("y");
        var e = TestImport.Unsupported(model, "gather_data", "Gather");
        Assert.Contains("only in shape computations on constants", e.Message);
    }

    [Fact]
    public void AConstantGraphOutput_Fails()
    {
        var model = ConvPrefix().Output("c").Node("Shape", ["c"], ["shape"], "shape").Output("shape");
        var e = TestImport.Fails(model);
        Assert.Contains("graph output 'shape' is a constant", e.Message);
    }
}
