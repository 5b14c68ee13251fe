using Edge.Core.Graph.Nodes;
using Edge.Core.Shapes;
using Edge.Core.Tensors;
using Edge.Onnx.Proto;
using Edge.Tests.Shared;

namespace Edge.Onnx.Tests;

public class ConvAndPoolMappingTests
{
    /// <summary>x [batch, 4, 8, 8] → Conv 'conv' with a [6, 4/group, 3, 3] weight and a bias → y.</summary>
    private static OnnxModelBuilder ConvModel(int group = 1, params AttributeProto[] attributes)
        => new OnnxModelBuilder().Input("x", "batch", 4, 8, 8)
            .RandomInitializer("w", 6, 4 / group, 3, 3).RandomInitializer("b", 6)
            .Node("Conv", ["x", "w", "b"], ["y"], "conv", [OnnxAttr.Int("group", group), .. attributes])
            .Output("y");

    private static OnnxModelBuilder PoolModel(string op, params AttributeProto[] attributes)
        => new OnnxModelBuilder().Input("x", "batch", 3, 9, 9).Node(op, ["x"], ["y"], "pool", attributes).Output("y");

    [Fact]
    public void Conv_MapsStridesDilationsGroupsAndAsymmetricPads()
    {
        var model = ConvModel(2,
            OnnxAttr.Ints("kernel_shape", 3, 3), OnnxAttr.Ints("strides", 2, 1), OnnxAttr.Ints("dilations", 1, 2),
            OnnxAttr.Ints("pads", 1, 2, 3, 4));
        var conv = TestImport.Single<ConvNode>(model);

        Assert.Equal(new Window2d(3, 3, StrideH: 2, StrideW: 1, PadTop: 1, PadLeft: 2, PadBottom: 3, PadRight: 4, DilationH: 1, DilationW: 2), conv.Window);
        Assert.Equal(2, conv.Group);
        Assert.Equal(new TensorShape(6, 2, 3, 3), conv.Weight.Shape);
        Assert.Equal("w", conv.Weight.Name);
        Assert.Equal("b", conv.Bias!.Name);
        Assert.Equal(("x", "y"), (conv.Input, conv.Output));
        // H: (8 + 1 + 3 − 3) / 2 + 1 = 5; W: (8 + 2 + 4 − 5) / 1 + 1 = 10
        Assert.Equal(new TensorShape(1, 6, 5, 10), TestImport.Import(model).InferShapes(1)["y"]);
    }

    [Fact]
    public void Conv_CopiesWeightValuesFromTypedFloatData()
    {
        var model = new OnnxModelBuilder { UseRawData = false }.Input("x", "batch", 1, 4, 4)
            .Initializer("w", [2, 1, 1, 1], [0.5f, -2f])
            .Node("Conv", ["x", "w"], ["y"], "conv")
            .Output("y");
        var conv = TestImport.Single<ConvNode>(model);

        Assert.Equal([0.5f, -2f], conv.Weight.Data);
        Assert.Null(conv.Bias);
        Assert.Equal(new Window2d(1, 1), conv.Window);
    }

    [Fact]
    public void Conv_KernelShapeThatDisagreesWithTheWeight_Fails()
    {
        var e = TestImport.Fails(ConvModel(1, OnnxAttr.Ints("kernel_shape", 5, 5)));
        Assert.Contains("node 'conv' (op type 'Conv')", e.Message);
        Assert.Contains("kernel_shape [5, 5]", e.Message);
    }

    [Theory]
    [InlineData("SAME_UPPER", 0, 1)] // input 8, stride 2 → output 4; padding (4 − 1)·2 + 3 − 8 = 1, the odd one at the end
    [InlineData("SAME_LOWER", 1, 0)]
    public void Conv_AutoPadSame_IsComputedFromTheStaticInputSize(string autoPad, int begin, int end)
    {
        var model = ConvModel(1, OnnxAttr.String("auto_pad", autoPad), OnnxAttr.Ints("strides", 2, 2));
        var conv = TestImport.Single<ConvNode>(model);

        Assert.Equal((begin, begin, end, end), (conv.Window.PadTop, conv.Window.PadLeft, conv.Window.PadBottom, conv.Window.PadRight));
        Assert.Equal(new TensorShape(1, 6, 4, 4), TestImport.Import(model).InferShapes(1)["y"]);
    }

    [Fact]
    public void Conv_AutoPadSameUpper_WithStride1KeepsTheSize()
    {
        var model = ConvModel(1, OnnxAttr.String("auto_pad", "SAME_UPPER"));
        Assert.Equal(new TensorShape(1, 6, 8, 8), TestImport.Import(model).InferShapes(1)["y"]);
        Assert.Equal(new Window2d(3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1), TestImport.Single<ConvNode>(model).Window);
    }

    [Fact]
    public void Conv_AutoPadValid_MeansNoPadding()
    {
        var conv = TestImport.Single<ConvNode>(ConvModel(1, OnnxAttr.String("auto_pad", "VALID")));
        Assert.Equal(new Window2d(3, 3), conv.Window);
    }

    [Fact]
    public void Conv_UnknownAutoPad_Fails()
    {
        var e = TestImport.Fails(ConvModel(1, OnnxAttr.String("auto_pad", "SAME")));
        Assert.Contains("auto_pad 'SAME'", e.Message);
    }

