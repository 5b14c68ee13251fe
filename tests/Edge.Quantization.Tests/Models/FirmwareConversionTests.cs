using Edge.Quantization.Calibration;
using Edge.Quantization.Quantizer;
using Edge.Quantization.Tests.Quantizer;
using Edge.Runtime.Format;
using Edge.Tests.Shared;

namespace Edge.Quantization.Tests.Models;

/// <summary>Every shipped model converts, in both ONNX forms, with every calibrator; what the results have in common.</summary>
public class FirmwareConversionTests
{
    public static TheoryData<string, string, string> ModelsFormsCalibrators()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var m in FirmwareModels.All)
            foreach (var form in new[] { "onnx", "bn_onnx" })
                foreach (var c in Calibrator.Names) data.Add(m.Name, form, c);
        return data;
    }

    [Theory]
    [MemberData(nameof(ModelsFormsCalibrators))]
    public void Every_shipped_model_converts(string name, string form, string calibrator)
    {
        var result = Conversions.Get(name, form, calibrator);
        var model = result.Model;
        var entry = FirmwareModels.Get(name);
        // The model survives its own writer and the bounds-checked reader unchanged.
        var bytes = EdgeModelWriter.ToBytes(model);
        Assert.Equal(bytes, EdgeModelWriter.ToBytes(EdgeModelReader.Read(bytes, name)));
        // Input int8 NHWC with the recorded preprocessing; output float32 with the manifest's name and class count.
        var input = model.Tensors[model.Inputs[0].Tensor];
        Assert.Equal(EdgeDataType.Int8, input.DataType);
        Assert.Equal([1, entry.InputShape[2], entry.InputShape[3], entry.InputShape[1]], input.Shape);
        Assert.Equal(entry.Normalization.Mean, model.Inputs[0].Mean);
        var output = model.Tensors[model.Outputs[0]];
        Assert.Equal((entry.OutputName, EdgeDataType.Float32, entry.NumClasses), (output.Name, output.DataType, output.Shape[^1]));
        Assert.Equal(calibrator, model.Metadata["calibrator"]);
        Assert.Equal(Path.GetFileName(FirmwareModels.OnnxPath(entry, form)), model.Metadata["source"]);
        // Every requantization multiplier honours the contract: n in [31, 62], M in [0, 2^31).
        foreach (var np in result.Plan.Nodes.Values.Where(n => n.Multipliers is not null))
        {
            Assert.All(np.Multipliers!.OfType<Edge.Runtime.Arithmetic.QuantizedMultiplier>(), q => Assert.True(q.Shift is >= 31 and <= 62 && q.Multiplier >= 0, $"{np.Node.Name}: {q}"));
        }
        // No BatchNorm, Dropout or Identity is left.
        Assert.DoesNotContain(result.Plan.Graph.Nodes, n => n.OpType is "BatchNormalization" or "Dropout" or "Identity" or "Mul");
    }

    [Theory]
    [MemberData(nameof(FirmwareModels.Names), MemberType = typeof(FirmwareModels))]
    public void The_two_onnx_forms_give_the_same_int8_model_and_the_same_outputs(string name)
    {
        // The folded export and the explicit-BatchNorm export fold to the same float graph bit for bit, so everything
        // downstream is identical: the models differ only in tensor names (a folded conv writes the BN's output name)
        // and the source file recorded. Tolerance on the fake-quant outputs: none.
        var a = Conversions.Get(name, "onnx");
        var b = Conversions.Get(name, "bn_onnx");
        Assert.Equal(a.Model.Tensors.Select(t => t with { Name = "" }), b.Model.Tensors.Select(t => t with { Name = "" }));
        Assert.Equal(a.Model.Ops.Count, b.Model.Ops.Count);
        for (int i = 0; i < a.Model.Ops.Count; i++)
        {
            EdgeOp x = a.Model.Ops[i], y = b.Model.Ops[i];
            Assert.Equal(x.Type, y.Type);
            Assert.Equal(x.Inputs, y.Inputs);
            Assert.Equal(x.Outputs, y.Outputs);
            Assert.Equal(x.Ints, y.Ints);
            Assert.Equal(x.Floats, y.Floats);
            Assert.Equal(x.Blobs.Length, y.Blobs.Length);
            for (int k = 0; k < x.Blobs.Length; k++) Assert.Equal(x.Blobs[k].Data, y.Blobs[k].Data);
        }
        var golden = FirmwareModels.LoadGolden(FirmwareModels.Get(name));
        int items = name.Contains("224") ? 4 : golden.Count, itemLength = golden.Input.Length / golden.Count;
        var simA = new FakeQuantSimulator(a.Plan, items);
        var simB = new FakeQuantSimulator(b.Plan, items);
        var input = golden.Input[..(items * itemLength)];
        Assert.Equal(simA.Run(input, items), simB.Run(input, items));
    }

    [Theory]
    [InlineData("lenet5-mnist")]
    [InlineData("inception-zoo")]
    public void Reconversion_gives_the_same_bytes(string name)
    {
        var first = Conversions.Convert(name, "bn_onnx", "entropy");
        var second = Conversions.Convert(name, "bn_onnx", "entropy");
        string p1 = Path.Combine(Conversions.TempDirectory.Value, $"{name}.1.edge"), p2 = Path.Combine(Conversions.TempDirectory.Value, $"{name}.2.edge");
        first.Save(p1);
        second.Save(p2);
        Assert.Equal(File.ReadAllBytes(p1), File.ReadAllBytes(p2));
    }

    [Theory]
    [MemberData(nameof(FirmwareModels.TrainedNames), MemberType = typeof(FirmwareModels))]
    public void The_int8_arithmetic_of_the_written_model_tracks_the_fake_quant_simulation(string name)
    {
        // The test interpreter executes the written bytes as docs/int8-arithmetic.md says; the simulation rounds in float
        // where the integer arithmetic rounds intermediate results (Add, average pools, rescales). On the trained models
        // the two agree on every golden top-1 and within 3 output steps. (The random-weight zoo models amplify such
        // one-step differences into larger ones; the emitter's unit tests hold each operator to one step.)
        var result = Conversions.Get(name, "onnx");
        var golden = FirmwareModels.LoadGolden(FirmwareModels.Get(name));
        int itemLength = golden.Input.Length / golden.Count;
        var sim = new FakeQuantSimulator(result.Plan);
        var interpreter = new Int8Interpreter(result.Model);
        float step = result.Plan.Tensors[result.Plan.Graph.Outputs[0]].Params.Scale;
        for (int k = 0; k < golden.Count; k++)
        {
            var x = golden.Input.AsSpan(k * itemLength, itemLength);
            var expected = sim.Run(x, 1);
            var actual = interpreter.Run(x);
            Assert.Equal(ArgMax(expected), ArgMax(actual));
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 3 * step, $"{name} item {k} index {i}: simulation {expected[i]}, int8 {actual[i]} (step {step})");
        }
    }

    internal static int ArgMax(ReadOnlySpan<float> v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
