using Edge.Core.Graph.Nodes;
using Edge.Core.Tensors;

namespace Edge.Onnx.OpMapping;

/// <summary>
/// Gemm and MatMul by a constant → <see cref="GemmNode"/>, whose weight is [out, in] (PyTorch's Linear layout).
/// Gemm computes <c>alpha·A·op(B) + beta·C</c>: op(B) is B or Bᵀ by transB, so the weight is B (transB = 1) or Bᵀ,
/// alpha is multiplied into the weight and beta into the bias. transA = 1 is not supported.
/// </summary>
internal static class GemmMapping
{
    public static void Gemm(OnnxNode node, ImportContext ctx)
    {
        node.ExpectInputs(2, 3);
        var a = node.Attributes;
        if (a.Int("transA", 0) != 0) throw node.Unsupported("transA = 1 is not supported (the data input must be [N, K])");
        var x = node.DataInput(0, "A");
        var b = node.WeightInput(1, "B");
        if (b.Shape.Rank != 2) throw node.Error($"B '{b.Name}' must be a matrix, got {b.Shape}");
        bool transB = a.Int("transB", 0) != 0;
        float alpha = a.Float("alpha", 1f), beta = a.Float("beta", 1f);

        var weight = transB ? b.Data : Transpose(b.Data, b.Shape[0], b.Shape[1]);
        int outFeatures = transB ? b.Shape[0] : b.Shape[1], inFeatures = transB ? b.Shape[1] : b.Shape[0];
        if (alpha != 1f) weight = Array.ConvertAll(weight, w => alpha * w);

        ConstantTensor? bias = null;
        if (node.OptionalWeightInput(2, "C") is { } c && beta != 0f)
        {
            bool perFeature = c.Length == outFeatures && c.Shape.Rank >= 1 && c.Shape[c.Shape.Rank - 1] == outFeatures && c.Shape.Rank <= 2;
            if (!perFeature && c.Length != 1) throw node.Unsupported($"C '{c.Name}' {c.Shape} must be a bias of {outFeatures} values or a scalar");
            var values = perFeature ? c.Data : Enumerable.Repeat(c.Data[0], outFeatures).ToArray();
            bias = new ConstantTensor(c.Name, new TensorShape(outFeatures), beta == 1f ? values : Array.ConvertAll(values, v => beta * v));
        }
        ctx.Emit(new GemmNode(node.Name, x, node.Output, new ConstantTensor(b.Name, new TensorShape(outFeatures, inFeatures), weight), bias), node);
    }

    /// <summary>MatMul(X [N, K], B [K, M] constant) is a Gemm without bias whose weight is Bᵀ.</summary>
    public static void MatMul(OnnxNode node, ImportContext ctx)
    {
        node.ExpectInputs(2, 2);
        if (!node.IsConstantInput(1)) throw node.Unsupported("MatMul is supported only with a constant right operand (a fully connected layer)");
        var x = node.DataInput(0, "A");
        var b = node.WeightInput(1, "B");
        if (b.Shape.Rank != 2) throw node.Unsupported($"the constant B '{b.Name}' must be a matrix, got {b.Shape}");
        var xs = ctx.ShapeOf(x);
        if (xs.Rank != 2) throw node.Unsupported($"only a rank-2 [N, K] left operand maps to Gemm, '{x}' is {xs}");
        var weight = new ConstantTensor(b.Name, new TensorShape(b.Shape[1], b.Shape[0]), Transpose(b.Data, b.Shape[0], b.Shape[1]));
        ctx.Emit(new GemmNode(node.Name, x, node.Output, weight, null), node);
    }

    /// <summary>The transpose of a row-major [rows, cols] matrix.</summary>
    private static float[] Transpose(float[] m, int rows, int cols)
    {
        var t = new float[m.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c];
        }
        return t;
    }
}
