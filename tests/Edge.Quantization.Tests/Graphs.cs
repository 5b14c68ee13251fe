using Edge.Core.Graph;
using Edge.Core.Graph.Nodes;
using Edge.Core.Shapes;
using Edge.Core.Tensors;
using Edge.Reference;

namespace Edge.Quantization.Tests;

/// <summary>Small hand-built graphs and seeded data for unit tests.</summary>
internal static class Graphs
{
    public static ConstantTensor Constant(string name, int[] shape, float[] data) => new(name, new TensorShape(shape), data);

    /// <summary>Seeded uniform values in [lo, hi).</summary>
    public static float[] Random(int count, int seed, float lo = -1, float hi = 1)
    {
        var r = new Random(seed);
        var v = new float[count];
        for (int i = 0; i < count; i++) v[i] = lo + (float)r.NextDouble() * (hi - lo);
        return v;
    }

    public static ConstantTensor RandomConstant(string name, int[] shape, int seed, float lo = -1, float hi = 1)
        => Constant(name, shape, Random(shape.Aggregate(1, (a, b) => a * b), seed, lo, hi));

    public static ConvNode Conv(string name, string input, string output, int oc, int ic, int k, int seed, int pad = 0, int group = 1, bool bias = true)
        => new(name, input, output, RandomConstant($"{name}.w", [oc, ic / group, k, k], seed),
            bias ? RandomConstant($"{name}.b", [oc], seed + 1) : null, new Window2d(k, k, PadTop: pad, PadLeft: pad, PadBottom: pad, PadRight: pad), group);

    public static BatchNormNode BatchNorm(string name, string input, string output, int c, int seed)
        => new(name, input, output,
            RandomConstant($"{name}.gamma", [c], seed, 0.5f, 1.5f), RandomConstant($"{name}.beta", [c], seed + 1, -0.2f, 0.2f),
            RandomConstant($"{name}.mean", [c], seed + 2, -0.5f, 0.5f), RandomConstant($"{name}.var", [c], seed + 3, 0.2f, 2f), 1e-5f);

    /// <summary>A graph with one NCHW input "x" of shape [?, c, h, w] and the given output(s).</summary>
    public static ModelGraph Graph(int c, int h, int w, string[] outputs, params Node[] nodes)
    {
        var g = new ModelGraph("test", [new TensorInfo("x", new TensorShape(TensorShape.Dynamic, c, h, w))], outputs, nodes);
        g.Validate();
        return g;
    }

    /// <summary>Runs the float path on <paramref name="input"/> (batch inferred) and returns every graph output.</summary>
    public static IReadOnlyDictionary<string, float[]> RunFloat(ModelGraph graph, float[] input, int batch)
        => new ReferenceExecutor(graph, batch).Run(new Dictionary<string, float[]> { [graph.Inputs[0].Name] = input }, batch);

    /// <summary>Asserts |a − b| ≤ rel·max(1, |a|) element-wise, naming the first failing index.</summary>
    public static void AssertClose(float[] expected, float[] actual, double rel, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double d = Math.Abs(expected[i] - actual[i]);
            Assert.True(d <= rel * Math.Max(1, Math.Abs(expected[i])), $"{what}: index {i}: expected {expected[i]:R}, got {actual[i]:R} (|diff| {d:G3})");
        }
    }

    /// <summary>The graph's outputs before and after <paramref name="change"/> agree within 1e-5 relative.</summary>
    public static void AssertSameFunction(ModelGraph before, ModelGraph after, float[] input, int batch)
    {
        var a = RunFloat(before, input, batch);
        var b = RunFloat(after, input, batch);
        Assert.Equal(before.Outputs, after.Outputs);
        foreach (var o in before.Outputs) AssertClose(a[o], b[o], 1e-5, $"output '{o}'");
    }
}
