using Edge.Core.Graph.Nodes;
using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels.Elementwise;
using Edge.Runtime.Tests.Support;

namespace Edge.Runtime.Tests.Kernels;

public class LookupTests
{
    public static TheoryData<string> Functions => new() { "Sigmoid", "Tanh", "Elu", "LeakyRelu", "HardSwish", "HardSigmoid", "Relu" };

    private static UnaryElementwiseNode Node(string name) => name switch
    {
        "Sigmoid" => new SigmoidNode("f", "x", "y"),
        "Tanh" => new TanhNode("f", "x", "y"),
        "Elu" => new EluNode("f", "x", "y"),
        "LeakyRelu" => new LeakyReluNode("f", "x", "y", 0.1f),
        "HardSwish" => new HardSwishNode("f", "x", "y"),
        "HardSigmoid" => new HardSigmoidNode("f", "x", "y", 1f / 6, 0.5f),
        _ => new ReluNode("f", "x", "y"),
    };

    [Theory]
    [MemberData(nameof(Functions))]
    public void Table_lookup_matches_the_float_oracle(string function)
    {
        var f = Node(function);
        var input = new QuantizationParams(0.05f, 10);
        var output = new QuantizationParams(0.02f, -30);
        var op = Int8Lookup.Prepare(Int8Lookup.BuildTable(f.Evaluate, input, output));
        var x = TestData.Activations(new Random(function.Length), 500);
        var y = new sbyte[x.Length];
        Int8Lookup.Run(op, x, y);
        var oracle = x.Select(q => output.Quantize(f.Evaluate(input.Dequantize(q)))).ToArray();
        Exact.Equal<sbyte>(oracle, y, $"{function} in {input} out {output}");
        // And within 1 LSB of the function evaluated in double on the exact input.
        var inDouble = x.Select(q => output.Quantize(InDouble(function, input.DequantizeDouble(q)))).ToArray();
        Exact.Within(inDouble, y, 1, $"{function} in double");
    }

    private static double InDouble(string function, double x) => function switch
    {
        "Sigmoid" => 1 / (1 + Math.Exp(-x)),
        "Tanh" => Math.Tanh(x),
        "Elu" => x > 0 ? x : Math.Exp(x) - 1,
        "LeakyRelu" => x >= 0 ? x : 0.1 * x,
        "HardSwish" => x * Math.Clamp(x + 3, 0, 6) / 6,
        "HardSigmoid" => Math.Clamp(x / 6 + 0.5, 0, 1),
        _ => Math.Max(x, 0),
    };

    [Fact]
    public void The_table_is_indexed_by_q_plus_128()
    {
        var table = Enumerable.Range(0, 256).Select(i => (sbyte)(127 - i)).ToArray();
        var op = Int8Lookup.Prepare(table);
        sbyte[] x = [-128, 0, 127], y = new sbyte[3];
        Int8Lookup.Run(op, x, y);
        Assert.Equal([127, -1, -128], y);
        Assert.Throws<ArgumentException>(() => Int8Lookup.Prepare(new sbyte[255]));
    }
}
