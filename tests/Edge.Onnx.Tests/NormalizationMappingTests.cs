using Edge.Core.Graph.Nodes;
using Edge.Onnx.Proto;
using Edge.Tests.Shared;

namespace Edge.Onnx.Tests;

public class NormalizationMappingTests
{
    private static OnnxModelBuilder BatchNormModel(int opset = 13, string[]? outputs = null, params AttributeProto[] attributes)
        => new OnnxModelBuilder(opset).Input("x", "batch", 3, 4, 4)
            .Initializer("gamma", [3], [1f, 2f, 3f]).Initializer("beta", [3], [0.1f, 0.2f, 0.3f])
            .Initializer("mean", [3], [-1f, 0f, 1f]).Initializer("var", [3], [0.5f, 1f, 2f])
            .Node("BatchNormalization", ["x", "gamma", "beta", "mean", "var"], outputs ?? ["y"], "bn", attributes)
            .Output("y");

    [Fact]
    public void BatchNormalization_MapsItsStatisticsAndEpsilon()
    {
        var bn = TestImport.Single<BatchNormNode>(BatchNormModel(13, null, OnnxAttr.Float("epsilon", 1e-3f), OnnxAttr.Float("momentum", 0.9f)));

        Assert.Equal([1f, 2f, 3f], bn.Scale.Data);
        Assert.Equal([0.1f, 0.2f, 0.3f], bn.Bias.Data);
        Assert.Equal([-1f, 0f, 1f], bn.Mean.Data);
        Assert.Equal([0.5f, 1f, 2f], bn.Variance.Data);
        Assert.Equal(1e-3f, bn.Epsilon);
        Assert.Equal(6, bn.ParameterCount);
    }

    [Fact]
    public void BatchNormalization_DefaultEpsilonIs1e5()
    {
        Assert.Equal(1e-5f, TestImport.Single<BatchNormNode>(BatchNormModel()).Epsilon);
    }

    [Fact]
    public void BatchNormalization_Opset15TrainingModeZero_Maps()
    {
        TestImport.Single<BatchNormNode>(BatchNormModel(15, null, OnnxAttr.Int("training_mode", 0)));
    }

    [Fact]
    public void BatchNormalization_TrainingMode_IsUnsupported()
    {
        var e = TestImport.Unsupported(BatchNormModel(15, ["y", "running_mean", "running_var"], OnnxAttr.Int("training_mode", 1)), "bn", "BatchNormalization");
        Assert.Contains("eval mode", e.Message);
    }

    [Fact]
    public void BatchNormalization_UsedTrainingOutputs_AreUnsupported()
    {
        var model = BatchNormModel(11, ["y", "running_mean"]).Output("running_mean");
        TestImport.Unsupported(model, "bn", "BatchNormalization");
    }

    [Fact]
    public void BatchNormalization_ChannelMismatch_Fails()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 5, 4, 4)
            .RandomInitializer("g", 3).RandomInitializer("b", 3).RandomInitializer("m", 3).Initializer("v", [3], [1f, 1f, 1f])
            .Node("BatchNormalization", ["x", "g", "b", "m", "v"], ["y"], "bn")
            .Output("y");
        var e = TestImport.Fails(model);
        Assert.Contains("node 'bn' (op type 'BatchNormalization'): input has 5 channels", e.Message);
    }

    [Fact]
    public void Lrn_MapsItsAttributesAndDefaults()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 8, 4, 4)
            .Node("LRN", ["x"], ["y"], "lrn1", OnnxAttr.Int("size", 5), OnnxAttr.Float("alpha", 2e-4f), OnnxAttr.Float("beta", 0.5f), OnnxAttr.Float("bias", 2f))
            .Node("LRN", ["y"], ["z"], "lrn2", OnnxAttr.Int("size", 3))
            .Output("z");
        var graph = TestImport.Import(model);
        var lrn = graph.Nodes.OfType<LrnNode>().ToArray();

        Assert.Equal((5, 2e-4f, 0.5f, 2f), (lrn[0].Size, lrn[0].Alpha, lrn[0].Beta, lrn[0].Bias));
        Assert.Equal((3, 1e-4f, 0.75f, 1f), (lrn[1].Size, lrn[1].Alpha, lrn[1].Beta, lrn[1].Bias));
    }

    [Fact]
    public void Lrn_WithoutSize_Fails()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 8, 4, 4).Node("LRN", ["x"], ["y"], "lrn").Output("y");
        Assert.Contains("attribute 'size' is required", TestImport.Fails(model).Message);
    }
}
