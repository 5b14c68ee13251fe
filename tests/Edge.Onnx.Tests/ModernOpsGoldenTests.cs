using Edge.Core.Graph;
using Edge.Core.Graph.Nodes;
using Edge.Quantization;
using Edge.Quantization.Quantizer;
using Edge.Reference;
using Edge.Runtime.Format;
using Edge.Runtime.Session;

namespace Edge.Onnx.Tests;

/// <summary>
/// The operators of modern CNNs, end to end, on two tiny seeded PyTorch models (Data/modern, made by
/// tools/train/modern_ops.py, opset 14): squeeze-excitation Mul with sigmoid and hardsigmoid gates, SiLU (F.silu and
/// <c>x * sigmoid(x)</c>), Hardswish, ReduceMean with keepdims 1 and 0, channel split (chunk → Slice) and shuffle
/// (Reshape → Transpose → Reshape), Sub/Div/Add by constants, nearest ×2 Resize, GlobalMaxPool. The import gives the
/// expected IR; the float path matches PyTorch to 1e-4; the int8 model (calibrated on the same 8 inputs) keeps the
/// float logits' direction, also with every new operator kept in float (the runtime's float kernels).
/// </summary>
public class ModernOpsGoldenTests
{
    private const int Count = 8;

    public static TheoryData<string> Models => new(["se-silu", "shuffle"]);

    private static string Data(string file) => Path.Combine(AppContext.BaseDirectory, "Data", "modern", file);

