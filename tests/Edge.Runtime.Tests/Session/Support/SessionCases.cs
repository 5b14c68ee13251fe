using Edge.Core.Shapes;
using Edge.Runtime.Format;
using Edge.Runtime.Kernels.Elementwise;

namespace Edge.Runtime.Tests.Session.Support;

/// <summary>
/// Hand-built models covering every operator type of the format, int8 and float, each with its kernel reference
/// (<see cref="ModelBuilder.Reference"/>). Channel counts and sizes are odd so vector paths meet their leftovers.
/// </summary>
internal static class SessionCases
{
    public static IReadOnlyDictionary<string, Func<ModelBuilder>> All { get; } = new Dictionary<string, Func<ModelBuilder>>
    {
        ["conv 3x3 pad 1 relu"] = () => Build(1, [1, 7, 6, 5], (b, x) => b.Conv(x, 9, new Window2d(3, 3, 1, 1, 1, 1, 1, 1), relu: true)),
        ["conv 1x1 pointwise, 32 channels"] = () => Build(2, [1, 4, 5, 32], (b, x) => b.Conv(x, 17, new Window2d(1, 1))),
        ["conv grouped, dilated, strided, asymmetric pads"] = () => Build(3, [1, 9, 8, 6], (b, x) => b.Conv(x, 4, new Window2d(3, 2, 2, 1, 1, 0, 2, 1, 2, 1), group: 2)),
        ["depthwise 3x3 stride 2"] = () => Build(4, [1, 8, 7, 13], (b, x) => b.Conv(x, 13, new Window2d(3, 3, 2, 2, 1, 1, 1, 1), group: 13, relu: true)),
        ["flatten then gemm"] = () => Build(5, [1, 3, 3, 5], (b, x) => b.Gemm(b.Reshape(x), 11)),
        ["gemm relu, 37 features"] = () => Build(6, [1, 37], (b, x) => b.Gemm(x, 7, relu: true)),
        ["maxpool 3x3 s2 pad 1 ceil"] = () => Build(7, [1, 7, 7, 5], (b, x) => b.MaxPool(x, new Window2d(3, 3, 2, 2, 1, 1, 1, 1, CeilMode: true))),
        ["maxpool dilated"] = () => Build(8, [1, 9, 9, 3], (b, x) => b.MaxPool(x, new Window2d(3, 3, 1, 1, 1, 1, 1, 1, 2, 2))),
        ["avgpool count_include_pad"] = () => Build(9, [1, 7, 6, 3], (b, x) => b.AveragePool(x, new Window2d(3, 3, 2, 2, 1, 1, 1, 1, CeilMode: true), true)),
        ["avgpool excluding pad"] = () => Build(10, [1, 6, 7, 7], (b, x) => b.AveragePool(x, new Window2d(2, 3, 2, 1, 0, 1, 1, 0), false)),
        ["global average pool"] = () => Build(11, [1, 5, 4, 7], (b, x) => b.GlobalAveragePool(x)),
        ["add (residual)"] = () => Build(12, [1, 4, 4, 6], (b, x) => b.Add(x, b.Lookup(x), relu: true)),
        ["concat with rescale"] = () => Build(13, [1, 3, 4, 5], (b, x) => b.Concat(x, b.Lookup(x), x)),
        ["lookup"] = () => Build(14, [1, 5, 3, 3], (b, x) => b.Lookup(x)),
        ["rescale"] = () => Build(15, [1, 2, 3, 7], (b, x) => b.Rescale(x)),
        ["pad"] = () => Build(16, [1, 4, 5, 3], (b, x) => b.Pad(x, new NhwcPads(0, 1, 2, 0, 0, 2, 0, 1))),
        ["softmax to float"] = () => Build(17, [1, 10], (b, x) => b.Softmax(x)),
        ["softmax to int8"] = () => Build(18, [1, 2, 2, 10], (b, x) => b.Softmax(x, int8Output: true)),
        ["lrn size 5"] = () => Build(19, [1, 3, 3, 7], (b, x) => b.Lrn(x)),
        ["float conv, activation, quantize"] = () => Build(20, [1, 6, 5, 3], (b, x) =>
        {
            var f = b.Conv(b.Dequantize(x), 5, new Window2d(3, 3, 1, 1, 1, 1, 1, 1), relu: true);
            f = b.Activation(f, EdgeActivationKind.HardSwish);
            return b.Quantize(b.Activation(f, EdgeActivationKind.Clip, -0.5f, 2f));
        }),
        ["float activations"] = () => Build(21, [1, 4, 4, 3], (b, x) =>
        {
            var f = b.Dequantize(x);
            f = b.Add(b.Activation(f, EdgeActivationKind.Sigmoid), b.Activation(f, EdgeActivationKind.Tanh));
            f = b.Add(b.Activation(f, EdgeActivationKind.Elu, 0.7f), b.Activation(f, EdgeActivationKind.LeakyRelu, 0.1f));
            f = b.Add(b.Activation(f, EdgeActivationKind.HardSigmoid, 0.2f, 0.5f), b.Activation(f, EdgeActivationKind.Relu), relu: true);
            return f;
        }),
        ["float pools, pad, lrn, concat, gemm, softmax"] = () => Build(22, [1, 7, 7, 3], (b, x) =>
        {
            var f = b.Dequantize(x);
            f = b.Pad(b.MaxPool(f, new Window2d(3, 3, 2, 2, 1, 1, 1, 1, CeilMode: true)), new NhwcPads(0, 1, 0, 0, 0, 0, 1, 2));
            f = b.AveragePool(b.Lrn(f, 3), new Window2d(2, 2, 1, 1, 1, 1, 0, 0), false);
            f = b.GlobalAveragePool(b.Concat(f, f));
            return b.Softmax(b.Gemm(b.Reshape(f), 6));
        }),
        ["every int8 operator in one graph"] = () => Everything(23),
    };

