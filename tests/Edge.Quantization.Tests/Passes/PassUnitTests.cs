using Edge.Core.Graph;
using Edge.Core.Graph.Nodes;
using Edge.Core.Shapes;
using Edge.Quantization.Passes;
using static Edge.Quantization.Tests.Graphs;

namespace Edge.Quantization.Tests.Passes;

/// <summary>Each graph pass on tiny hand-built graphs: what it changes, what it refuses, and that the function stays.</summary>
public class PassUnitTests
{
    private static readonly float[] Input = Random(2 * 3 * 6 * 6, seed: 11);

    [Fact]
    public void FoldBatchNorm_matches_a_hand_computed_example()
    {
        // conv: w = 2, b = 1; BN: γ = 3, β = 0.5, μ = 1, σ² = 3, ε = 1 → k = 3/√4 = 1.5; w' = 3; b' = (1 − 1)·1.5 + 0.5 = 0.5
        var conv = new ConvNode("conv", "x", "c", Constant("w", [1, 1, 1, 1], [2f]), Constant("b", [1], [1f]), new Window2d(1, 1));
        var bn = new BatchNormNode("bn", "c", "y", Constant("g", [1], [3f]), Constant("be", [1], [0.5f]), Constant("m", [1], [1f]), Constant("v", [1], [3f]), 1f);
        var g = Graph(1, 2, 2, ["y"], conv, bn);
        var changes = new FoldBatchNorm().Apply(g);
        var folded = Assert.IsType<ConvNode>(Assert.Single(g.Nodes));
        Assert.Equal(3f, folded.Weight.Data[0]);
        Assert.Equal(0.5f, folded.Bias!.Data[0]);
        Assert.Equal("y", folded.Output);
        Assert.Equal("folded BatchNorm 'bn' into Conv 'conv'", Assert.Single(changes).Description);
    }

    [Fact]
    public void FoldBatchNorm_keeps_the_function_and_adds_a_bias_when_the_conv_has_none()
    {
        var g = Graph(3, 6, 6, ["y"], Conv("conv", "x", "c", 4, 3, 3, seed: 1, pad: 1, bias: false), BatchNorm("bn", "c", "y", 4, seed: 5));
        var before = g.Clone();
        new FoldBatchNorm().Apply(g);
        Assert.NotNull(Assert.IsType<ConvNode>(Assert.Single(g.Nodes)).Bias);
        AssertSameFunction(before, g, Input, 2);
    }

    [Fact]
    public void FoldBatchNorm_into_a_gemm()
    {
        var gemm = new GemmNode("fc", "f", "h", RandomConstant("fc.w", [5, 108], 3), RandomConstant("fc.b", [5], 4));
        var bn = new BatchNormNode("bn", "h", "y", RandomConstant("g", [5], 5, 0.5f, 1.5f), RandomConstant("b", [5], 6), RandomConstant("m", [5], 7), RandomConstant("v", [5], 8, 0.1f, 1f), 1e-5f);
        var g = Graph(3, 6, 6, ["y"], new FlattenNode("flat", "x", "f"), gemm, bn);
        var before = g.Clone();
        Assert.Single(new FoldBatchNorm().Apply(g));
        Assert.DoesNotContain(g.Nodes, n => n is BatchNormNode);
        AssertSameFunction(before, g, Input, 2);
    }

    [Fact]
    public void FoldBatchNorm_refuses_a_conv_whose_output_has_another_reader_and_the_bn_becomes_an_affine()
    {
        var g = Graph(3, 6, 6, ["y", "c"], Conv("conv", "x", "c", 4, 3, 3, seed: 1), BatchNorm("bn", "c", "y", 4, seed: 5));
        var before = g.Clone();
        Assert.Empty(new FoldBatchNorm().Apply(g));
        Assert.Contains(g.Nodes, n => n is BatchNormNode);
        Assert.Single(new BatchNormToAffine().Apply(g));
        var affine = Assert.IsType<ConvNode>(g.Nodes.Single(n => n.Name == "bn"));
        Assert.True(affine.IsDepthwise || affine.Group == 4);
        Assert.Equal(new Edge.Core.Tensors.TensorShape(4, 1, 1, 1), affine.Weight.Shape);
        AssertSameFunction(before, g, Input, 2);
    }

    [Fact]
    public void A_negative_variance_is_a_conversion_error_naming_the_batchnorm()
    {
        var bn = new BatchNormNode("bn", "c", "y", Constant("g", [1], [1f]), Constant("b", [1], [0f]), Constant("m", [1], [0f]), Constant("v", [1], [-1f]), 1e-5f);
        var g = new ModelGraph("t", [new("x", new(1, 1, 2, 2))], ["y"], [new ConvNode("conv", "x", "c", Constant("w", [1, 1, 1, 1], [1f]), null, new Window2d(1, 1)), bn]);
        var e = Assert.Throws<ConversionException>(() => new FoldBatchNorm().Apply(g));
        Assert.Contains("'bn'", e.Message);
        Assert.Contains("negative", e.Message);
    }

