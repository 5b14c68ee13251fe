using Edge.Core.Graph.Nodes;
using Edge.Core.Tensors;
using Edge.Onnx.ShapeFolding;

namespace Edge.Onnx.OpMapping;

/// <summary>
/// Add and Mul. Two data tensors: Add is a residual <see cref="AddNode"/>; Mul is accepted only as the HardSwish that
/// PyTorch exports before opset 14, <c>Mul(x, HardSigmoid(x, alpha = 1/6, beta = 1/2))</c>, fused into one
/// <see cref="HardSwishNode"/>. A data tensor and a constant: Mul by a per-channel (or scalar) constant is a
/// <see cref="MulNode"/>; Add is not supported. Two constants: folded.
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
            throw node.Unsupported("Add of a data tensor and a constant is not supported (Add joins two data tensors, as in a residual block)");
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
        if (!TryFuseHardSwish(node, ctx, a, b) && !TryFuseHardSwish(node, ctx, b, a))
        {
            throw node.Unsupported("Mul of two data tensors is not supported (only x·HardSigmoid(x), PyTorch's HardSwish, and Mul by a per-channel constant)");
        }
    }

    /// <summary>The constant must be a scalar or hold one value per channel (dimension 1 of the input).</summary>
    private static void MulByConstant(OnnxNode node, ImportContext ctx, string x, ConstantTensor scale)
    {
        var shape = ctx.ShapeOf(x);
        int offset = shape.Rank - scale.Shape.Rank;
        bool perChannel = offset >= 0;
        for (int i = 0; i < scale.Shape.Rank && perChannel; i++)
        {
            perChannel = scale.Shape[i] == 1 || (i + offset == 1 && scale.Shape[i] == shape[1]);
        }
        if (!perChannel) throw node.Unsupported($"Mul by the constant '{scale.Name}' {scale.Shape} is not per-channel for the input {shape}");
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
