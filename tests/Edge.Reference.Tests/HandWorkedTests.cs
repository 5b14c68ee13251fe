using Edge.Core.Graph;
using Edge.Core.Graph.Nodes;
using Edge.Core.Shapes;
using static Edge.Reference.Tests.TestGraphs;

namespace Edge.Reference.Tests;

/// <summary>Small examples worked out by hand, each run through the executor as a one-node graph.</summary>
public class HandWorkedTests
{
    private static float[] Run(Node node, float[] input, params int[] shape) => new ReferenceExecutor(Single(node, shape)).Run(input, 1);

    [Fact]
    public void Cross_correlation_of_a_3x3_image_with_a_2x2_kernel()
    {
        var conv = new ConvNode("conv", "x", "y", Constant("w", [0, 1, 2, 3], 1, 1, 2, 2), null, new Window2d(2, 2));
        float[] y = Run(conv, [0, 1, 2, 3, 4, 5, 6, 7, 8], 1, 1, 3, 3);
        Assert.Equal([19f, 25f, 37f, 43f], y);
    }

    [Fact]
    public void Conv_bias_and_fused_relu6()
    {
        // 1x1 conv doubling the input, bias 1, then clamp to [0, 6]: -3 → -5 → 0, 1 → 3, 4 → 9 → 6.
        var conv = new ConvNode("conv", "x", "y", Constant("w", [2f], 1, 1, 1, 1), Constant("b", [1f], 1), new Window2d(1, 1)) { Clamp = FusedClamp.Relu6 };
        Assert.Equal([0f, 3f, 6f], Run(conv, [-3, 1, 4], 1, 1, 1, 3));
    }

    [Fact]
    public void Max_pooling_2x2_stride_2()
    {
        var pool = new MaxPoolNode("pool", "x", "y", new Window2d(2, 2, 2, 2));
        float[] y = Run(pool, [1, 1, 2, 4, 5, 6, 7, 8, 3, 2, 1, 0, 1, 2, 3, 4], 1, 1, 4, 4);
        Assert.Equal([6f, 8f, 3f, 4f], y);
    }

    [Fact]
    public void Max_pooling_padding_never_wins_over_negative_values()
    {
        var pool = new MaxPoolNode("pool", "x", "y", new Window2d(2, 2, 1, 1, 1, 1, 1, 1));
        float[] y = Run(pool, [-1, -2, -3, -4], 1, 1, 2, 2);
        Assert.Equal([-1f, -1f, -2f, -1f, -1f, -2f, -3f, -3f, -4f], y);
    }

    [Theory]
    // Row 1..6, kernel 3, stride 2, pad 1, ceil mode: windows start at −1, 1, 3, 5.
    // The first covers [pad, 1, 2]; the last [6, pad, past the padding]: that overhang never counts.
    [InlineData(true, new[] { 1f, 3f, 5f, 3f })]
    [InlineData(false, new[] { 1.5f, 3f, 5f, 6f })]
    public void Average_pooling_divisor_follows_pytorch(bool countIncludePad, float[] expected)
    {
        var pool = new AveragePoolNode("pool", "x", "y", new Window2d(1, 3, 1, 2, 0, 1, 0, 1, CeilMode: true), countIncludePad);
        Assert.Equal(expected, Run(pool, [1, 2, 3, 4, 5, 6], 1, 1, 1, 6));
    }

    [Fact]
    public void Average_pooling_with_asymmetric_padding_counts_each_side()
    {
        // Width 3, kernel 2, stride 2, pads left 1 / right 0: windows [pad, 1] and [2, 3]; with padding counted
        // the first divides by 2, without by 1.
        float[] x = [1, 2, 3];
        var incl = new AveragePoolNode("pool", "x", "y", new Window2d(1, 2, 1, 2, 0, 1, 0, 0), countIncludePad: true);
        var excl = new AveragePoolNode("pool", "x", "y", new Window2d(1, 2, 1, 2, 0, 1, 0, 0), countIncludePad: false);
        Assert.Equal([0.5f, 2.5f], Run(incl, x, 1, 1, 1, 3));
        Assert.Equal([1f, 2.5f], Run(excl, x, 1, 1, 1, 3));
    }

    [Fact]
    public void Global_average_pooling_is_the_plane_mean()
    {
        var gap = new GlobalAveragePoolNode("gap", "x", "y");
        Assert.Equal([2.5f, 10f], Run(gap, [1, 2, 3, 4, 10, 10, 10, 10], 1, 2, 2, 2));
    }

    [Fact]
    public void Lrn_with_an_even_size_uses_the_onnx_window()
    {
        // Size 4: channels c−1 … c+2. alpha = 4 makes alpha/size = 1; beta = 1, bias = 1.
        // c0: 1/(1+1+4+9)  c1: 2/(1+1+4+9+16)  c2: 3/(1+4+9+16)  c3: 4/(1+9+16)
        var lrn = new LrnNode("lrn", "x", "y", size: 4, alpha: 4f, beta: 1f, bias: 1f);
        AssertClose.Equal([1f / 15, 2f / 31, 3f / 30, 4f / 26], Run(lrn, [1, 2, 3, 4], 1, 4, 1, 1), 1e-7, "lrn");
    }

    [Fact]
    public void Softmax_subtracts_the_maximum()
    {
        var softmax = new SoftmaxNode("softmax", "x", "y", axis: 1);
        // exp(1000) overflows float; with the maximum subtracted the result is exact.
        Assert.Equal([0.5f, 0.5f, 0f], Run(softmax, [1000f, 1000f, -1000f], 1, 3));
        AssertClose.Equal([0.09003057f, 0.24472847f, 0.66524096f], Run(softmax, [1f, 2f, 3f], 1, 3), 1e-7, "softmax 1,2,3");
    }

