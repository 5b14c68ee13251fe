namespace Edge.Reference.Tests;

/// <summary>Every operator against PyTorch 1.13 (TestData/op_cases.json, made by TestData/make_op_cases.py).</summary>
public class PyTorchOpCaseTests
{
    public static TheoryData<string> CaseNames => new(OpCase.Cases.Keys.Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Matches_pytorch(string name)
    {
        var c = OpCase.Get(name);
        var executor = new ReferenceExecutor(c.ToGraph());
        var inputs = c.Inputs.Select((t, i) => (Name: $"x{i}", t.Data)).ToDictionary(p => p.Name, p => p.Data);

        var y = executor.Run(inputs, batch: 1)["y"];

        Assert.Equal(c.Output.TensorShape, executor.ShapesFor(1)["y"]);
        AssertClose.Equal(c.Output.Data, y, c.Tolerance, $"{name} {c.Attributes}");
    }

    [Fact]
    public void The_cases_cover_every_operator_of_the_ir()
    {
        var ops = OpCase.Cases.Values.Select(c => c.Op).ToHashSet();
        string[] required =
        [
            "Conv", "Gemm", "BatchNormalization", "Relu", "Clip", "LeakyRelu", "Sigmoid", "Tanh", "Elu", "HardSigmoid", "HardSwish",
            "MaxPool", "AveragePool", "GlobalAveragePool", "Add", "Mul", "Concat", "Softmax", "LRN", "Pad",
        ];
        Assert.Empty(required.Except(ops));
        Assert.Contains(OpCase.Cases.Values, c => c.Op == "Conv" && c.Attributes.GetProperty("group").GetInt32() > 1 && c.Name.Contains("depthwise"));
        Assert.Contains(OpCase.Cases.Values, c => c.Op == "AveragePool" && c.Attributes.GetProperty("ceil_mode").GetBoolean() && c.Attributes.GetProperty("count_include_pad").GetBoolean());
        Assert.Contains(OpCase.Cases.Values, c => c.Op == "AveragePool" && c.Attributes.GetProperty("ceil_mode").GetBoolean() && !c.Attributes.GetProperty("count_include_pad").GetBoolean());
    }
}
