using Edge.Core.Graph.Nodes;
using Edge.Quantization.Passes;
using Edge.Quantization.Quantizer;
using Edge.Runtime.Format;
using Edge.Runtime.Session;
using static Edge.Quantization.Tests.Graphs;

namespace Edge.Quantization.Tests.Quantizer;

/// <summary>
/// The plan and emitted operators of the modern-CNN ops on hand-built graphs: the gate Mul's operand order and
/// multiplier, pass-through parameters of the data moves, the Add-of-a-constant affine pass, and the errors for what
/// the int8 model cannot express.
/// </summary>
public class ModernOpPlanTests
{
    private static readonly ModelDescription Description = new(Edge.Vision.Preprocessing.InputNormalization.Unit(EdgeChannelOrder.Gray), [], new Dictionary<string, string>(), "edge test");

    [Fact]
    public void Gate_mul_puts_the_full_operand_first_and_derives_r_from_the_three_scales()
    {
        // gate = sigmoid(conv1x1(pool(x))); y = gate · x, the gate written first as the exporter may
        var g = Graph(4, 5, 3, ["y"],
            Conv("conv", "x", "c", 4, 4, 1, seed: 1),
            new GlobalAveragePoolNode("pool", "c", "p"),
            Conv("fc", "p", "f", 4, 4, 1, seed: 2),
            new SigmoidNode("sigmoid", "f", "gate"),
            new BroadcastMulNode("mul", "gate", "c", "y"));
        var plan = Plans.For(g);
        var model = EdgeModelEmitter.Emit(plan, Description);
        var mul = model.Ops.Single(o => o.Type == EdgeOpType.Mul);
        Assert.Equal(["c", "gate"], mul.Inputs.Select(i => model.Tensors[i].Name));
        double r = (double)plan.Tensors["c"].Params.Scale * plan.Tensors["gate"].Params.Scale / plan.Tensors["y"].Params.Scale;
        Assert.Equal(r, new Edge.Runtime.Arithmetic.QuantizedMultiplier(mul.Ints[0], mul.Ints[1]).ToDouble(), 9);
        Assert.Equal([-128, 127], mul.Ints[2..]);
        EdgeSession.FromModel(model); // loads: the runtime accepts what the converter writes
    }

    [Fact]
    public void Data_moves_keep_their_input_parameters()
    {
        var g = Graph(6, 4, 5, ["y"],
            Conv("conv", "x", "c", 6, 6, 1, seed: 3),
            new ChannelShuffleNode("shuffle", "c", "s", 3),
            new SliceNode("slice", "s", "t", [1, 3], [2, 1], [6, 4]),
            new UpsampleNearestNode("up", "t", "u", 2, 3),
            new GlobalMaxPoolNode("gmp", "u", "y"));
        var plan = Plans.For(g);
        var p = plan.Tensors["c"].Params;
        Assert.All(["s", "t", "u", "y"], name => Assert.Equal(p, plan.Tensors[name].Params));
        var model = EdgeModelEmitter.Emit(plan, Description);
        Assert.Equal([0, 0, 1, 2], model.Ops.Single(o => o.Type == EdgeOpType.Slice).Ints); // NCHW begin [0, 2, 0, 1] as NHWC
        Assert.Equal([3], model.Ops.Single(o => o.Type == EdgeOpType.ChannelShuffle).Ints);
        Assert.Equal([2, 3], model.Ops.Single(o => o.Type == EdgeOpType.UpsampleNearest).Ints);
        EdgeSession.FromModel(model);
    }

    [Fact]
    public void Add_of_a_per_channel_constant_becomes_a_depthwise_conv_with_that_bias()
    {
        var g = Graph(3, 4, 4, ["y"], new AddConstantNode("shift", "x", "y", Constant("c", [1, 3, 1, 1], [1f, -2f, 0.5f])));
        var changes = new AddConstantToAffine().Apply(g);
        Assert.Single(changes);
        var conv = Assert.IsType<ConvNode>(Assert.Single(g.Nodes));
        Assert.True(conv.IsDepthwise);
        Assert.Equal([1f, 1f, 1f], conv.Weight.Data);
        Assert.Equal([1f, -2f, 0.5f], conv.Bias!.Data);
    }

    [Fact]
    public void Unconvertible_modern_ops_name_the_node()
    {
        var transpose = Graph(3, 4, 5, ["y"], new TransposeNode("t", "x", "y", [0, 1, 3, 2]));
        Assert.Contains("Transpose perm [0, 1, 3, 2] has no int8 operator", Assert.Throws<ConversionException>(() => Plans.For(transpose)).Message);

        // [N, 1, H, W] × [N, C, H, W]: a spatial gate, not per channel
        var spatial = Graph(3, 4, 5, ["y"],
            Conv("squash", "x", "m", 1, 3, 1, seed: 4),
            new BroadcastMulNode("mul", "x", "m", "y"));
        var e = Assert.Throws<ConversionException>(() => Plans.For(spatial));
        Assert.Contains("'mul'", e.Message);
        Assert.Contains("one value per channel", e.Message);
    }
}