    [Fact]
    public void RemoveIdentities_drops_dropout_identity_and_zero_pads_and_keeps_the_output_name()
    {
        var g = Graph(3, 6, 6, ["y"],
            new PadNode("pad0", "x", "p", new int[8]),
            Conv("conv", "p", "c", 4, 3, 3, seed: 2),
            new DropoutNode("drop", "c", "d"),
            new IdentityNode("id", "d", "y"));
        var before = g.Clone();
        var changes = new RemoveIdentities().Apply(g);
        Assert.Equal(3, changes.Count);
        var conv = Assert.Single(g.Nodes);
        Assert.Equal("x", conv.Input);
        Assert.Equal("y", conv.Output);
        AssertSameFunction(before, g, Input, 2);
    }

    [Fact]
    public void RemoveIdentities_keeps_an_identity_from_the_graph_input_to_the_graph_output()
    {
        var g = Graph(3, 6, 6, ["y"], new IdentityNode("id", "x", "y"));
        Assert.Empty(new RemoveIdentities().Apply(g));
        Assert.Single(g.Nodes);
    }

    [Fact]
    public void FoldPad_folds_asymmetric_zero_padding_into_the_conv()
    {
        // ZeroPad2d((left 1, right 2, top 0, bottom 1)) then an unpadded conv, as ops-zoo's first layer.
        var g = Graph(3, 6, 6, ["y"], new PadNode("pad", "x", "p", [0, 0, 0, 1, 0, 0, 1, 2]), Conv("conv", "p", "y", 4, 3, 3, seed: 3));
        var before = g.Clone();
        Assert.Single(new FoldPadIntoWindow().Apply(g));
        var conv = Assert.IsType<ConvNode>(Assert.Single(g.Nodes));
        Assert.Equal(new Window2d(3, 3, PadTop: 0, PadLeft: 1, PadBottom: 1, PadRight: 2), conv.Window);
        AssertSameFunction(before, g, Input, 2);
    }

    [Fact]
    public void FoldPad_adds_to_the_convs_own_padding()
    {
        var g = Graph(3, 6, 6, ["y"], new PadNode("pad", "x", "p", [0, 0, 2, 0, 0, 0, 0, 1]), Conv("conv", "p", "y", 4, 3, 3, seed: 3, pad: 1));
        var before = g.Clone();
        new FoldPadIntoWindow().Apply(g);
        Assert.Equal(new Window2d(3, 3, PadTop: 3, PadLeft: 1, PadBottom: 1, PadRight: 2), Assert.IsType<ConvNode>(Assert.Single(g.Nodes)).Window);
        AssertSameFunction(before, g, Input, 2);
    }

    [Fact]
    public void FoldPad_refuses_a_nonzero_pad_value_channel_padding_and_a_pad_with_two_readers()
    {
        var valued = Graph(3, 6, 6, ["y"], new PadNode("pad", "x", "p", [0, 0, 1, 1, 0, 0, 1, 1], 0.5f), Conv("conv", "p", "y", 4, 3, 3, seed: 3));
        Assert.Empty(new FoldPadIntoWindow().Apply(valued));
        var channels = Graph(3, 6, 6, ["y"], new PadNode("pad", "x", "p", [0, 1, 0, 0, 0, 0, 0, 0]), Conv("conv", "p", "y", 4, 4, 3, seed: 3));
        Assert.Empty(new FoldPadIntoWindow().Apply(channels));
        var shared = Graph(3, 6, 6, ["y", "p"], new PadNode("pad", "x", "p", [0, 0, 1, 1, 0, 0, 1, 1]), Conv("conv", "p", "y", 4, 3, 3, seed: 3));
        Assert.Empty(new FoldPadIntoWindow().Apply(shared));
    }

    [Fact]
    public void FoldPad_into_average_pooling_only_when_padding_stays_counted()
    {
        var pad = new int[] { 0, 0, 1, 1, 0, 0, 1, 1 };
        // No padding of its own and count_include_pad = false: the explicit zeros were counted, so the fold counts padding.
        var plain = Graph(3, 6, 6, ["y"], new PadNode("pad", "x", "p", pad), new AveragePoolNode("avg", "p", "y", new Window2d(3, 3, 2, 2), countIncludePad: false));
        var before = plain.Clone();
        Assert.Single(new FoldPadIntoWindow().Apply(plain));
        var avg = Assert.IsType<AveragePoolNode>(Assert.Single(plain.Nodes));
        Assert.True(avg.CountIncludePad);
        AssertSameFunction(before, plain, Input, 2);

        // Its own padding not counted: the explicit zeros would be counted and its own pads not; refuse.
        var mixed = Graph(3, 6, 6, ["y"], new PadNode("pad", "x", "p", pad),
            new AveragePoolNode("avg", "p", "y", new Window2d(3, 3, 2, 2, 1, 1, 1, 1), countIncludePad: false));
        Assert.Empty(new FoldPadIntoWindow().Apply(mixed));
    }

    [Fact]
    public void FoldPad_never_folds_a_zero_pad_into_max_pooling()
    {
        var g = Graph(3, 6, 6, ["y"], new PadNode("pad", "x", "p", [0, 0, 1, 1, 0, 0, 1, 1]), new MaxPoolNode("max", "p", "y", new Window2d(3, 3, 2, 2)));
        Assert.Empty(new FoldPadIntoWindow().Apply(g));
    }