    [Fact]
    public void Gemm_is_x_times_w_transposed_plus_bias()
    {
        var gemm = new GemmNode("fc", "x", "y", Constant("w", [1, 0, 0, 1, 1, 1], 3, 2), Constant("b", [0, 0, 1], 3));
        var y = new ReferenceExecutor(Single(gemm, 1, 2), maxBatch: 2).Run([1, 2, 3, 4], batch: 2);
        Assert.Equal([1f, 2f, 4f, 3f, 4f, 8f], y);
    }

    [Fact]
    public void Batch_norm_normalizes_per_channel()
    {
        // Channel 0: (3 − 1)/√4·2 + 1 = 3. Channel 1: (5 − 5)/1·7 − 2 = −2.
        var bn = new BatchNormNode("bn", "x", "y", Constant("g", [2, 7], 2), Constant("b", [1, -2], 2), Constant("m", [1, 5], 2), Constant("v", [4, 1], 2), 0f);
        Assert.Equal([3f, -2f], Run(bn, [3, 5], 1, 2, 1, 1));
    }

    [Fact]
    public void Add_broadcasts_a_column_against_a_row()
    {
        var add = new AddNode("add", "a", "b", "y");
        var graph = new ModelGraph("add", [new("a", new(2, 1)), new("b", new(3))], ["y"], [add]);
        var y = new ReferenceExecutor(graph).Run(new Dictionary<string, float[]> { ["a"] = [1, 2], ["b"] = [10, 20, 30] }, 1)["y"];
        Assert.Equal([11f, 21f, 31f, 12f, 22f, 32f], y);
    }

    [Fact]
    public void Mul_scales_each_channel()
    {
        var mul = new MulNode("mul", "x", "y", Constant("s", [2, -1], 2, 1, 1));
        Assert.Equal([2f, 4f, -3f, -4f], Run(mul, [1, 2, 3, 4], 1, 2, 1, 2));
    }

    [Fact]
    public void Concat_on_the_last_axis_interleaves_rows()
    {
        var concat = new ConcatNode("cat", ["a", "b"], "y", axis: -1);
        var graph = new ModelGraph("cat", [new("a", new(2, 1)), new("b", new(2, 2))], ["y"], [concat]);
        var y = new ReferenceExecutor(graph).Run(new Dictionary<string, float[]> { ["a"] = [1, 2], ["b"] = [3, 4, 5, 6] }, 1)["y"];
        Assert.Equal([1f, 3f, 4f, 2f, 5f, 6f], y);
    }

    [Fact]
    public void Pad_places_the_input_inside_the_value()
    {
        var pad = new PadNode("pad", "x", "y", [0, 1, 0, 2], value: 9f); // [1, 2] → [1, 5]: one before, two after
        Assert.Equal([9f, 1f, 2f, 9f, 9f], Run(pad, [1, 2], 1, 2));
    }

    [Fact]
    public void Reshape_copies_dimension_zero_and_infers_minus_one()
    {
        var executor = new ReferenceExecutor(Single(new ReshapeNode("r", "x", "y", [0, -1]), 1, 2, 3, 4), maxBatch: 2);
        Assert.Equal(new Core.Tensors.TensorShape(2, 24), executor.ShapesFor(2)["y"]);
        float[] x = Random(48, seed: 1);
        Assert.Equal(x, executor.Run(x, 2));
    }

    [Theory]
    [InlineData("Flatten")]
    [InlineData("Dropout")]
    [InlineData("Identity")]
    public void Copies_pass_the_data_through(string op)
    {
        Node node = op switch
        {
            "Flatten" => new FlattenNode("n", "x", "y"),
            "Dropout" => new DropoutNode("n", "x", "y"),
            _ => new IdentityNode("n", "x", "y"),
        };
        float[] x = Random(24, seed: 2);
        Assert.Equal(x, Run(node, x, 1, 2, 3, 4));
    }

    [Fact]
    public void Element_wise_nodes_apply_their_evaluate()
    {
        // Spot values of each function; the PyTorch cases cover whole ranges.
        float[] x = [-4, -1, 0, 1, 4];
        void Check(UnaryElementwiseNode node, float[] expected) => AssertClose.Equal(expected, Run(node, x, 1, 5), 1e-6, node.OpType);
        Check(new ReluNode("n", "x", "y"), [0, 0, 0, 1, 4]);
        Check(new LeakyReluNode("n", "x", "y", 0.1f), [-0.4f, -0.1f, 0, 1, 4]);
        Check(new HardSwishNode("n", "x", "y"), [0, -1f / 3, 0, 2f / 3, 4]);
        Check(new HardSigmoidNode("n", "x", "y"), [0, 0.3f, 0.5f, 0.7f, 1]);
        Check(new ClipNode("n", "x", "y", -1, 1), [-1, -1, 0, 1, 1]);
        Check(new EluNode("n", "x", "y"), [MathF.Exp(-4) - 1, MathF.Exp(-1) - 1, 0, 1, 4]);
        Check(new SigmoidNode("n", "x", "y"), [0.01798621f, 0.26894142f, 0.5f, 0.73105858f, 0.98201379f]);
        Check(new TanhNode("n", "x", "y"), [-0.99932930f, -0.76159416f, 0, 0.76159416f, 0.99932930f]);
    }
}
