using Edge.Core.Analysis;
using Edge.Core.Errors;
using Edge.Core.Graph;
using Edge.Core.Graph.Nodes;
using Edge.Core.Shapes;
using Edge.Core.Tensors;
using static Edge.Core.Tests.GraphFactory;

namespace Edge.Core.Tests;

public class ModelGraphTests
{
    [Fact]
    public void SeedExample_32x32x3_with_ten_5x5_filters_pad2_gives_32x32x10_and_760_parameters()
    {
        var conv = new ConvNode("conv", "x", "y", Constant("w", 10, 3, 5, 5), Constant("b", 10), new Window2d(5, 5, PadTop: 2, PadLeft: 2, PadBottom: 2, PadRight: 2));
        var g = new ModelGraph("one-conv", [new TensorInfo("x", new TensorShape(1, 3, 32, 32))], ["y"], [conv]);
        var summary = ModelSummary.Of(g);
        Assert.Equal(new TensorShape(1, 10, 32, 32), summary.Layers[0].OutputShapes[0]);
        Assert.Equal(760, summary.TotalParameters);
        Assert.Equal(32L * 32 * 10 * 3 * 5 * 5, summary.TotalMacs);
    }

    [Fact]
    public void SeedExample_classic_LeNet5_has_61706_parameters_and_the_textbook_shapes()
    {
        var summary = ModelSummary.Of(LeNet5());
        Assert.Equal(61_706, summary.TotalParameters);
        var shapes = summary.Layers.ToDictionary(l => l.Name, l => l.OutputShapes[0]);
        Assert.Equal(new TensorShape(1, 6, 28, 28), shapes["conv1"]);
        Assert.Equal(new TensorShape(1, 6, 14, 14), shapes["pool1"]);
        Assert.Equal(new TensorShape(1, 16, 10, 10), shapes["conv2"]);
        Assert.Equal(new TensorShape(1, 16, 5, 5), shapes["pool2"]);
        Assert.Equal(new TensorShape(1, 400), shapes["flatten"]);
        Assert.Equal(new TensorShape(1, 10), shapes["fc3"]);
        // conv1 117,600 + conv2 240,000 + fc 48,000 + 10,080 + 840
        Assert.Equal(117_600L + 240_000 + 48_000 + 10_080 + 840, summary.TotalMacs);
    }

    [Fact]
    public void Batch_dimension_follows_the_requested_batch()
    {
        var g = LeNet5();
        g.Validate();
        Assert.Equal(new TensorShape(7, 10), g.InferShapes(batch: 7)["logits"]);
    }

    [Fact]
    public void Topological_sort_orders_shuffled_nodes_and_keeps_a_stable_order()
    {
        var g = LeNet5();
        var expected = g.Nodes.Select(n => n.Name).ToArray();
        var shuffled = g.Nodes.ToArray();
        new Random(3).Shuffle(shuffled);
        var g2 = new ModelGraph("shuffled", g.Inputs, g.Outputs, shuffled);
        g2.Validate();
        Assert.Equal(expected, g2.Nodes.Select(n => n.Name));
    }

    [Fact]
    public void Cycle_is_reported_with_a_node_name()
    {
        var nodes = new Node[] { new ReluNode("a", "x", "t1"), new AddNode("b", "t1", "t2", "t2b"), new ReluNode("c", "t2b", "t2") };
        var g = new ModelGraph("cyclic", [new TensorInfo("x", new TensorShape(1, 4))], ["t2"], nodes);
        var e = Assert.Throws<GraphValidationException>(g.Validate);
        Assert.Contains("cycle", e.Message);
        Assert.NotNull(e.NodeName);
    }

    [Fact]
    public void Dangling_input_names_the_node_and_the_tensor()
    {
        var g = new ModelGraph("g", [new TensorInfo("x", new TensorShape(1, 4))], ["y"], [new ReluNode("relu7", "nope", "y")]);
        var e = Assert.Throws<GraphValidationException>(g.Validate);
        Assert.Equal("relu7", e.NodeName);
        Assert.Contains("'nope'", e.Message);
    }

