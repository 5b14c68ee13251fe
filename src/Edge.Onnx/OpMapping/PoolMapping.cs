using Edge.Core.Graph.Nodes;

namespace Edge.Onnx.OpMapping;

/// <summary>MaxPool, AveragePool (2-D) and GlobalAveragePool.</summary>
internal static class PoolMapping
{
    public static void MaxPool(OnnxNode node, ImportContext ctx)
    {
        node.ExpectInputs(1, 1);
        node.RequireUnusedOutputs(1); // Indices
        var x = node.DataInput(0);
        var (kh, kw) = WindowAttributes.PoolKernel(node);
        var window = WindowAttributes.Read(node, kh, kw, x, allowCeilMode: true, allowDilations: true);
        ctx.Emit(new MaxPoolNode(node.Name, x, node.Output, window), node);
    }

    public static void AveragePool(OnnxNode node, ImportContext ctx)
    {
        node.ExpectInputs(1, 1);
        var x = node.DataInput(0);
        var (kh, kw) = WindowAttributes.PoolKernel(node);
        var window = WindowAttributes.Read(node, kh, kw, x, allowCeilMode: true, allowDilations: false);
        bool countIncludePad = node.Attributes.Int("count_include_pad", 0) != 0;
        ctx.Emit(new AveragePoolNode(node.Name, x, node.Output, window, countIncludePad), node);
    }

    public static void GlobalAveragePool(OnnxNode node, ImportContext ctx)
    {
        node.ExpectInputs(1, 1);
        ctx.Emit(new GlobalAveragePoolNode(node.Name, node.DataInput(0), node.Output), node);
    }
}
