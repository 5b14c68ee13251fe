using System.Text.Json;
using Edge.Core.Graph;
using Edge.Core.Graph.Nodes;
using Edge.Core.Shapes;
using Edge.Core.Tensors;

namespace Edge.Reference.Tests;

/// <summary>A float32 tensor of a PyTorch case.</summary>
public sealed record CaseTensor(int[] Shape, float[] Data)
{
    public TensorShape TensorShape => new(Shape);
}

/// <summary>
/// One operator case computed by PyTorch (TestData/make_op_cases.py → op_cases.json): the operator, its attributes in
/// the IR's conventions, the data inputs, the constants and PyTorch's output.
/// </summary>
public sealed class OpCase
{
    private static readonly Lazy<IReadOnlyDictionary<string, OpCase>> All = new(Load);

    private OpCase(JsonElement e)
    {
        Name = e.GetProperty("name").GetString()!;
        Op = e.GetProperty("op").GetString()!;
        Tolerance = e.GetProperty("tol").GetSingle();
        Attributes = e.GetProperty("attrs").Clone();
        Inputs = e.GetProperty("inputs").EnumerateArray().Select(ReadTensor).ToList();
        Constants = e.GetProperty("constants").EnumerateObject().ToDictionary(p => p.Name, p => ReadTensor(p.Value));
        Output = ReadTensor(e.GetProperty("output"));
    }

    public string Name { get; }
    public string Op { get; }
    public float Tolerance { get; }
    public JsonElement Attributes { get; }
    public IReadOnlyList<CaseTensor> Inputs { get; }
    public IReadOnlyDictionary<string, CaseTensor> Constants { get; }
    public CaseTensor Output { get; }

    public static IReadOnlyDictionary<string, OpCase> Cases => All.Value;

    public static OpCase Get(string name) => Cases[name];

    /// <summary>The case as a graph: data inputs "x0", "x1", … (batch dimension dynamic), the node, output "y".</summary>
    public ModelGraph ToGraph()
    {
        var inputs = Inputs.Select((t, i) => new TensorInfo($"x{i}", t.TensorShape)).ToList();
        return new ModelGraph(Name, inputs, ["y"], [BuildNode()]);
    }

    public override string ToString() => Name;

    private Node BuildNode()
    {
        const string x = "x0", y = "y";
        return Op switch
        {
            "Conv" => new ConvNode(Name, x, y, Constant("weight"), OptionalConstant("bias"), Window(), Int("group")) { Clamp = Clamp() },
            "Gemm" => new GemmNode(Name, x, y, Constant("weight"), OptionalConstant("bias")) { Clamp = Clamp() },
            "BatchNormalization" => new BatchNormNode(Name, x, y, Constant("scale"), Constant("bias"), Constant("mean"), Constant("variance"), Float("epsilon")),
            "Relu" => new ReluNode(Name, x, y),
            "Clip" => new ClipNode(Name, x, y, Float("min"), Float("max")),
            "LeakyRelu" => new LeakyReluNode(Name, x, y, Float("alpha")),
            "Sigmoid" => new SigmoidNode(Name, x, y),
            "Tanh" => new TanhNode(Name, x, y),
            "Elu" => new EluNode(Name, x, y, Float("alpha")),
            "HardSigmoid" => new HardSigmoidNode(Name, x, y, Float("alpha"), Float("beta")),
            "HardSwish" => new HardSwishNode(Name, x, y),
            "MaxPool" => new MaxPoolNode(Name, x, y, Window()),
            "AveragePool" => new AveragePoolNode(Name, x, y, Window(), Attributes.GetProperty("count_include_pad").GetBoolean()),
            "GlobalAveragePool" => new GlobalAveragePoolNode(Name, x, y),
            "LRN" => new LrnNode(Name, x, y, Int("size"), Float("alpha"), Float("beta"), Float("bias")),
            "Softmax" => new SoftmaxNode(Name, x, y, Int("axis")),
            "Add" => new AddNode(Name, "x0", "x1", y) { Clamp = Clamp() },
            "Mul" => new MulNode(Name, x, y, Constant("scale")),
            "Concat" => new ConcatNode(Name, Inputs.Select((_, i) => $"x{i}"), y, Int("axis")),
            "Pad" => new PadNode(Name, x, y, Ints("pads"), Float("value")),
            _ => throw new InvalidDataException($"case '{Name}': unknown op {Op}"),
        };
    }

    private Window2d Window()
    {
        int[] k = Ints("kernel"), s = Ints("stride"), p = Ints("pads"), d = Ints("dilation");
        return new Window2d(k[0], k[1], s[0], s[1], p[0], p[1], p[2], p[3], d[0], d[1], Attributes.GetProperty("ceil_mode").GetBoolean());
    }

    /// <summary>The fused clamp, [min, max] with null for an unbounded side; none when absent.</summary>
    private FusedClamp Clamp()
    {
        if (!Attributes.TryGetProperty("clamp", out var c) || c.ValueKind == JsonValueKind.Null) return FusedClamp.None;
        var lo = c[0];
        var hi = c[1];
        return new FusedClamp(lo.ValueKind == JsonValueKind.Null ? float.NegativeInfinity : lo.GetSingle(),
                              hi.ValueKind == JsonValueKind.Null ? float.PositiveInfinity : hi.GetSingle());
    }

    private ConstantTensor Constant(string name) => OptionalConstant(name) ?? throw new InvalidDataException($"case '{Name}' has no constant '{name}'");

    private ConstantTensor? OptionalConstant(string name)
        => Constants.TryGetValue(name, out var t) ? new ConstantTensor($"{Name}.{name}", t.TensorShape, t.Data) : null;

    private int Int(string name) => Attributes.GetProperty(name).GetInt32();
    private float Float(string name) => Attributes.GetProperty(name).GetSingle();
    private int[] Ints(string name) => Attributes.GetProperty(name).EnumerateArray().Select(v => v.GetInt32()).ToArray();

    private static CaseTensor ReadTensor(JsonElement e)
        => new(e.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray(),
               e.GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray());

    private static IReadOnlyDictionary<string, OpCase> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "op_cases.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(e => new OpCase(e)).ToDictionary(c => c.Name);
    }
}
