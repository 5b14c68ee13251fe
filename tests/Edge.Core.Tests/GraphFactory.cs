using Edge.Core.Graph;
using Edge.Core.Graph.Nodes;
using Edge.Core.Shapes;
using Edge.Core.Tensors;

namespace Edge.Core.Tests;

/// <summary>Small IR graphs built by hand for the tests.</summary>
internal static class GraphFactory
{
    public static ConstantTensor Constant(string name, params int[] shape)
    {
        var t = new TensorShape(shape);
        var data = new float[t.ElementCount];
        var rng = new Random(name.GetHashCode(StringComparison.Ordinal) & 0x7fff);
        for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() - 0.5);
        return new ConstantTensor(name, t, data);
    }

    /// <summary>Classic LeNet-5 (LeCun 1998, as the seeds draw it): 61,706 parameters.</summary>
    public static ModelGraph LeNet5()
    {
        var nodes = new List<Node>
        {
            new ConvNode("conv1", "input", "c1", Constant("conv1.w", 6, 1, 5, 5), Constant("conv1.b", 6), new Window2d(5, 5, PadTop: 2, PadLeft: 2, PadBottom: 2, PadRight: 2)),
            new AveragePoolNode("pool1", "c1", "p1", new Window2d(2, 2, 2, 2), countIncludePad: true),
            new SigmoidNode("sig1", "p1", "s1"),
            new ConvNode("conv2", "s1", "c2", Constant("conv2.w", 16, 6, 5, 5), Constant("conv2.b", 16), new Window2d(5, 5)),
            new AveragePoolNode("pool2", "c2", "p2", new Window2d(2, 2, 2, 2), countIncludePad: true),
            new SigmoidNode("sig2", "p2", "s2"),
            new FlattenNode("flatten", "s2", "f"),
            new GemmNode("fc1", "f", "h1", Constant("fc1.w", 120, 400), Constant("fc1.b", 120)),
            new SigmoidNode("sig3", "h1", "a1"),
            new GemmNode("fc2", "a1", "h2", Constant("fc2.w", 84, 120), Constant("fc2.b", 84)),
            new SigmoidNode("sig4", "h2", "a2"),
            new GemmNode("fc3", "a2", "logits", Constant("fc3.w", 10, 84), Constant("fc3.b", 10)),
        };
        return new ModelGraph("lenet5", [new TensorInfo("input", new TensorShape(TensorShape.Dynamic, 1, 28, 28))], ["logits"], nodes);
    }
}
