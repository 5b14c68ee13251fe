using System.Runtime.InteropServices;
using Edge.Runtime.Arithmetic;
using Edge.Runtime.Format;
using Edge.Runtime.Planning;
using Edge.Runtime.Session;
using Edge.Runtime.Tests.Session.Support;
using Edge.Tests.Shared;
using Xunit.Abstractions;

namespace Edge.Runtime.Tests.Session;

/// <summary>
/// Every shipped model, converted by the converter (<see cref="ConvertedModels"/>), in an <see cref="EdgeSession"/>
/// against the converter's fake-quant simulation (<c>FakeQuantSimulator</c>), and its memory plan.
/// <para>
/// Two comparisons, because they answer different questions:
/// <list type="bullet">
/// <item>Per operator, given the same inputs (the simulation's int8 values written into the operator's input tensors), the
/// int8 kernel's output is within 1 LSB of the simulation's. This is the contract (docs/int8-arithmetic.md) against its float
/// model: they differ only where the float computation sits on a rounding tie.</item>
/// <item>End to end, running freely on the golden inputs. Here 1 LSB is not achievable: a 1-LSB difference at a tie in
/// one layer (the simulation averages pools in float32, so exact .5 ties fall either way; its float32 convolution sums
/// land on either side of near-ties) is multiplied by the weights of every later layer. The bound per model below is the
/// measured divergence with headroom; top-1 must agree except where the simulation's own top two are closer than that.</item>
/// </list>
/// </para>
/// </summary>
public class FirmwareModelSessionTests(ITestOutputHelper output)
{
    /// <summary>
    /// Free-running comparison per model: the largest difference of the logits (the int8 tensor the last operator reads)
    /// from the simulation's, in LSB, and the fewest golden inputs on which top-1 must agree — both measured with the
    /// default calibrator (mse) on the calibration subsets of <see cref="ConvertedModels"/> (figures beside each entry),
    /// with headroom: 1 LSB on the shallow models, about a quarter on the deep ones, one or two inputs of agreement on the
    /// deep ones — and how many golden inputs run (all 32; MobileNetV2 at 224×224 runs 8 in Debug builds, where one
    /// inference and its simulation take 1.6 s). The trained models (lenet5-*, mobilenet-fashion) stay within 2 LSB and
    /// agree everywhere. The other shallow ones stay within 3 LSB; vgg-zoo's one disagreement (golden input 11) is where
    /// the simulation's own top two are equal in int8. The deep ones amplify tie differences (see the class comment):
    /// alexnet-zoo's logits match exactly on 30 inputs and are 13 and 22 LSB off on two, where one 1-LSB tie in its third
    /// convolution spreads to a tenth of the last hidden layer, which its scaled-up classifier multiplies; where a deep
    /// model's simulated top two are that close, top-1 flips (on the measured flips the gap was 0 to 15 LSB).
    /// </summary>
#if DEBUG
    private const int MobileNetV2Inputs = 8, MobileNetV2MinAgree = 5;   // measured 6 of 8 (the first 8 of the Release run)
#else
    private const int MobileNetV2Inputs = 32, MobileNetV2MinAgree = 19; // measured 21 of 32
#endif

    private static readonly Dictionary<string, (int Bound, int MinAgree, int Inputs)> FreeRunning = new()
    {
        ["lenet5-mnist"] = (3, 32, 32),         // measured 2 LSB, 32 of 32
        ["lenet5-fashion"] = (1, 32, 32),       // measured 0 LSB, 32 of 32
        ["mobilenet-fashion"] = (1, 32, 32),    // measured 0 LSB, 32 of 32
        ["alexnet-zoo"] = (28, 31, 32),         // measured 22 LSB, 32 of 32
        ["vgg-zoo"] = (3, 31, 32),              // measured 2 LSB, 31 of 32
        ["resnet-zoo"] = (14, 30, 32),          // measured 11 LSB, 31 of 32
        ["inception-zoo"] = (4, 32, 32),        // measured 3 LSB, 32 of 32
        ["ops-zoo"] = (40, 30, 32),             // measured 32 LSB, 31 of 32
        ["mobilenetv2-224"] = (55, MobileNetV2MinAgree, MobileNetV2Inputs), // measured 43 LSB
    };

    public static TheoryData<string> Names => FirmwareModels.Names();

    /// <summary>
    /// The models of the conformance run, which CI repeats with instruction sets turned off: all but MobileNetV2 at 224×224,
    /// whose operators (depthwise, pointwise, Add, ReLU6, global pool, Gemm) mobilenet-fashion has at a fraction of the cost.
    /// </summary>
    public static TheoryData<string> ConformanceNames => new(FirmwareModels.All.Select(m => m.Name).Where(n => n != "mobilenetv2-224"));