    [Fact]
    public void Duplicate_producers_and_missing_outputs_are_rejected()
    {
        var twice = new ModelGraph("g", [new TensorInfo("x", new TensorShape(1, 4))], ["y"], [new ReluNode("a", "x", "y"), new ReluNode("b", "x", "y")]);
        Assert.Contains("produced twice", Assert.Throws<GraphValidationException>(twice.Validate).Message);
        var missing = new ModelGraph("g", [new TensorInfo("x", new TensorShape(1, 4))], ["z"], [new ReluNode("a", "x", "y")]);
        Assert.Contains("'z'", Assert.Throws<GraphValidationException>(missing.Validate).Message);
    }

    [Fact]
    public void NaN_weight_is_rejected_naming_node_constant_and_index()
    {
        var w = Constant("w", 2, 1, 3, 3);
        w.Data[7] = float.NaN;
        var g = new ModelGraph("g", [new TensorInfo("x", new TensorShape(1, 1, 5, 5))], ["y"], [new ConvNode("convNaN", "x", "y", w, null, new Window2d(3, 3))]);
        var e = Assert.Throws<GraphValidationException>(g.Validate);
        Assert.Equal("convNaN", e.NodeName);
        Assert.Contains("'w'", e.Message);
        Assert.Contains("index 7", e.Message);
    }

    [Fact]
    public void Negative_batchnorm_variance_is_rejected()
    {
        var v = new ConstantTensor("var", new TensorShape(2), [1f, -0.5f]);
        var one = new ConstantTensor("one", new TensorShape(2), [1f, 1f]);
        var bn = new BatchNormNode("bn", "x", "y", one, one, one, v, 1e-5f);
        var g = new ModelGraph("g", [new TensorInfo("x", new TensorShape(1, 2, 3, 3))], ["y"], [bn]);
        Assert.Contains("negative", Assert.Throws<GraphValidationException>(g.Validate).Message);
    }

    [Fact]
    public void Channel_mismatch_is_a_shape_error_naming_the_node()
    {
        var conv = new ConvNode("conv3", "x", "y", Constant("w", 4, 3, 3, 3), null, new Window2d(3, 3));
        var g = new ModelGraph("g", [new TensorInfo("x", new TensorShape(1, 2, 8, 8))], ["y"], [conv]);
        g.Validate();
        var e = Assert.Throws<ShapeInferenceException>(() => g.InferShapes());
        Assert.Equal("conv3", e.NodeName);
        Assert.Contains("2 channels", e.Message);
    }

    [Fact]
    public void Depthwise_and_grouped_convolutions_count_macs_per_group()
    {
        var dw = new ConvNode("dw", "x", "y", Constant("w", 8, 1, 3, 3), null, new Window2d(3, 3, 2, 2, 1, 1, 1, 1), group: 8);
        Assert.True(dw.IsDepthwise);
        var g = new ModelGraph("g", [new TensorInfo("x", new TensorShape(1, 8, 9, 9))], ["y"], [dw]);
        var s = ModelSummary.Of(g);
        Assert.Equal(new TensorShape(1, 8, 5, 5), s.Layers[0].OutputShapes[0]);
        Assert.Equal(8L * 5 * 5 * 9, s.TotalMacs);
    }

    [Fact]
    public void Reshape_copies_zero_dims_and_infers_minus_one()
    {
        var r = new ReshapeNode("r", "x", "y", [0, -1]);
        Assert.Equal(new TensorShape(3, 60), r.InferShapes([new TensorShape(3, 4, 5, 3)])[0]);
        Assert.Throws<ShapeInferenceException>(() => new ReshapeNode("r", "x", "y", [7, -1]).InferShapes([new TensorShape(3, 4, 5, 3)]));
    }

    [Fact]
    public void Oversized_shapes_are_typed_shape_errors_not_overflows()
    {
        var huge = new TensorShape(int.MaxValue, int.MaxValue, int.MaxValue);
        Assert.Throws<ShapeInferenceException>(() => huge.ElementCount);
        Assert.Throws<ShapeInferenceException>(() => new ReshapeNode("r", "x", "y", [int.MaxValue, 4]).InferShapes([new TensorShape(2, 3)]));
        Assert.Throws<ShapeInferenceException>(() => new ReshapeNode("r", "x", "y", [-1]).InferShapes([new TensorShape(65536, 65536)]));
        Assert.Throws<ShapeInferenceException>(() => new PadNode("p", "x", "y", [0, int.MaxValue, 0, 5]).InferShapes([new TensorShape(1, 3)]));
        Assert.Throws<ShapeInferenceException>(() => new FlattenNode("f", "x", "y").InferShapes([new TensorShape(1, 65536, 65536)]));
    }