    private static float[] ReadF32(string file)
    {
        var bytes = File.ReadAllBytes(Data(file));
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    [Fact]
    public void Import_gives_one_ir_node_per_modern_operator()
    {
        var se = OnnxImporter.Import(Data("se-silu.onnx"));
        Assert.Equal(2, se.Nodes.OfType<SiluNode>().Count());
        Assert.Equal(2, se.Nodes.OfType<BroadcastMulNode>().Count());
        Assert.Single(se.Nodes.OfType<HardSwishNode>());
        Assert.Equal(3, se.Nodes.OfType<GlobalAveragePoolNode>().Count()); // two keepdims=1 means, one keepdims=0 (+ Flatten)
        Assert.DoesNotContain(se.Nodes, n => n is SigmoidNode s && se.Nodes.OfType<SiluNode>().Any(silu => silu.Input == s.Input));

        var shuffle = OnnxImporter.Import(Data("shuffle.onnx"));
        var slices = shuffle.Nodes.OfType<SliceNode>().ToList();
        Assert.Equal(2, slices.Count);
        Assert.Equal([(0, 4), (4, 8)], slices.Select(s => (s.Starts.Single(), s.Ends.Single())));
        Assert.All(slices, s => Assert.Equal([1], s.Axes));
        Assert.Equal(2, Assert.Single(shuffle.Nodes.OfType<ChannelShuffleNode>()).Groups);
        Assert.DoesNotContain(shuffle.Nodes, n => n is TransposeNode);
        Assert.Equal((2, 2), shuffle.Nodes.OfType<UpsampleNearestNode>().Select(u => (u.ScaleH, u.ScaleW)).Single());
        Assert.Single(shuffle.Nodes.OfType<GlobalMaxPoolNode>());
        Assert.Equal(2, shuffle.Nodes.OfType<AddConstantNode>().Count()); // x − mean, + 0.5
        Assert.Single(shuffle.Nodes.OfType<MulNode>());                    // / std as · (1/std)
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Float_path_matches_pytorch(string name)
    {
        var graph = OnnxImporter.Import(Data($"{name}.onnx"));
        var input = ReadF32($"{name}.input.f32");
        var expected = ReadF32($"{name}.output.f32");
        var actual = new ReferenceExecutor(graph, Count).Run(input, Count);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            float d = Math.Abs(expected[i] - actual[i]);
            if (!(d <= 1e-4f)) Assert.Fail($"{name} index {i}: PyTorch {expected[i]:R}, Edge {actual[i]:R}, |diff| {d:G3}");
        }
    }

    [Theory]
    [InlineData("se-silu", false)]
    [InlineData("shuffle", false)]
    [InlineData("se-silu", true)]
    [InlineData("shuffle", true)]
    public void Int8_model_keeps_the_float_logits(string name, bool keepNewOpsFloat)
    {
        var graph = OnnxImporter.Import(Data($"{name}.onnx"));
        var keep = keepNewOpsFloat
            ? graph.Nodes.Where(n => n is SiluNode or BroadcastMulNode or ChannelShuffleNode or SliceNode or UpsampleNearestNode or GlobalMaxPoolNode).Select(n => n.Name).ToArray()
            : [];
        var options = new ConverterOptions { Calibrator = "minmax", Quantizer = new QuantizerOptions { KeepFloat = keep } };
        var result = Converter.Convert(graph, Data($"{name}.input.f32"), options);
        var session = EdgeSession.FromModel(result.Model);
        var input = ReadF32($"{name}.input.f32");
        var expected = ReadF32($"{name}.output.f32");
        int item = input.Length / Count, classes = expected.Length / Count;
        var logits = new float[classes];
        for (int b = 0; b < Count; b++)
        {
            session.Run(input.AsSpan(b * item, item), logits);
            double cos = Cosine(expected.AsSpan(b * classes, classes), logits);
            Assert.True(cos >= 0.99, $"{name} (new ops {(keepNewOpsFloat ? "float" : "int8")}) item {b}: cosine {cos:F5} < 0.99");
        }
        if (keepNewOpsFloat) Assert.Contains(result.Model.Ops, o => o.Type == EdgeOpType.Dequantize && !result.Model.Outputs.Contains(o.Outputs[0]));
    }

    [Theory]
    [InlineData("se-silu", false)]
    [InlineData("shuffle", false)]
    [InlineData("shuffle", true)]
    public void Session_run_allocates_nothing(string name, bool keepNewOpsFloat)
    {
        var graph = OnnxImporter.Import(Data($"{name}.onnx"));
        var keep = keepNewOpsFloat ? graph.Nodes.Where(n => n is ChannelShuffleNode or SliceNode or UpsampleNearestNode or GlobalMaxPoolNode).Select(n => n.Name).ToArray() : [];
        var model = Converter.Convert(graph, Data($"{name}.input.f32"), new ConverterOptions { Quantizer = new QuantizerOptions { KeepFloat = keep } }).Model;
        var session = EdgeSession.FromModel(model);
        var input = ReadF32($"{name}.input.f32").AsSpan(0, session.Inputs[0].NhwcShape.Aggregate(1, (a, d) => a * d)).ToArray();
        var output = new float[session.Outputs[0].NhwcShape.Aggregate(1, (a, d) => a * d)];
        Edge.Tests.Shared.ZeroAllocation.Assert($"{name} session Run", () => session.Run(input, output), runs: 500);
    }

    [Theory]
    [InlineData(EdgeOpType.Mul, "ints")]
    [InlineData(EdgeOpType.ChannelShuffle, "groups")]
    [InlineData(EdgeOpType.Slice, "outside the input")]
    [InlineData(EdgeOpType.UpsampleNearest, "output")]
    [InlineData(EdgeOpType.GlobalMaxPool, "parameters")]
    public void Session_rejects_a_malformed_operator_naming_it(EdgeOpType type, string expected)
    {
        var model = Converter.Convert(OnnxImporter.Import(Data("shuffle.onnx")), Data("shuffle.input.f32"), new ConverterOptions()).Model;
        if (type == EdgeOpType.Mul) model = Converter.Convert(OnnxImporter.Import(Data("se-silu.onnx")), Data("se-silu.input.f32"), new ConverterOptions()).Model;
        int k = model.Ops.FindIndex(o => o.Type == type);
        var op = model.Ops[k];
        int[] ints = type switch
        {
            EdgeOpType.Mul => op.Ints[..3],                                    // M, n, qmin without qmax
            EdgeOpType.ChannelShuffle => [3],                                  // 3 groups of 8 channels
            EdgeOpType.Slice => [0, 0, 0, 5],                                  // channels [5, 9) of 8
            EdgeOpType.UpsampleNearest => [3, 2],                              // the output is ×2, not ×3
            _ => op.Ints,
        };
        if (type == EdgeOpType.GlobalMaxPool)
        {
            var t = model.Tensors[op.Outputs[0]];
            model.Tensors[op.Outputs[0]] = new EdgeTensor(t.Name, t.DataType, t.Shape, t.Scale * 2, t.ZeroPoint);
        }
        model.Ops[k] = new EdgeOp(op.Type, op.Name, op.Inputs, op.Outputs, ints, op.Floats, op.Blobs);
        var e = Assert.Throws<EdgeModelFormatException>(() => EdgeSession.FromModel(model));
        Assert.Contains($"'{op.Name}' ({type})", e.Message);
        Assert.Contains(expected, e.Message);
    }

    internal static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            ab += (double)a[i] * b[i];
            aa += (double)a[i] * a[i];
            bb += (double)b[i] * b[i];
        }
        return ab / Math.Sqrt(aa * bb);
    }
}