    [Fact]
    public void Conv1d_IsUnsupported()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 2, 16)
            .RandomInitializer("w", 4, 2, 3)
            .Node("Conv", ["x", "w"], ["y"], "conv1d")
            .Output("y");
        var e = TestImport.Unsupported(model, "conv1d", "Conv");
        Assert.Contains("only 2-D convolutions", e.Message);
    }

    [Fact]
    public void Conv_WithAComputedWeight_IsUnsupported()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 1, 4, 4).Input("w", 1, 1, 3, 3)
            .Node("Conv", ["x", "w"], ["y"], "conv")
            .Output("y");
        var e = TestImport.Unsupported(model, "conv", "Conv");
        Assert.Contains("weight 'w' must be a constant", e.Message);
    }

    [Fact]
    public void Conv_GroupThatDoesNotMatchTheChannels_FailsWhileImporting()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 4, 8, 8)
            .RandomInitializer("w", 6, 3, 3, 3)
            .Node("Conv", ["x", "w"], ["y"], "conv")
            .Output("y");
        var e = TestImport.Fails(model);
        Assert.Contains("node 'conv' (op type 'Conv'): input has 4 channels", e.Message);
    }

    [Fact]
    public void MaxPool_MapsKernelStridesPadsDilationsAndCeilMode()
    {
        var model = PoolModel("MaxPool", OnnxAttr.Ints("kernel_shape", 3, 2), OnnxAttr.Ints("strides", 2, 2),
            OnnxAttr.Ints("pads", 1, 0, 1, 1), OnnxAttr.Ints("dilations", 1, 2), OnnxAttr.Int("ceil_mode", 1));
        var pool = TestImport.Single<MaxPoolNode>(model);

        Assert.Equal(new Window2d(3, 2, 2, 2, PadTop: 1, PadLeft: 0, PadBottom: 1, PadRight: 1, DilationH: 1, DilationW: 2, CeilMode: true), pool.Window);
    }

    [Fact]
    public void MaxPool_CeilMode_RoundsTheOutputUp()
    {
        var floor = PoolModel("MaxPool", OnnxAttr.Ints("kernel_shape", 2, 2), OnnxAttr.Ints("strides", 2, 2));
        var ceil = PoolModel("MaxPool", OnnxAttr.Ints("kernel_shape", 2, 2), OnnxAttr.Ints("strides", 2, 2), OnnxAttr.Int("ceil_mode", 1));

        Assert.Equal(new TensorShape(1, 3, 4, 4), TestImport.Import(floor).InferShapes(1)["y"]);
        Assert.Equal(new TensorShape(1, 3, 5, 5), TestImport.Import(ceil).InferShapes(1)["y"]);
    }

    [Fact]
    public void MaxPool_UnusedIndicesOutput_IsDropped()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 3, 8, 8)
            .Node("MaxPool", ["x"], ["y", "indices"], "pool", OnnxAttr.Ints("kernel_shape", 2, 2))
            .Output("y");
        Assert.Equal(["y"], TestImport.Single<MaxPoolNode>(model).Outputs);
    }

    [Fact]
    public void MaxPool_UsedIndicesOutput_IsUnsupported()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 3, 8, 8)
            .Node("MaxPool", ["x"], ["y", "indices"], "pool", OnnxAttr.Ints("kernel_shape", 2, 2))
            .Output("y").Output("indices");
        var e = TestImport.Unsupported(model, "pool", "MaxPool");
        Assert.Contains("output 1 ('indices') is used", e.Message);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    public void AveragePool_MapsCountIncludePad(int attribute, bool expected)
    {
        var model = PoolModel("AveragePool", OnnxAttr.Ints("kernel_shape", 3, 3), OnnxAttr.Ints("pads", 1, 1, 1, 1),
            OnnxAttr.Int("count_include_pad", attribute));
        var pool = TestImport.Single<AveragePoolNode>(model);

        Assert.Equal(expected, pool.CountIncludePad);
        Assert.Equal(new Window2d(3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1), pool.Window);
    }

    [Fact]
    public void AveragePool_DefaultsToExcludingPadding()
    {
        Assert.False(TestImport.Single<AveragePoolNode>(PoolModel("AveragePool", OnnxAttr.Ints("kernel_shape", 2, 2))).CountIncludePad);
    }

    [Fact]
    public void Pool_WithoutKernelShape_Fails()
    {
        var e = TestImport.Fails(PoolModel("MaxPool"));
        Assert.Contains("attribute 'kernel_shape' is required", e.Message);
    }

    [Fact]
    public void Pool3d_IsUnsupported()
    {
        var e = TestImport.Unsupported(PoolModel("AveragePool", OnnxAttr.Ints("kernel_shape", 3, 1, 1)), "pool", "AveragePool");
        Assert.Contains("only 2-D pooling", e.Message);
    }

    [Fact]
    public void GlobalAveragePool_Maps()
    {
        var model = PoolModel("GlobalAveragePool");
        TestImport.Single<GlobalAveragePoolNode>(model);
        Assert.Equal(new TensorShape(2, 3, 1, 1), TestImport.Import(model).InferShapes(2)["y"]);
    }
}