    [Fact]
    public void FoldPad_folds_a_minus_infinity_pad_into_max_pooling()
    {
        var g = Graph(3, 6, 6, ["y"], new PadNode("pad", "x", "p", [0, 0, 1, 1, 0, 0, 1, 1], float.NegativeInfinity), new MaxPoolNode("max", "p", "y", new Window2d(3, 3, 2, 2)));
        var before = g.Clone();
        Assert.Single(new FoldPadIntoWindow().Apply(g));
        AssertSameFunction(before, g, Input, 2);
    }

    [Fact]
    public void FuseActivation_fuses_relu6_into_a_conv_and_relu_into_an_add()
    {
        var g = Graph(3, 6, 6, ["y"],
            Conv("c1", "x", "a", 3, 3, 3, seed: 1, pad: 1),
            new ClipNode("relu6", "a", "r", 0, 6),
            new AddNode("add", "r", "x", "s"),
            new ReluNode("relu", "s", "y"));
        var before = g.Clone();
        Assert.Equal(2, new FuseActivation().Apply(g).Count);
        Assert.Equal(FusedClamp.Relu6, ((ConvNode)g.Nodes[0]).Clamp);
        Assert.Equal(FusedClamp.Relu, ((AddNode)g.Nodes[1]).Clamp);
        Assert.Equal("y", g.Nodes[1].Output);
        AssertSameFunction(before, g, Input, 2);
    }

    [Fact]
    public void FuseActivation_is_refused_when_the_producer_output_has_two_readers()
    {
        var g = Graph(3, 6, 6, ["y"],
            Conv("c1", "x", "a", 3, 3, 3, seed: 1, pad: 1),
            new ReluNode("relu", "a", "r"),
            new AddNode("add", "r", "a", "y"));
        Assert.Empty(new FuseActivation().Apply(g));
        Assert.True(((ConvNode)g.Nodes[0]).Clamp.IsNone);
    }

    [Fact]
    public void FuseActivation_ignores_activations_after_other_producers()
    {
        var g = Graph(3, 6, 6, ["y"], new MaxPoolNode("max", "x", "m", new Window2d(2, 2, 2, 2)), new ReluNode("relu", "m", "y"));
        Assert.Empty(new FuseActivation().Apply(g));
    }

    [Fact]
    public void MulToAffine_turns_per_channel_and_scalar_muls_into_depthwise_convs()
    {
        var g = Graph(3, 6, 6, ["y"],
            new MulNode("perChannel", "x", "a", Constant("s", [3, 1, 1], [0.5f, -2f, 3f])),
            new MulNode("scalar", "a", "y", Constant("k", [], [1.5f])));
        var before = g.Clone();
        Assert.Equal(2, new MulToAffine().Apply(g).Count);
        Assert.All(g.Nodes, n => Assert.Equal(3, Assert.IsType<ConvNode>(n).Group));
        AssertSameFunction(before, g, Input, 2);
    }

    [Fact]
    public void MulToAffine_leaves_a_spatial_mul()
    {
        var g = Graph(3, 6, 6, ["y"], new MulNode("spatial", "x", "y", RandomConstant("s", [1, 1, 6, 6], 4)));
        Assert.Empty(new MulToAffine().Apply(g));
    }

    [Fact]
    public void CollapseReshapes_merges_a_chain_and_drops_a_view_that_changes_nothing()
    {
        var g = Graph(3, 6, 6, ["y"],
            new FlattenNode("flat", "x", "f"),
            new ReshapeNode("again", "f", "r", [0, -1]),
            new GemmNode("fc", "r", "y", RandomConstant("w", [4, 108], 1), null));
        var before = g.Clone();
        var changes = new CollapseReshapes().Apply(g);
        Assert.NotEmpty(changes);
        Assert.Single(g.Nodes, n => n is FlattenNode or ReshapeNode);
        AssertSameFunction(before, g, Input, 2);
    }

    [Fact]
    public void The_default_pipeline_records_what_each_pass_did()
    {
        var g = Graph(3, 6, 6, ["y"],
            new PadNode("pad", "x", "p", [0, 0, 0, 1, 0, 0, 1, 0]),
            Conv("conv", "p", "c", 4, 3, 3, seed: 1, bias: false),
            BatchNorm("bn", "c", "b", 4, seed: 2),
            new ReluNode("relu", "b", "r"),
            new DropoutNode("drop", "r", "y"));
        var before = g.Clone();
        var changes = PassPipeline.Default().Run(g);
        Assert.Equal(["remove-identities", "fold-pad", "fold-batchnorm", "fuse-activation"], changes.Select(c => c.Pass));
        Assert.Equal(3, changes.Count(c => c.Node == "conv"));
        var conv = Assert.IsType<ConvNode>(Assert.Single(g.Nodes));
        Assert.Equal(FusedClamp.Relu, conv.Clamp);
        AssertSameFunction(before, g, Input, 2);
    }
}
