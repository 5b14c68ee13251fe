using Edge.Core.Graph;
using Edge.Core.Graph.Nodes;
using Edge.Core.Shapes;
using Edge.Core.Tensors;
using Edge.Quantization.Quantizer;
using Edge.Runtime.Arithmetic;
using Edge.Runtime.Format;
using Edge.Vision.Preprocessing;
using static Edge.Quantization.Tests.Graphs;

namespace Edge.Quantization.Tests.Quantizer;

/// <summary>What the quantizer writes for each operator, checked against docs/edge-format.md and the fake-quant simulation.</summary>
public class EmitterTests
{
    private static readonly ModelDescription Description = new(InputNormalization.Unit(EdgeChannelOrder.Rgb), [], new Dictionary<string, string>(), "edge test");

    private static EdgeModel Emit(QuantizationPlan plan) => EdgeModelEmitter.Emit(plan, Description);

    private static EdgeOp Op(EdgeModel m, string name) => m.Ops.Single(o => o.Name == name);

    private static EdgeTensor Tensor(EdgeModel m, string name) => m.Tensors.Single(t => t.Name == name);

    /// <summary>Interpreter vs simulator on seeded inputs: outputs within <paramref name="steps"/> output quantization steps.</summary>
    private static void AssertInterpreterMatchesSimulator(QuantizationPlan plan, EdgeModel model, int items, double steps)
    {
        var sim = new FakeQuantSimulator(plan);
        var interpreter = new Int8Interpreter(model);
        int itemLength = (int)plan.Shapes[plan.Graph.Inputs[0].Name].ElementCount;
        var outName = plan.Graph.Outputs[0];
        float scale = plan.Tensors[outName].Params.Scale;
        for (int k = 0; k < items; k++)
        {
            var x = Random(itemLength, seed: 100 + k);
            var expected = sim.Run(x, 1);
            var actual = interpreter.Run(x);
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(expected[i] - actual[i]) <= steps * scale + 1e-6,
                    $"item {k} index {i}: simulator {expected[i]:R}, int8 {actual[i]:R} (scale {scale})");
            }
        }
    }

    [Fact]
    public void A_conv_with_relu_is_one_int8_conv_with_nhwc_weights_and_the_relu_as_its_clamp()
    {
        var g = Graph(3, 5, 5, ["y"], Conv("conv", "x", "c", 4, 3, 3, seed: 1, pad: 1), new ReluNode("relu", "c", "y"));
        var plan = Plans.For(g);
        var m = Emit(plan);
        Assert.Equal([EdgeOpType.Conv2d, EdgeOpType.Dequantize], m.Ops.Select(o => o.Type));
        var conv = Op(m, "conv");
        var output = Tensor(m, "y.int8");
        Assert.Equal([3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, output.ZeroPoint, 127], conv.Ints);
        Assert.Equal([4, 3, 3, 3], conv.Blobs[0].Shape);
        Assert.Equal(5, conv.Blobs.Length);
        // weight [o, i, ky, kx] lands at [o, ky, kx, i]
        var q = plan.Nodes["conv"].Weights!;
        var packed = conv.Blobs[0].AsInt8();
        for (int o = 0; o < 4; o++)
            for (int i = 0; i < 3; i++)
                for (int ky = 0; ky < 3; ky++)
                    for (int kx = 0; kx < 3; kx++)
                        Assert.Equal(q.Values[((o * 3 + i) * 3 + ky) * 3 + kx], packed[((o * 3 + ky) * 3 + kx) * 3 + i]);
        // the model input is int8 NHWC, the output float32 under the graph output's name
        Assert.Equal(new EdgeTensor("x", EdgeDataType.Int8, [1, 5, 5, 3], plan.Tensors["x"].Params.Scale, plan.Tensors["x"].Params.ZeroPoint), m.Tensors[m.Inputs[0].Tensor]);
        Assert.Equal(new EdgeTensor("y", EdgeDataType.Float32, [1, 5, 5, 4]), m.Tensors[m.Outputs[0]]);
        AssertInterpreterMatchesSimulator(plan, m, items: 4, steps: 1);
    }

    [Fact]
    public void Multipliers_are_the_input_times_weight_scale_over_the_output_scale()
    {
        var plan = Plans.For(Graph(3, 5, 5, ["y"], Conv("conv", "x", "y", 4, 3, 3, seed: 2)));
        var np = plan.Nodes["conv"];
        float sIn = plan.Tensors["x"].Params.Scale, sOut = plan.Tensors["y"].Params.Scale;
        for (int c = 0; c < 4; c++)
        {
            var expected = QuantizedMultiplier.FromReal(sIn * (double)np.Weights!.Scales[c] / sOut);
            Assert.Equal(expected, np.Multipliers![c]);
            Assert.InRange(np.Multipliers[c]!.Value.Shift, 31, 62);
        }
    }

    [Fact]
    public void Flatten_before_gemm_permutes_the_weight_columns_from_chw_to_hwc()
    {
        var gemm = new GemmNode("fc", "f", "y", RandomConstant("w", [5, 3 * 2 * 4], 3), RandomConstant("b", [5], 4));
        var g = Graph(3, 2, 4, ["y"], new FlattenNode("flat", "x", "f"), gemm);
        var plan = Plans.For(g);
        var m = Emit(plan);
        Assert.Equal([EdgeOpType.Reshape, EdgeOpType.Gemm, EdgeOpType.Dequantize], m.Ops.Select(o => o.Type));
        var q = plan.Nodes["fc"].Weights!;
        var emitted = Op(m, "fc").Blobs[0].AsInt8();
        for (int o = 0; o < 5; o++)
            for (int c = 0; c < 3; c++)
                for (int p = 0; p < 8; p++)
                    Assert.Equal(q.Values[o * 24 + c * 8 + p], emitted[o * 24 + p * 3 + c]);
        Assert.Equal([1, 24], Tensor(m, "f").Shape);
        AssertInterpreterMatchesSimulator(plan, m, items: 4, steps: 1);
    }

    [Fact]
    public void Pools_pads_and_views_keep_their_inputs_parameters()
    {
        var g = Graph(3, 6, 6, ["y"],
            Conv("conv", "x", "c", 4, 3, 3, seed: 5, pad: 1),
            new PadNode("pad", "c", "p", [0, 0, 1, 0, 0, 0, 0, 1], 0.25f),
            new MaxPoolNode("max", "p", "m", new Window2d(2, 2, 2, 2, CeilMode: true)),
            new AveragePoolNode("avg", "m", "a", new Window2d(3, 3, 1, 1, 1, 1, 1, 1), countIncludePad: false),
            new GlobalAveragePoolNode("gap", "a", "gp"),
            new FlattenNode("flat", "gp", "y"));
        var plan = Plans.For(g);
        var pc = plan.Tensors["c"].Params;
        foreach (var t in new[] { "p", "m", "a", "gp", "y" }) Assert.Equal(pc, plan.Tensors[t].Params);
        var m = Emit(plan);
        var pad = Op(m, "pad");
        Assert.Equal([0, 1, 0, 0, 0, 0, 1, 0, pc.Quantize(0.25)], pad.Ints); // NCHW [n0 c0 h0 w0 n1 c1 h1 w1] → NHWC
        Assert.Equal([2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 1], Op(m, "max").Ints);
        Assert.Equal([3, 3, 1, 1, 1, 1, 1, 1, 0, 0], Op(m, "avg").Ints);
        AssertInterpreterMatchesSimulator(plan, m, items: 4, steps: 1);
    }

    [Fact]
    public void Add_uses_the_shift_20_scheme()
    {
        var g = Graph(3, 4, 4, ["y"],
            Conv("a", "x", "ya", 3, 3, 1, seed: 6),
            Conv("b", "x", "yb", 3, 3, 3, seed: 7, pad: 1),
            new AddNode("add", "ya", "yb", "s"),
            new ReluNode("relu", "s", "y"));
        var plan = Plans.For(g);
        var m = Emit(plan);
        float sa = plan.Tensors["ya"].Params.Scale, sb = plan.Tensors["yb"].Params.Scale;
        var so = plan.Tensors["y"].Params;
        double max2 = 2.0 * Math.Max(sa, sb);
        var ma = QuantizedMultiplier.FromReal(sa / max2);
        var mb = QuantizedMultiplier.FromReal(sb / max2);
        var mo = QuantizedMultiplier.FromReal(max2 / (1048576.0 * so.Scale));
        Assert.Equal([ma.Multiplier, ma.Shift, mb.Multiplier, mb.Shift, mo.Multiplier, mo.Shift, so.ZeroPoint, 127], Op(m, "add").Ints);
        AssertInterpreterMatchesSimulator(plan, m, items: 4, steps: 1);
    }

    [Fact]
    public void Concat_inputs_from_requantizing_producers_take_the_concat_parameters_and_are_copied()
    {
        var g = Graph(3, 4, 4, ["y"],
            Conv("b1", "x", "o1", 2, 3, 1, seed: 8),
            Conv("b2", "x", "o2", 3, 3, 3, seed: 9, pad: 1),
            new MaxPoolNode("pool", "x", "o3", new Window2d(3, 3, 1, 1, 1, 1, 1, 1)),
            new ConcatNode("cat", ["o1", "o2", "o3"], "y", 1));
        var plan = Plans.For(g);
        var py = plan.Tensors["y"].Params;
        Assert.Equal(py, plan.Tensors["o1"].Params);
        Assert.Equal(py, plan.Tensors["o2"].Params);
        Assert.Equal(plan.Tensors["x"].Params, plan.Tensors["o3"].Params); // a pool keeps its input's parameters: rescaled
        var m = Emit(plan);
        var ints = Op(m, "cat").Ints;
        Assert.Equal(3, ints[0]); // channel axis 1 → NHWC axis 3
        Assert.Equal([0, 0, 0, 0], ints[1..5]);
        var r = QuantizedMultiplier.FromReal(plan.Tensors["x"].Params.Scale / (1048576.0 * py.Scale));
        Assert.Equal([r.Multiplier, r.Shift], ints[5..]);
        AssertInterpreterMatchesSimulator(plan, m, items: 4, steps: 1);
    }

    [Fact]
    public void Element_wise_functions_become_lookup_tables_built_from_evaluate()
    {
        var sigmoid = new SigmoidNode("sig", "c", "y");
        var g = Graph(3, 4, 4, ["y"], Conv("conv", "x", "c", 2, 3, 3, seed: 10, pad: 1), sigmoid);
        var plan = Plans.For(g);
        var m = Emit(plan);
        var table = Op(m, "sig").Blobs.Single().AsInt8();
        Assert.Equal(256, table.Length);
        var pin = plan.Tensors["c"].Params;
        var pout = plan.Tensors["y"].Params;
        for (int q = -128; q <= 127; q++)
        {
            double real = sigmoid.Evaluate(pin.Scale * (q - pin.ZeroPoint));
            Assert.Equal((sbyte)Math.Clamp(Math.Round(real / pout.Scale, MidpointRounding.AwayFromZero) + pout.ZeroPoint, -128, 127), table[q + 128]);
        }
        AssertInterpreterMatchesSimulator(plan, m, items: 4, steps: 1);
    }

    [Fact]
    public void Softmax_outputs_float_by_default_and_int8_with_1_over_256_when_asked()
    {
        var g = Graph(3, 2, 2, ["y"], new FlattenNode("flat", "x", "f"), new GemmNode("fc", "f", "l", RandomConstant("w", [6, 12], 11), null), new SoftmaxNode("sm", "l", "y", 1));
        var floatPlan = Plans.For(g);
        var m = Emit(floatPlan);
        Assert.Equal(EdgeOpType.Softmax, m.Ops[^1].Type);
        Assert.Equal(new EdgeTensor("y", EdgeDataType.Float32, [1, 6]), m.Tensors[m.Outputs[0]]);

        var int8Plan = Plans.For(g, new QuantizerOptions { Int8Softmax = true });
        Assert.Equal(new QuantizationParams(1f / 256, -128), int8Plan.Tensors["y"].Params);
        var m8 = Emit(int8Plan);
        Assert.Equal([EdgeOpType.Softmax, EdgeOpType.Dequantize], m8.Ops.TakeLast(2).Select(o => o.Type));
        Assert.Equal(new EdgeTensor("y.int8", EdgeDataType.Int8, [1, 6], 1f / 256, -128), Tensor(m8, "y.int8"));
    }

    [Fact]
    public void Int8_output_leaves_the_output_int8_under_its_own_name()
    {
        var g = Graph(3, 4, 4, ["y"], Conv("conv", "x", "y", 2, 3, 3, seed: 12));
        var m = Emit(Plans.For(g, new QuantizerOptions { Int8Output = true }));
        Assert.Equal([EdgeOpType.Conv2d], m.Ops.Select(o => o.Type));
        var output = m.Tensors[m.Outputs[0]];
        Assert.Equal(("y", EdgeDataType.Int8), (output.Name, output.DataType));
    }

    [Fact]
    public void A_kept_float_node_runs_in_float_between_dequantize_and_quantize()
    {
        var g = Graph(3, 4, 4, ["y"],
            Conv("c1", "x", "a", 4, 3, 3, seed: 13, pad: 1),
            new TanhNode("tanh", "a", "t"),
            Conv("c2", "t", "y", 2, 4, 1, seed: 14));
        var plan = Plans.For(g, new QuantizerOptions { KeepFloat = ["c1", "tanh"] });
        var m = Emit(plan);
        Assert.Equal([EdgeOpType.Dequantize, EdgeOpType.Conv2d, EdgeOpType.FloatActivation, EdgeOpType.Quantize, EdgeOpType.Conv2d, EdgeOpType.Dequantize],
            m.Ops.Select(o => o.Type));
        var c1 = Op(m, "c1");
        Assert.Equal(EdgeDataType.Float32, m.Tensors[c1.Inputs[0]].DataType);
        Assert.Equal([3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1], c1.Ints);
        Assert.Equal([float.NegativeInfinity, float.PositiveInfinity], c1.Floats);
        Assert.Equal([EdgeDataType.Float32, EdgeDataType.Float32], c1.Blobs.Select(b => b.DataType));
        Assert.Equal([(int)EdgeActivationKind.Tanh], Op(m, "tanh").Ints);
        Assert.Equal(EdgeDataType.Int8, m.Tensors[Op(m, "c2").Inputs[0]].DataType);
        Assert.Equal("t.int8", m.Tensors[Op(m, "c2").Inputs[0]].Name);
        Assert.Equal("x.float", m.Tensors[c1.Inputs[0]].Name);
    }

    [Fact]
    public void Keep_float_naming_an_unknown_node_is_refused()
    {
        var g = Graph(3, 4, 4, ["y"], Conv("conv", "x", "y", 2, 3, 3, seed: 15));
        var e = Assert.Throws<ConverterOptionsException>(() => Plans.For(g, new QuantizerOptions { KeepFloat = ["nope"] }));
        Assert.Contains("'nope'", e.Message);
    }

    [Fact]
    public void An_output_scale_that_would_need_a_multiplier_of_1_or_more_is_widened_and_noted()
    {
        var g = Graph(1, 2, 2, ["y"], new ConvNode("conv", "x", "y", Constant("w", [1, 1, 1, 1], [1f]), null, new Window2d(1, 1)));
        var ranges = new Dictionary<string, Edge.Quantization.Calibration.TensorRange>
        {
            ["x"] = new(-1, 1),
            ["y"] = new(-0.001, 0.001), // s_in·s_w/s_out = (2/255)·(1/127)/(0.002/255) ≈ 7.9
        };
        var plan = QuantizationPlan.Build(g, ranges, new QuantizerOptions());
        var np = plan.Nodes["conv"];
        Assert.Contains("widened", Assert.Single(np.Notes));
        Assert.InRange(np.Multipliers![0]!.Value.Shift, 31, 62);
        double r = plan.Tensors["x"].Params.Scale * (double)np.Weights!.Scales[0] / plan.Tensors["y"].Params.Scale;
        Assert.InRange(r, 0.999, 1.0 - 1e-12);
    }

    [Fact]
    public void A_broadcasting_add_and_a_spatial_mul_are_refused_naming_the_node()
    {
        var add = new ModelGraph("t", [new TensorInfo("x", new TensorShape(TensorShape.Dynamic, 3, 4, 4))], ["y"],
            [new GlobalAveragePoolNode("gap", "x", "g"), new AddNode("add", "x", "g", "y")]);
        Assert.Equal("add", Assert.Throws<ConversionException>(() => Plans.For(add)).NodeName);
        var mul = Graph(3, 4, 4, ["y"], new MulNode("mul", "x", "y", RandomConstant("s", [1, 1, 4, 4], 1)));
        Assert.Equal("mul", Assert.Throws<ConversionException>(() => Plans.For(mul)).NodeName);
    }

    [Fact]
    public void The_model_survives_the_writer_and_the_reader()
    {
        var g = Graph(3, 6, 6, ["y"],
            Conv("conv", "x", "c", 4, 3, 3, seed: 16, pad: 1),
            new EluNode("elu", "c", "e"),
            new MaxPoolNode("max", "e", "m", new Window2d(2, 2, 2, 2)),
            new FlattenNode("flat", "m", "f"),
            new GemmNode("fc", "f", "y", RandomConstant("w", [3, 36], 17), RandomConstant("b", [3], 18)));
        var m = EdgeModelEmitter.Emit(Plans.For(g), Description with { Labels = ["a", "b", "c"] });
        var bytes = EdgeModelWriter.ToBytes(m);
        var back = EdgeModelReader.Read(bytes, "memory");
        Assert.Equal(bytes, EdgeModelWriter.ToBytes(back));
        Assert.Equal(["a", "b", "c"], back.Labels);
    }

    [Fact]
    public void Labels_must_fit_the_output()
    {
        var g = Graph(3, 4, 4, ["y"], new GlobalAveragePoolNode("gap", "x", "p"), new FlattenNode("flat", "p", "y"));
        var e = Assert.Throws<ConverterOptionsException>(() => EdgeModelEmitter.Emit(Plans.For(g), Description with { Labels = ["only one"] }));
        Assert.Contains("1 labels", e.Message);
    }
}
