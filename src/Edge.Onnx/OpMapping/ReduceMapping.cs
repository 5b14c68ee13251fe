using Edge.Core.Graph.Nodes;

namespace Edge.Onnx.OpMapping;

/// <summary>
/// ReduceMean and ReduceMax over the spatial axes of an NCHW tensor (<c>x.mean([2, 3])</c>, how MnasNet and ShuffleNet
/// pool) become a global pool — followed by a Flatten when keepdims is 0 — and GlobalMaxPool.
/// </summary>
internal static class ReduceMapping
{
    public static void ReduceMean(OnnxNode node, ImportContext ctx)
        => SpatialReduce(node, ctx, (x, y) => new GlobalAveragePoolNode(node.Name, x, y));

    public static void ReduceMax(OnnxNode node, ImportContext ctx)
        => SpatialReduce(node, ctx, (x, y) => new GlobalMaxPoolNode(node.Name, x, y));

    public static void GlobalMaxPool(OnnxNode node, ImportContext ctx)
    {
        node.ExpectInputs(1, 1);
        ctx.Emit(new GlobalMaxPoolNode(node.Name, node.DataInput(0), node.Output), node);
    }

    /// <summary>Axes (an attribute in opsets 11–17) must be exactly H and W of a rank-4 input.</summary>
    private static void SpatialReduce(OnnxNode node, ImportContext ctx, Func<string, string, Core.Graph.Node> pool)
    {
        node.ExpectInputs(1, 1);
        var x = node.DataInput(0);
        var shape = ctx.ShapeOf(x);
        var axes = node.Attributes.Ints("axes");
        var resolved = axes?.Select(a => a < 0 ? a + shape.Rank : a).Order().ToArray();
        if (shape.Rank != 4 || resolved is null || !resolved.SequenceEqual([2L, 3L]))
        {
            string given = axes is null ? "all axes" : $"axes [{string.Join(", ", axes)}]";
            throw node.Unsupported($"{node.OpType} over {given} of {shape} is not supported (only over H and W, axes [2, 3], of an NCHW tensor)");
        }
        bool keep = node.Attributes.Int("keepdims", 1) != 0;
        if (keep)
        {
            ctx.Emit(pool(x, node.Output), node);
            return;
        }
        string pooled = node.Output + "/pooled";
        ctx.Emit(pool(x, pooled), node);
        ctx.Emit(new FlattenNode(node.Name + "/flatten", pooled, node.Output, 1), node);
    }
}