    [Fact]
    public void Concat_pad_flatten_and_broadcast_shapes()
    {
        Assert.Equal(new TensorShape(1, 24, 7, 7),
            new ConcatNode("c", ["a", "b", "c"], "y", 1).InferShapes([new TensorShape(1, 8, 7, 7), new TensorShape(1, 4, 7, 7), new TensorShape(1, 12, 7, 7)])[0]);
        Assert.Throws<ShapeInferenceException>(() => new ConcatNode("c", ["a", "b"], "y", 1).InferShapes([new TensorShape(1, 8, 7, 7), new TensorShape(1, 4, 6, 7)]));
        Assert.Equal(new TensorShape(1, 3, 9, 12), new PadNode("p", "x", "y", [0, 0, 1, 2, 0, 0, 3, 4]).InferShapes([new TensorShape(1, 3, 5, 6)])[0]);
        Assert.Equal(new TensorShape(2, 60), new FlattenNode("f", "x", "y").InferShapes([new TensorShape(2, 3, 4, 5)])[0]);
        Assert.Equal(new TensorShape(2, 3, 4, 5), Broadcast.Shape(new TensorShape(2, 3, 4, 5), new TensorShape(3, 1, 1)));
        Assert.Null(Broadcast.Shape(new TensorShape(2, 3), new TensorShape(4)));
    }

    [Fact]
    public void Pool_with_ceil_mode_and_global_pool_shapes()
    {
        var pool = new MaxPoolNode("mp", "x", "y", new Window2d(3, 3, 2, 2, CeilMode: true));
        Assert.Equal(new TensorShape(1, 4, 4, 4), pool.InferShapes([new TensorShape(1, 4, 8, 8)])[0]);
        Assert.Equal(new TensorShape(1, 4, 1, 1), new GlobalAveragePoolNode("g", "x", "y").InferShapes([new TensorShape(1, 4, 8, 8)])[0]);
    }

    [Fact]
    public void Clone_is_independent_of_the_original()
    {
        var g = LeNet5();
        var c = g.Clone();
        c.Nodes.RemoveAt(0);
        c.Nodes[0].Inputs[0] = "changed";
        Assert.Equal(12, g.Nodes.Count);
        Assert.Equal("c1", g.Nodes[1].Inputs[0]);
    }

    [Fact]
    public void Fused_clamps_compose()
    {
        Assert.Equal(FusedClamp.Relu6, FusedClamp.Relu.Then(FusedClamp.Relu6));
        Assert.Equal(new FusedClamp(7, 7), FusedClamp.Relu6.Then(new FusedClamp(7, 9))); // [0, 6] then [7, 9]: always 7
        Assert.Equal(new FusedClamp(-2, -2), FusedClamp.Relu6.Then(new FusedClamp(-5, -2)));
        Assert.Equal(FusedClamp.Relu, FusedClamp.None.Then(FusedClamp.Relu));
        Assert.Equal(3f, FusedClamp.Relu6.Apply(3f));
        Assert.Equal(6f, FusedClamp.Relu6.Apply(9f));
    }

    [Theory]
    [InlineData(-3.5f)]
    [InlineData(-1f)]
    [InlineData(0f)]
    [InlineData(0.7f)]
    [InlineData(4f)]
    public void Activation_functions_follow_pytorch(float x)
    {
        Assert.Equal(x * Math.Clamp(x + 3, 0, 6) / 6, new HardSwishNode("h", "x", "y").Evaluate(x), 6);
        Assert.Equal(Math.Clamp(x / 6 + 0.5f, 0, 1), new HardSigmoidNode("h", "x", "y", 1f / 6, 0.5f).Evaluate(x), 6);
        Assert.Equal(x > 0 ? x : 0.5f * (MathF.Exp(x) - 1), new EluNode("e", "x", "y", 0.5f).Evaluate(x), 6);
        Assert.Equal(x >= 0 ? x : 0.1f * x, new LeakyReluNode("l", "x", "y", 0.1f).Evaluate(x), 6);
        Assert.Equal(1 / (1 + Math.Exp(-x)), new SigmoidNode("s", "x", "y").Evaluate(x), 6);
        Assert.Equal(Math.Tanh(x), new TanhNode("t", "x", "y").Evaluate(x), 6);
    }
}
