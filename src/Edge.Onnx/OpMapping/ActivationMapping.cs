using Edge.Core.Graph;
using Edge.Core.Graph.Nodes;

namespace Edge.Onnx.OpMapping;

/// <summary>The element-wise activations: Relu, Clip, LeakyRelu, Sigmoid, Tanh, Elu, HardSigmoid, HardSwish.</summary>
internal static class ActivationMapping
{
    public static void Relu(OnnxNode node, ImportContext ctx) => Unary(node, ctx, (x, y) => new ReluNode(node.Name, x, y));
    public static void Sigmoid(OnnxNode node, ImportContext ctx) => Unary(node, ctx, (x, y) => new SigmoidNode(node.Name, x, y));
    public static void Tanh(OnnxNode node, ImportContext ctx) => Unary(node, ctx, (x, y) => new TanhNode(node.Name, x, y));
    public static void HardSwish(OnnxNode node, ImportContext ctx) => Unary(node, ctx, (x, y) => new HardSwishNode(node.Name, x, y));

    public static void LeakyRelu(OnnxNode node, ImportContext ctx)
        => Unary(node, ctx, (x, y) => new LeakyReluNode(node.Name, x, y, node.Attributes.Float("alpha", 0.01f)));

    public static void Elu(OnnxNode node, ImportContext ctx)
        => Unary(node, ctx, (x, y) => new EluNode(node.Name, x, y, node.Attributes.Float("alpha", 1f)));

    public static void HardSigmoid(OnnxNode node, ImportContext ctx)
        => Unary(node, ctx, (x, y) => new HardSigmoidNode(node.Name, x, y, node.Attributes.Float("alpha", 0.2f), node.Attributes.Float("beta", 0.5f)));

    /// <summary>Clip (opset ≥ 11): min and max are optional constant inputs; an omitted bound is unbounded.</summary>
    public static void Clip(OnnxNode node, ImportContext ctx)
    {
        node.ExpectInputs(1, 3);
        float min = node.ScalarInput(1, "min", float.NegativeInfinity);
        float max = node.ScalarInput(2, "max", float.PositiveInfinity);
        ctx.Emit(new ClipNode(node.Name, node.DataInput(0), node.Output, min, max), node);
    }

    private static void Unary(OnnxNode node, ImportContext ctx, Func<string, string, Node> make)
    {
        node.ExpectInputs(1, 1);
        ctx.Emit(make(node.DataInput(0), node.Output), node);
    }
}
