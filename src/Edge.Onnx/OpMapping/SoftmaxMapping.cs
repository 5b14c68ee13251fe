using Edge.Core.Graph.Nodes;

namespace Edge.Onnx.OpMapping;

/// <summary>
/// Softmax → <see cref="SoftmaxNode"/> (softmax along one axis, opset-13 semantics). Before opset 13 the default axis
/// is 1 and ONNX flattens the input to 2-D at the axis, normalizing over every dimension from the axis on; that equals
/// the per-axis softmax only when the axis is the last dimension or every dimension after it is 1, which is checked.
/// </summary>
internal static class SoftmaxMapping
{
    public static void Softmax(OnnxNode node, ImportContext ctx)
    {
        node.ExpectInputs(1, 1);
        var x = node.DataInput(0);
        int axis = node.Attributes.SmallInt("axis", ctx.Opset >= 13 ? -1 : 1);
        if (ctx.Opset < 13)
        {
            var shape = ctx.ShapeOf(x);
            int a = axis < 0 ? axis + shape.Rank : axis;
            if (a < 0 || a >= shape.Rank) throw node.Error($"axis {axis} is out of range for the input {shape}");
            for (int i = a + 1; i < shape.Rank; i++)
            {
                if (shape[i] != 1 || ctx.DependsOnBatch(x, i))
                {
                    throw node.Unsupported($"opset-{ctx.Opset} Softmax normalizes over dimensions {a}..{shape.Rank - 1} of {shape} together, " +
                        "which is not a softmax along one axis; re-export with opset 13 or later");
                }
            }
        }
        ctx.Emit(new SoftmaxNode(node.Name, x, node.Output, axis), node);
    }
}
