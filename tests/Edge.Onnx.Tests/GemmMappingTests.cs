using Edge.Core.Graph.Nodes;
using Edge.Core.Tensors;
using Edge.Onnx.Proto;
using Edge.Tests.Shared;

namespace Edge.Onnx.Tests;

/// <summary>Gemm and MatMul normalize to GemmNode with W [out, in]: y = x·Wᵀ + b.</summary>
public class GemmMappingTests
{
    // B as PyTorch's Linear stores it, [out = 2, in = 3].
    private static readonly float[] OutIn = [1, 2, 3, 4, 5, 6];
    // The same matrix transposed, [in = 3, out = 2].
    private static readonly float[] InOut = [1, 4, 2, 5, 3, 6];

    private static OnnxModelBuilder GemmModel(int[] bDims, float[] b, int[]? cDims, float[]? c, params AttributeProto[] attributes)
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 3).Initializer("B", bDims, b);
        if (c is not null) model.Initializer("C", cDims!, c);
        return model.Node("Gemm", c is null ? ["x", "B"] : ["x", "B", "C"], ["y"], "fc", attributes).Output("y");
    }

    [Fact]
    public void Gemm_TransB1_KeepsTheWeight()
    {
        var gemm = TestImport.Single<GemmNode>(GemmModel([2, 3], OutIn, [2], [0.5f, -1f], OnnxAttr.Int("transB", 1)));

        Assert.Equal(new TensorShape(2, 3), gemm.Weight.Shape);
        Assert.Equal(OutIn, gemm.Weight.Data);
        Assert.Equal([0.5f, -1f], gemm.Bias!.Data);
    }

    [Fact]
    public void Gemm_TransB0_TransposesTheWeight()
    {
        var gemm = TestImport.Single<GemmNode>(GemmModel([3, 2], InOut, [2], [0.5f, -1f]));

        Assert.Equal(new TensorShape(2, 3), gemm.Weight.Shape);
        Assert.Equal(OutIn, gemm.Weight.Data);
        Assert.Equal("B", gemm.Weight.Name);
    }

    [Fact]
    public void Gemm_AlphaAndBeta_AreFoldedIntoWeightAndBias()
    {
        var gemm = TestImport.Single<GemmNode>(GemmModel([2, 3], OutIn, [1, 2], [0.5f, -1f],
            OnnxAttr.Int("transB", 1), OnnxAttr.Float("alpha", 2f), OnnxAttr.Float("beta", 3f)));

        Assert.Equal(OutIn.Select(v => 2 * v), gemm.Weight.Data);
        Assert.Equal([1.5f, -3f], gemm.Bias!.Data);
        Assert.Equal(new TensorShape(2), gemm.Bias.Shape);
    }

    [Fact]
    public void Gemm_BetaZero_DropsTheBias()
    {
        Assert.Null(TestImport.Single<GemmNode>(GemmModel([2, 3], OutIn, [2], [1f, 1f], OnnxAttr.Int("transB", 1), OnnxAttr.Float("beta", 0f))).Bias);
    }

    [Fact]
    public void Gemm_ScalarC_IsBroadcastToEveryOutput()
    {
        var gemm = TestImport.Single<GemmNode>(GemmModel([2, 3], OutIn, [1], [0.25f], OnnxAttr.Int("transB", 1)));
        Assert.Equal([0.25f, 0.25f], gemm.Bias!.Data);
    }

    [Fact]
    public void Gemm_WithoutC_HasNoBias()
    {
        var model = GemmModel([2, 3], OutIn, null, null, OnnxAttr.Int("transB", 1));
        Assert.Null(TestImport.Single<GemmNode>(model).Bias);
        Assert.Equal(new TensorShape(5, 2), TestImport.Import(model).InferShapes(5)["y"]);
    }

    [Fact]
    public void Gemm_PerRowC_IsUnsupported()
    {
        var e = TestImport.Unsupported(GemmModel([2, 3], OutIn, [3, 2], new float[6], OnnxAttr.Int("transB", 1)), "fc", "Gemm");
        Assert.Contains("C 'C' [3, 2]", e.Message);
    }

    [Fact]
    public void Gemm_TransA_IsUnsupported()
    {
        var e = TestImport.Unsupported(GemmModel([2, 3], OutIn, null, null, OnnxAttr.Int("transA", 1)), "fc", "Gemm");
        Assert.Contains("transA", e.Message);
    }

    [Fact]
    public void Gemm_InnerDimensionMismatch_Fails()
    {
        var e = TestImport.Fails(GemmModel([2, 4], new float[8], null, null, OnnxAttr.Int("transB", 1)));
        Assert.Contains("node 'fc' (op type 'Gemm'): input has 3 features", e.Message);
    }

    [Fact]
    public void MatMul_ByAConstant_BecomesAGemmWithTheTransposedWeight()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 3).Initializer("B", [3, 2], InOut)
            .Node("MatMul", ["x", "B"], ["y"], "mm")
            .Output("y");
        var gemm = TestImport.Single<GemmNode>(model);

        Assert.Equal(new TensorShape(2, 3), gemm.Weight.Shape);
        Assert.Equal(OutIn, gemm.Weight.Data);
        Assert.Null(gemm.Bias);
        Assert.Equal("mm", gemm.Name);
    }

    [Fact]
    public void MatMul_WithARank3LeftOperand_IsUnsupported()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 4, 3).Initializer("B", [3, 2], InOut)
            .Node("MatMul", ["x", "B"], ["y"], "mm")
            .Output("y");
        var e = TestImport.Unsupported(model, "mm", "MatMul");
        Assert.Contains("rank-2", e.Message);
    }

    [Fact]
    public void MatMul_OfTwoDataTensors_IsUnsupported()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 3).Input("w", 3, 2)
            .Node("MatMul", ["x", "w"], ["y"], "mm")
            .Output("y");
        var e = TestImport.Unsupported(model, "mm", "MatMul");
        Assert.Contains("constant right operand", e.Message);
    }
}
