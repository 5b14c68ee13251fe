using Edge.Core.Graph;
using Edge.Core.Graph.Nodes;
using Edge.Core.Shapes;
using Edge.Core.Tensors;

namespace Edge.Reference.Tests;

/// <summary>Seeded random data and small IR graphs built by hand.</summary>
internal static class TestGraphs
{
    public static float[] Random(int length, int seed, float scale = 1f)
    {
        var rng = new Random(seed);
        var data = new float[length];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return data;
    }

    public static ConstantTensor Constant(string name, int seed, params int[] shape)
    {
        var s = new TensorShape(shape);
        return new ConstantTensor(name, s, Random((int)s.ElementCount, seed));
    }

    public static ConstantTensor Constant(string name, float[] data, params int[] shape) => new(name, new TensorShape(shape), data);

    /// <summary>A graph of one unary node from "x" (shape <paramref name="shape"/>, batch dimension dynamic) to "y".</summary>
    public static ModelGraph Single(Node node, params int[] shape)
        => new(node.OpType, [new TensorInfo("x", new TensorShape(shape).With(0, TensorShape.Dynamic))], ["y"], [node]);

    /// <summary>
    /// A miniature MobileNetV2: stem conv (stride 2) + BatchNorm + ReLU6, an inverted residual block (pointwise expand
    /// with fused ReLU6, depthwise 3×3, pointwise project, residual Add), a strided depthwise block with HardSwish,
    /// global average pooling, flatten, classifier and softmax. Input [?, 3, 16, 16].
    /// </summary>
    public static ModelGraph MiniMobileNet()
    {
        var pad1 = new Window2d(3, 3, 1, 1, 1, 1, 1, 1);
        var s2pad1 = new Window2d(3, 3, 2, 2, 1, 1, 1, 1);
        var nodes = new List<Node>
        {
            new ConvNode("stem", "input", "c0", Constant("stem.w", 1, 8, 3, 3, 3), null, s2pad1),
            new BatchNormNode("stem.bn", "c0", "b0", Constant("bn.g", 2, 8), Constant("bn.b", 3, 8), Constant("bn.m", 4, 8),
                Constant("bn.v", Enumerable.Range(0, 8).Select(i => 0.5f + i * 0.1f).ToArray(), 8), 1e-5f),
            new ClipNode("stem.relu6", "b0", "a0", 0f, 6f),
            new ConvNode("expand", "a0", "e1", Constant("expand.w", 5, 24, 8, 1, 1), Constant("expand.b", 6, 24), new Window2d(1, 1)) { Clamp = FusedClamp.Relu6 },
            new ConvNode("dw", "e1", "d1", Constant("dw.w", 7, 24, 1, 3, 3), Constant("dw.b", 8, 24), pad1, group: 24) { Clamp = FusedClamp.Relu6 },
            new ConvNode("project", "d1", "p1", Constant("project.w", 9, 8, 24, 1, 1), Constant("project.b", 10, 8), new Window2d(1, 1)),
            new AddNode("residual", "a0", "p1", "r1"),
            new ConvNode("dw2", "r1", "d2", Constant("dw2.w", 11, 8, 1, 3, 3), null, s2pad1, group: 8),
            new HardSwishNode("hswish", "d2", "h2"),
            new GlobalAveragePoolNode("gap", "h2", "g"),
            new FlattenNode("flatten", "g", "f"),
            new GemmNode("fc", "f", "logits", Constant("fc.w", 12, 5, 8), Constant("fc.b", 13, 5)),
            new SoftmaxNode("softmax", "logits", "probs", axis: 1),
        };
        return new ModelGraph("mini-mobilenet", [new TensorInfo("input", new TensorShape(TensorShape.Dynamic, 3, 16, 16))], ["probs"], nodes);
    }
}
