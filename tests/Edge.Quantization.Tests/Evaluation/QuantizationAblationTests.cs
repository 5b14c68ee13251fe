using Edge.Core.Graph;
using Edge.Core.Graph.Nodes;
using Edge.Core.Tensors;
using Edge.Quantization.Evaluation;
using Edge.Quantization.Quantizer;
using static Edge.Quantization.Tests.Graphs;

namespace Edge.Quantization.Tests.Evaluation;

/// <summary>Partial fake-quant simulations (<see cref="FakeQuantScope"/>) and the loss attribution built on them.</summary>
public class QuantizationAblationTests
{
    /// <summary>x [?, 3, 6, 6] → conv 3×3 + ReLU → conv 1×1 → y: two weighted layers, three int8 tensors.</summary>
    private static ModelGraph TwoConvs() => Graph(3, 6, 6, ["y"],
        Conv("c1", "x", "h", 5, 3, 3, seed: 3, pad: 1), new ReluNode("relu", "h", "r"), Conv("c2", "r", "y", 4, 5, 1, seed: 5));

    private static int FakeQuantNodes(ModelGraph g) => g.Nodes.Count(n => n is FakeQuantNode);

    [Fact]
    public void Each_scope_quantizes_only_its_part()
    {
        var plan = Plans.For(TwoConvs());
        var c1 = (ConvNode)plan.Graph.Nodes.Single(n => n.Name == "c1");
        var dequantized = plan.Nodes["c1"].Weights!.Dequantize();
        Assert.NotEqual(c1.Weight.Data, dequantized); // random weights are not on the int8 grid

        ConvNode SimulatedC1(FakeQuantScope s) => (ConvNode)new FakeQuantSimulator(plan, s).Graph.Nodes.Single(n => n.Name == "c1");
        int int8Tensors = plan.Tensors.Keys.Count(plan.HasInt8);
        Assert.Equal(3, int8Tensors); // x, r (the ReLU is fused into c1), y

        Assert.Equal(int8Tensors, FakeQuantNodes(new FakeQuantSimulator(plan).Graph));
        Assert.Equal(dequantized, SimulatedC1(FakeQuantScope.All).Weight.Data);

        Assert.Equal(0, FakeQuantNodes(new FakeQuantSimulator(plan, FakeQuantScope.WeightsOnly).Graph));
        Assert.Equal(dequantized, SimulatedC1(FakeQuantScope.WeightsOnly).Weight.Data);

        Assert.Equal(int8Tensors, FakeQuantNodes(new FakeQuantSimulator(plan, FakeQuantScope.ActivationsOnly).Graph));
        Assert.Equal(c1.Weight.Data, SimulatedC1(FakeQuantScope.ActivationsOnly).Weight.Data);
        Assert.Equal(c1.Bias!.Data, SimulatedC1(FakeQuantScope.ActivationsOnly).Bias!.Data);

        var onlyInput = new FakeQuantSimulator(plan, FakeQuantScope.OnlyTensors("x")).Graph;
        Assert.Equal("x", Assert.Single(onlyInput.Nodes.OfType<FakeQuantNode>()).Input);
    }

    [Fact]
    public void Weights_on_the_int8_grid_lose_nothing_and_the_activations_carry_the_whole_loss()
    {
        // Channel o: [127, −64, 5(o + 1)] · 2⁻⁷, no bias: the channel's scale is 2⁻⁷ and the int8 weights are exact.
        var w = new float[4 * 3];
        for (int o = 0; o < 4; o++) (w[o * 3], w[o * 3 + 1], w[o * 3 + 2]) = (127 / 128f, -64 / 128f, 5 * (o + 1) / 128f);
        var g = new ModelGraph("gemm", [new TensorInfo("x", new TensorShape(TensorShape.Dynamic, 3))], ["y"],
            [new GemmNode("fc", "x", "y", Constant("fc.w", [4, 3], w), null)]);
        g.Validate();
        var plan = Plans.For(g);
        Assert.Equal(w, plan.Nodes["fc"].Weights!.Dequantize());

        var inputs = Random(3 * 20, seed: 9);
        var losses = QuantizationAblation.Measure(plan, inputs, 20).ToDictionary(l => l.Part);
        Assert.Equal(["all", "weights", "activations", "input"], losses.Keys);
        Assert.True(losses["weights"].Worst < 1e-12, $"weights alone lose {losses["weights"].Worst:G3}");
        Assert.True(losses["activations"].Mean > 1e-7, $"int8 activations lose only {losses["activations"].Mean:G3}");
        Assert.Equal(losses["all"].Mean, losses["activations"].Mean, 12);
        Assert.True(losses["input"].Mean > 0, "the int8 input loses nothing");
        foreach (var l in losses.Values) Assert.True(l.Mean <= l.Worst && l.Mean >= 0, $"{l.Part}: mean {l.Mean:G3}, worst {l.Worst:G3}");
    }

    [Fact]
    public void Per_tensor_losses_name_every_int8_tensor_largest_first()
    {
        var plan = Plans.For(TwoConvs());
        var inputs = Random(3 * 6 * 6 * 6, seed: 11);
        var perTensor = QuantizationAblation.PerTensor(plan, inputs, 6);
        Assert.Equal(plan.Tensors.Keys.Where(plan.HasInt8).Order(StringComparer.Ordinal), perTensor.Select(l => l.Part).Order(StringComparer.Ordinal));
        Assert.Equal(perTensor.OrderByDescending(l => l.Mean).Select(l => l.Part), perTensor.Select(l => l.Part));
        Assert.All(perTensor, l => Assert.True(l.Mean > 0, $"{l.Part} alone loses nothing"));
    }

    [Fact]
    public void Inputs_that_are_not_whole_items_are_refused()
    {
        var plan = Plans.For(TwoConvs());
        Assert.Throws<ArgumentException>(() => QuantizationAblation.Measure(plan, new float[3 * 6 * 6 * 2 + 1], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => QuantizationAblation.Measure(plan, new float[3 * 6 * 6], 0));
    }
}
