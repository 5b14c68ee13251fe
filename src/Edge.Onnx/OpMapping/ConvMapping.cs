using Edge.Core.Graph.Nodes;

namespace Edge.Onnx.OpMapping;

/// <summary>ONNX Conv (2-D, constant weight and bias) → <see cref="ConvNode"/>.</summary>
internal static class ConvMapping
{
    public static void Conv(OnnxNode node, ImportContext ctx)
    {
        node.ExpectInputs(2, 3);
        var x = node.DataInput(0);
        var weight = node.WeightInput(1, "weight");
        if (weight.Shape.Rank != 4) throw node.Unsupported($"only 2-D convolutions are supported, the weight '{weight.Name}' is {weight.Shape}");
        var bias = node.OptionalWeightInput(2, "bias");
        int kh = weight.Shape[2], kw = weight.Shape[3];
        if (node.Attributes.SmallInts("kernel_shape") is { } k && !(k.Length == 2 && k[0] == kh && k[1] == kw))
        {
            throw node.Error($"kernel_shape [{string.Join(", ", k)}] disagrees with the weight '{weight.Name}' {weight.Shape}");
        }
        var window = WindowAttributes.Read(node, kh, kw, x, allowCeilMode: false, allowDilations: true);
        ctx.Emit(new ConvNode(node.Name, x, node.Output, weight, bias, window, node.Attributes.SmallInt("group", 1)), node);
    }
}
