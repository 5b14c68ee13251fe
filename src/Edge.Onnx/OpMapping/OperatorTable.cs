using Edge.Onnx.ShapeFolding;

namespace Edge.Onnx.OpMapping;

/// <summary>Maps one ONNX node into the import context: emits IR nodes or adds folded constants.</summary>
internal delegate void OpMapper(OnnxNode node, ImportContext ctx);

/// <summary>
/// Every ONNX operator the importer accepts, by op type. <see cref="Operators"/> become IR nodes (some of them fold
/// when all their inputs are constants); <see cref="FoldedOnly"/> exist only in shape computations on constants and
/// never reach the IR.
/// </summary>
internal static class OperatorTable
{
    public static readonly IReadOnlyDictionary<string, OpMapper> Operators = new Dictionary<string, OpMapper>
    {
        ["Conv"] = ConvMapping.Conv,
        ["Gemm"] = GemmMapping.Gemm,
        ["MatMul"] = GemmMapping.MatMul,
        ["BatchNormalization"] = NormalizationMapping.BatchNormalization,
        ["LRN"] = NormalizationMapping.Lrn,
        ["Relu"] = ActivationMapping.Relu,
        ["Clip"] = ActivationMapping.Clip,
        ["LeakyRelu"] = ActivationMapping.LeakyRelu,
        ["Sigmoid"] = ActivationMapping.Sigmoid,
        ["Tanh"] = ActivationMapping.Tanh,
        ["Elu"] = ActivationMapping.Elu,
        ["HardSigmoid"] = ActivationMapping.HardSigmoid,
        ["HardSwish"] = ActivationMapping.HardSwish,
        ["MaxPool"] = PoolMapping.MaxPool,
        ["AveragePool"] = PoolMapping.AveragePool,
        ["GlobalAveragePool"] = PoolMapping.GlobalAveragePool,
        ["Flatten"] = ShapeMapping.Flatten,
        ["Reshape"] = ShapeMapping.Reshape,
        ["Concat"] = ShapeMapping.Concat,
        ["Pad"] = ShapeMapping.Pad,
        ["Dropout"] = ShapeMapping.Dropout,
        ["Identity"] = ShapeMapping.Identity,
        ["Softmax"] = SoftmaxMapping.Softmax,
        ["Add"] = ElementwiseMapping.Add,
        ["Mul"] = ElementwiseMapping.Mul,
        ["Sub"] = ElementwiseMapping.Sub,
        ["Div"] = ElementwiseMapping.Div,
        ["Transpose"] = ChannelMoveMapping.Transpose,
        ["Slice"] = ChannelMoveMapping.Slice,
        ["Split"] = ChannelMoveMapping.Split,
        ["ReduceMean"] = ReduceMapping.ReduceMean,
        ["ReduceMax"] = ReduceMapping.ReduceMax,
        ["GlobalMaxPool"] = ReduceMapping.GlobalMaxPool,
        ["Resize"] = ResizeMapping.Resize,
    };

    public static readonly IReadOnlyDictionary<string, OpMapper> FoldedOnly = new Dictionary<string, OpMapper>
    {
        ["Constant"] = ConstantSources.Constant,
        ["ConstantOfShape"] = ConstantSources.ConstantOfShape,
        ["Shape"] = ConstantSources.Shape,
        ["Gather"] = ElementMoves.Gather,
        ["Unsqueeze"] = ElementMoves.Unsqueeze,
        ["Squeeze"] = ElementMoves.Squeeze,
        ["Cast"] = ElementArithmetic.Cast,
    };

    /// <summary>Maps <paramref name="node"/>, or throws <see cref="UnsupportedOperatorException"/> for an unknown op type.</summary>
    public static void Map(OnnxNode node, ImportContext ctx)
    {
        if (Operators.TryGetValue(node.OpType, out var map))
        {
            map(node, ctx);
        }
        else if (FoldedOnly.TryGetValue(node.OpType, out var fold))
        {
            if (node.OpType != "Shape" && node.Inputs.FirstOrDefault(i => i.Length > 0 && ctx.IsData(i)) is { } data)
            {
                throw node.Unsupported($"{node.OpType} is supported only in shape computations on constants, and '{data}' is a data tensor");
            }
            fold(node, ctx);
        }
        else
        {
            throw node.Unsupported($"operator is not supported (supported: {string.Join(", ", Operators.Keys.Order())}; " +
                $"folded in shape computations: {string.Join(", ", FoldedOnly.Keys.Order())})");
        }
    }
}