    public static IEnumerable<object[]> Names() => All.Keys.Select(k => new object[] { k });

    private static ModelBuilder Build(int seed, int[] inputShape, Func<ModelBuilder, int, int> body)
    {
        var b = new ModelBuilder(seed);
        int x = b.Input(inputShape);
        b.Output(body(b, x));
        return b;
    }

    /// <summary>
    /// An RGB 8×8 input through conv, depthwise, lookup, add, maxpool, pad, avgpool, rescale + concat, LRN, dequantize,
    /// a float activation, quantize, global average pool, flatten, gemm and softmax: every operator type in 17 steps,
    /// small enough for the hostile-file tests to try every truncation.
    /// </summary>
    public static ModelBuilder Everything(int seed)
    {
        var b = new ModelBuilder(seed);
        int x = b.Input([1, 8, 8, 3], order: EdgeChannelOrder.Rgb, mean: [0.485f, 0.456f, 0.406f], std: [0.229f, 0.224f, 0.225f]);
        int a = b.Conv(x, 8, new Window2d(3, 3, 1, 1, 1, 1, 1, 1), relu: true);
        int d = b.Conv(a, 8, new Window2d(3, 3, 2, 2, 1, 1, 1, 1), group: 8);
        int s = b.Add(d, b.Lookup(d));
        int p = b.Pad(b.MaxPool(s, new Window2d(2, 2, 1, 1)), new NhwcPads(0, 1, 1, 0, 0, 0, 0, 0));
        int g = b.AveragePool(p, new Window2d(2, 2, 2, 2), true);
        int c = b.Lrn(b.Concat(g, b.Rescale(g)), 3);
        int q = b.Quantize(b.Activation(b.Dequantize(c), EdgeActivationKind.Relu));
        int y = b.Gemm(b.Reshape(b.GlobalAveragePool(q)), 10);
        b.Output(b.Softmax(y));
        b.Model.Labels.AddRange(Enumerable.Range(0, 10).Select(i => $"class {i}"));
        b.Model.Metadata["source"] = "SessionCases.Everything";
        return b;
    }
}