    [Theory]
    [MemberData(nameof(Names))]
    public void The_arena_has_no_live_overlap_and_stays_within_10_percent_of_the_lower_bound(string name)
    {
        var s = ConvertedModels.Get(name).Session(KernelSelection.Auto);
        Assert.Empty(ArenaPlanner.FindOverlaps(s.ArenaBuffers, s.ArenaPlan.Offsets));
        double ratio = (double)s.ArenaBytes / s.LowerBoundBytes;
        output.WriteLine($"{name}: arena {s.ArenaBytes:N0} B, lower bound {s.LowerBoundBytes:N0} B, naive {s.NaiveBytes:N0} B, ratio {ratio:F3}");
        Assert.True(ratio <= 1.1, $"{name}: arena {s.ArenaBytes} is {ratio:F3} × the lower bound {s.LowerBoundBytes}");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_operator_is_within_1_LSB_of_the_simulation_given_the_same_inputs(string name)
        => CompareOperators(ConvertedModels.Get(name), name);

    /// <summary>
    /// Models with nodes kept in float32: the activations only (Dequantize → float activation → Quantize between int8
    /// operators), or every node (the whole model on the float kernels). Per operator as above; float outputs within
    /// float rounding of the simulation's (the float kernels sum in another order than the reference's).
    /// </summary>
    [Theory]
    [InlineData("ops-zoo", "activations")]
    [InlineData("ops-zoo", "all")]
    [InlineData("inception-zoo", "all")]
    [InlineData("resnet-zoo", "all")]
    [InlineData("alexnet-zoo", "all")]
    [InlineData("lenet5-mnist", "all")]
    public void Kept_float_operators_run_on_the_float_kernels_and_match_the_simulation(string name, string kept)
    {
        var c = ConvertedModels.GetKeepingFloat(name, kept, n => kept == "all" || n is Core.Graph.Nodes.UnaryElementwiseNode);
        var s = c.Session(KernelSelection.Auto);
        var kernels = s.Operators.Select(o => o.Kernel).ToArray();
        Assert.Contains(kernels, k => k.StartsWith("Float", StringComparison.Ordinal) && k != "Float32Quantize");
        if (kept == "all") Assert.All(s.Operators.Skip(1), o => Assert.True(o.Kernel.StartsWith("Float", StringComparison.Ordinal) || o.Kernel == "view", $"{o.Name}: {o.Kernel}"));
        else Assert.Contains("Float32Quantize", kernels);
        CompareOperators(c, $"{name} ({kept} float)");
    }

    /// <summary>
    /// Float outputs may differ from the reference's by float32 rounding: the kernels sum in another order (the reference
    /// blocks its matrix products), and where large products cancel (the zoo models' last layer is scaled up) the
    /// difference relative to the result grows; 1e-4 of the tensor's largest magnitude covers it.
    /// </summary>
    private const float FloatTolerance = 1e-4f;

    private void CompareOperators(Converted c, string name)
    {
        var s = c.Session(KernelSelection.Auto);
        var model = s.Model;
        var tensors = c.SimulateTensors(0);
        int compared = 0;
        for (int i = 0; i < model.Ops.Count; i++)
        {
            var op = model.Ops[i];
            if (op.Type is EdgeOpType.Reshape) continue;
            foreach (var t in op.Inputs) Write(s, model, Root(model, t), tensors);
            s.RunOperator(i);
            var y = model.Tensors[op.Outputs[0]];
            var expected = Simulated(model, op.Outputs[0], tensors);
            var actual = s.TensorBytes(op.Outputs[0]);
            string where = $"{name}: operator {i} '{op.Name}' ({op.Type}) → '{y.Name}'";
            if (y.DataType == EdgeDataType.Int8)
            {
                var q = MemoryMarshal.Cast<byte, sbyte>(actual);
                var p = new QuantizationParams(y.Scale, y.ZeroPoint);
                int off = 0;
                for (int e = 0; e < q.Length; e++)
                {
                    int d = Math.Abs(q[e] - p.Quantize(expected[e]));
                    Assert.True(d <= 1, $"{where}: element {e} is {q[e]}, the simulation gives {p.Quantize(expected[e])}");
                    off += d;
                }
                output.WriteLine($"{where}: {off} of {q.Length} elements 1 LSB off");
            }
            else
            {
                var f = MemoryMarshal.Cast<byte, float>(actual);
                float scale = Math.Max(1f, expected.Max(MathF.Abs)), worst = 0;
                for (int e = 0; e < f.Length; e++)
                {
                    worst = Math.Max(worst, Math.Abs(f[e] - expected[e]) / scale);
                    Assert.True(Math.Abs(f[e] - expected[e]) <= FloatTolerance * scale, $"{where}: element {e} is {f[e]}, the simulation gives {expected[e]}");
                }
                output.WriteLine($"{where}: float, {worst:G3} relative");
            }
            compared++;
        }
        Assert.True(compared >= 3, $"{name}: only {compared} operators compared");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Running_freely_on_the_golden_inputs_agrees_with_the_simulation(string name)
    {
        var c = ConvertedModels.Get(name);
        var s = c.Session(KernelSelection.Auto);
        var model = s.Model;
        int logits = model.Ops.Last(o => o.Outputs[0] == model.Outputs[0]).Inputs[0];
        var t = model.Tensors[logits];
        var p = new QuantizationParams(t.Scale, t.ZeroPoint);
        var ours = new sbyte[t.ElementCount];
        var y = new float[s.Outputs[0].ElementCount];
        // A model added to the manifest since the table was measured gets a loose default until it is measured.
        var (bound, minAgree, inputs) = FreeRunning.GetValueOrDefault(name, (50, 3 * c.Golden.Count / 4, c.Golden.Count));
        int worst = 0, agree = 0;
        for (int i = 0; i < inputs; i++)
        {
            s.RunObserved(c.GoldenInput(i), y, (op, tensor, data) =>
            {
                if (tensor == logits) MemoryMarshal.Cast<byte, sbyte>(data).CopyTo(ours);
            });
            var simulated = Simulated(model, logits, c.SimulateTensors(i)).Select(v => (int)p.Quantize(v)).ToArray();
            int diff = 0;
            for (int j = 0; j < ours.Length; j++) diff = Math.Max(diff, Math.Abs(ours[j] - simulated[j]));
            worst = Math.Max(worst, diff);
            Assert.True(diff <= bound, $"{name}, golden input {i}: logits '{t.Name}' differ from the simulation's by {diff} LSB, more than {bound}");
            if (ArgMax(ours.Select(v => (int)v).ToArray()) == ArgMax(simulated)) agree++;
        }
        output.WriteLine($"{name}: logits within {worst} LSB of the simulation (bound {bound}); top-1 agrees on {agree} of {inputs} golden inputs");
        Assert.True(agree >= minAgree, $"{name}: top-1 agrees with the simulation on {agree} of {inputs} golden inputs, fewer than {minAgree}");
    }

    [Trait("Category", "Conformance")]
    [Theory]
    [MemberData(nameof(ConformanceNames))]
    public void Scalar_and_Vector128_sessions_are_bit_identical_on_golden_inputs(string name)
    {
        var c = ConvertedModels.Get(name);
        var scalar = c.Session(KernelSelection.Scalar);
        var vector = c.Session(KernelSelection.Vector128);
        var a = new float[scalar.Outputs[0].ElementCount];
        var b = new float[a.Length];
        for (int i = 0; i < 2; i++)
        {
            scalar.Run(c.GoldenInput(i), a);
            vector.Run(c.GoldenInput(i), b);
            Assert.Equal(a, b);
        }
    }

    private static int ArgMax(ReadOnlySpan<int> v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    /// <summary>Follows Reshape views back to the tensor that owns the bytes (a flat tensor's root is the NHWC tensor it views).</summary>
    private static int Root(EdgeModel model, int tensor)
    {
        while (model.Ops.FirstOrDefault(o => o.Outputs[0] == tensor) is { Type: EdgeOpType.Reshape } view) tensor = view.Inputs[0];
        return tensor;
    }

    /// <summary>Writes the simulation's value of <paramref name="tensor"/> into the session's arena, in NHWC order and the tensor's type.</summary>
    private static void Write(EdgeSession s, EdgeModel model, int tensor, Dictionary<string, float[]> tensors)
    {
        var t = model.Tensors[tensor];
        var values = Simulated(model, tensor, tensors);
        var bytes = s.TensorBytes(tensor);
        if (t.DataType == EdgeDataType.Int8)
        {
            var p = new QuantizationParams(t.Scale, t.ZeroPoint);
            var q = MemoryMarshal.Cast<byte, sbyte>(bytes);
            for (int e = 0; e < q.Length; e++) q[e] = p.Quantize(values[e]);
        }
        else values.CopyTo(MemoryMarshal.Cast<byte, float>(bytes));
    }

    /// <summary>
    /// The simulation's value of a model tensor, NHWC: an int8 tensor is the fake-quantized copy (<c>name/fq</c>) of its
    /// float graph tensor (the .edge name without a <c>.int8</c>/<c>.float</c> suffix); a float tensor made by a
    /// Dequantize is that same copy, any other float tensor the float value.
    /// </summary>
    private static float[] Simulated(EdgeModel model, int tensor, Dictionary<string, float[]> tensors)
    {
        var t = model.Tensors[tensor];
        string name = t.Name.EndsWith(".int8", StringComparison.Ordinal) || t.Name.EndsWith(".float", StringComparison.Ordinal) ? t.Name[..t.Name.LastIndexOf('.')] : t.Name;
        bool dequantized = model.Ops.Any(o => o.Type == EdgeOpType.Dequantize && o.Outputs[0] == tensor);
        var nchw = t.DataType == EdgeDataType.Int8 || dequantized ? tensors[name + "/fq"] : tensors[name];
        if (t.Shape.Length != 4) return nchw;
        int hw = t.Shape[1] * t.Shape[2], ch = t.Shape[3];
        var nhwc = new float[nchw.Length];
        for (int p = 0; p < hw; p++)
            for (int c = 0; c < ch; c++) nhwc[p * ch + c] = nchw[c * hw + p];
        return nhwc;
    }
}
