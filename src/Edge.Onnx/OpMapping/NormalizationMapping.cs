using Edge.Core.Graph.Nodes;

namespace Edge.Onnx.OpMapping;

/// <summary>Inference-mode BatchNormalization → <see cref="BatchNormNode"/>; LRN → <see cref="LrnNode"/>.</summary>
internal static class NormalizationMapping
{
    public static void BatchNormalization(OnnxNode node, ImportContext ctx)
    {
        node.ExpectInputs(5, 5);
        if (node.Attributes.Int("training_mode", 0) != 0) throw node.Unsupported("training_mode = 1 is not supported: export the model in eval mode");
        node.RequireUnusedOutputs(1); // running mean and variance of training mode
        ctx.Emit(new BatchNormNode(node.Name, node.DataInput(0), node.Output,
            scale: node.WeightInput(1, "scale"), bias: node.WeightInput(2, "B"),
            mean: node.WeightInput(3, "input_mean"), variance: node.WeightInput(4, "input_var"),
            epsilon: node.Attributes.Float("epsilon", 1e-5f)), node);
    }

    public static void Lrn(OnnxNode node, ImportContext ctx)
    {
        node.ExpectInputs(1, 1);
        var a = node.Attributes;
        int size = a.Has("size") ? a.SmallInt("size", 0) : throw node.Error("attribute 'size' is required");
        ctx.Emit(new LrnNode(node.Name, node.DataInput(0), node.Output, size,
            a.Float("alpha", 1e-4f), a.Float("beta", 0.75f), a.Float("bias", 1f)), node);
    }
}
