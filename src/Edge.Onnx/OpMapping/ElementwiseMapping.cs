using Edge.Core.Graph.Nodes;
using Edge.Core.Tensors;
using Edge.Onnx.ShapeFolding;

namespace Edge.Onnx.OpMapping;

/// <summary>
/// Add, Mul, Sub and Div. Two data tensors: Add is a residual <see cref="AddNode"/>; Mul is the HardSwish that PyTorch
/// exports before opset 14, <c>Mul(x, HardSigmoid(x, alpha = 1/6, beta = 1/2))</c>, fused into one
/// <see cref="HardSwishNode"/>, or SiLU <c>Mul(x, Sigmoid(x))</c> fused into one <see cref="SiluNode"/>, or else a
/// <see cref="BroadcastMulNode"/> (the squeeze-excitation gate). A data tensor and a per-channel (or scalar) constant:
/// Mul is a <see cref="MulNode"/>, Div a Mul by the reciprocal, Add an <see cref="AddConstantNode"/>, Sub an Add of the
/// negated constant. Two constants: folded.
/// </summary>
internal static class ElementwiseMapping
{
    public static void Add(OnnxNode node, ImportContext ctx)
    {
        node.ExpectInputs(2, 2);
        if (node.AllInputsConstant)
        {
            ElementArithmetic.Binary(node, ctx);
            return;
        }
        if (node.IsConstantInput(0) || node.IsConstantInput(1))
        {
            int k = node.IsConstantInput(0) ? 0 : 1;
            AddConstant(node, ctx, node.DataInput(1 - k), node.WeightInput(k, "bias"), node.Output);
            return;
        }
        ctx.Emit(new AddNode(node.Name, node.DataInput(0, "A"), node.DataInput(1, "B"), node.Output), node);
    }

    public static void Mul(OnnxNode node, ImportContext ctx)
    {
        node.ExpectInputs(2, 2);
        if (node.AllInputsConstant)
        {
            ElementArithmetic.Binary(node, ctx);
            return;
        }
        if (node.IsConstantInput(0) || node.IsConstantInput(1))
        {
            int k = node.IsConstantInput(0) ? 0 : 1;
            MulByConstant(node, ctx, node.DataInput(1 - k), node.WeightInput(k, "scale"));
            return;
        }
        string a = node.DataInput(0, "A"), b = node.DataInput(1, "B");
        if (TryFuseHardSwish(node, ctx, a, b) || TryFuseHardSwish(node, ctx, b, a)) return;
        if (TryFuseSilu(node, ctx, a, b) || TryFuseSilu(node, ctx, b, a)) return;
        ctx.Emit(new BroadcastMulNode(node.Name, a, b, node.Output), node);
    }

    /// <summary>Sub: constants fold; <c>x − c</c> is an <see cref="AddConstantNode"/> of −c; <c>c − x</c> is −1·x + c.</summary>
    public static void Sub(OnnxNode node, ImportContext ctx)
    {
        node.ExpectInputs(2, 2);
        if (node.AllInputsConstant)
        {
            ElementArithmetic.Binary(node, ctx);
            return;
        }
        if (node.IsConstantInput(1))
        {
            var c = node.WeightInput(1, "B");
            AddConstant(node, ctx, node.DataInput(0, "A"), new ConstantTensor(c.Name, c.Shape, c.Data.Select(v => -v).ToArray()), node.Output);
            return;
        }
        if (node.IsConstantInput(0))
        {
            string x = node.DataInput(1, "B"), negated = node.Output + "/negated";
            ctx.Emit(new MulNode(node.Name + "/negate", x, negated, new ConstantTensor(node.Name + "/minus_one", new TensorShape(1), [-1f])), node);
            AddConstant(node, ctx, negated, node.WeightInput(0, "A"), node.Output);
            return;
        }
        throw node.Unsupported("Sub of two data tensors is not supported (only Sub of a constant, or from a constant)");
    }

    /// <summary>Div: constants fold; <c>x / c</c> is a Mul by 1/c (per channel or scalar); other divisions are not supported.</summary>
    public static void Div(OnnxNode node, ImportContext ctx)
    {
        node.ExpectInputs(2, 2);
        if (node.AllInputsConstant)
        {
            ElementArithmetic.Binary(node, ctx);
            return;
        }
        if (!node.IsConstantInput(1)) throw node.Unsupported("Div by a data tensor is not supported (only Div by a constant)");
        var c = node.WeightInput(1, "B");
        int zero = Array.FindIndex(c.Data, v => v == 0f);
        if (zero >= 0) throw node.Error($"divisor '{c.Name}' is 0 at index {zero}");
        MulByConstant(node, ctx, node.DataInput(0, "A"), new ConstantTensor(c.Name + "/reciprocal", c.Shape, c.Data.Select(v => 1f / v).ToArray()));
    }

    private static void AddConstant(OnnxNode node, ImportContext ctx, string x, ConstantTensor bias, string output)
    {
        var shape = ctx.ShapeOf(x);
        if (!IsPerChannel(shape, bias.Shape))
            throw node.Unsupported($"{node.OpType} of the constant '{bias.Name}' {bias.Shape} is not per-channel for the input {shape}");
        ctx.Emit(new AddConstantNode(node.Name, x, output, bias), node);
    }

    /// <summary><c>x · sigmoid(x)</c>, SiLU/Swish as PyTorch exports it, fused into one <see cref="SiluNode"/>.</summary>
    private static bool TryFuseSilu(OnnxNode node, ImportContext ctx, string x, string gate)
    {
        if (ctx.ProducerOf(gate) is not SigmoidNode sigmoid || sigmoid.Input != x || ctx.ConsumerCount(gate) != 1) return false;
        ctx.Remove(sigmoid);
        ctx.Emit(new SiluNode(node.Name, x, node.Output), node);
        return true;
    }

    /// <summary>True when a constant of shape <paramref name="c"/> is a scalar or one value per channel (dimension 1) of <paramref name="shape"/>.</summary>
    private static bool IsPerChannel(TensorShape shape, TensorShape c)
    {
        int offset = shape.Rank - c.Rank;
        bool perChannel = offset >= 0;
        for (int i = 0; i < c.Rank && perChannel; i++)
        {
            perChannel = c[i] == 1 || (i + offset == 1 && c[i] == shape[1]);
        }
        return perChannel;
    }

    /// <summary>The constant must be a scalar or hold one value per channel (dimension 1 of the input).</summary>
    private static void MulByConstant(OnnxNode node, ImportContext ctx, string x, ConstantTensor scale)
    {
        var shape = ctx.ShapeOf(x);
        if (!IsPerChannel(shape, scale.Shape)) throw node.Unsupported($"Mul by the constant '{scale.Name}' {scale.Shape} is not per-channel for the input {shape}");
        ctx.Emit(new MulNode(node.Name, x, node.Output, scale), node);
    }

    private static bool TryFuseHardSwish(OnnxNode node, ImportContext ctx, string x, string gate)
    {
        if (ctx.ProducerOf(gate) is not HardSigmoidNode hs || hs.Input != x) return false;
        if (MathF.Abs(hs.Alpha - 1f / 6f) > 1e-6f || MathF.Abs(hs.Beta - 0.5f) > 1e-6f) return false;
        if (ctx.ConsumerCount(gate) != 1) return false;
        ctx.Remove(hs);
        ctx.Emit(new HardSwishNode(node.Name, x, node.Output), node);
        return true;
    }
}
