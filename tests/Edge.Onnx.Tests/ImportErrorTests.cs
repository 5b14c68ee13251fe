using Edge.Core.Errors;
using Edge.Tests.Shared;

namespace Edge.Onnx.Tests;

/// <summary>Every failure is a ModelImportException whose one-line message names the file (and node and op type).</summary>
public class ImportErrorTests
{
    /// <summary>A small complete model: Conv → Relu → Flatten → Gemm, a few hundred bytes.</summary>
    private static OnnxModelBuilder SmallModel()
        => new OnnxModelBuilder().Input("x", "batch", 1, 4, 4)
            .RandomInitializer("w", 2, 1, 3, 3).RandomInitializer("b", 2)
            .Node("Conv", ["x", "w", "b"], ["c"], "conv")
            .Node("Relu", ["c"], ["r"], "relu")
            .Node("Flatten", ["r"], ["f"], "flatten")
            .RandomInitializer("fc", 3, 8)
            .Node("Gemm", ["f", "fc"], ["y"], "fc", OnnxAttr.Int("transB", 1))
            .Output("y");

    [Fact]
    public void UnsupportedOperator_NamesFileNodeAndOpTypeAndListsTheSupportedOnes()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 4)
            .Node("Relu", ["x"], ["r"], "relu")
            .Node("Foo", ["r"], ["y"], "Foo_3")
            .Output("y");
        var e = TestImport.Unsupported(model, "Foo_3", "Foo");

        Assert.StartsWith("model.onnx: node 'Foo_3' (op type 'Foo'): operator is not supported (supported: Add, AveragePool, BatchNormalization, Clip, Concat, Conv,", e.Message);
        Assert.Contains("folded in shape computations: Cast, Constant, ConstantOfShape, Gather, Shape, Squeeze, Unsqueeze", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void UnsupportedOperator_WithoutANodeName_IsNamedByOpTypeAndIndex()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 4)
            .Node("Relu", ["x"], ["r"], "")
            .Node("Resize", ["r"], ["y"], "")
            .Output("y");
        TestImport.Unsupported(model, "Resize_1", "Resize");
    }

    [Fact]
    public void ANodeOfAnotherDomain_IsUnsupported()
    {
        var node = new Proto.NodeProto { Name = "fused", OpType = "Relu", Domain = "com.microsoft", Input = { "x" }, Output = { "y" } };
        var model = new OnnxModelBuilder().Input("x", "batch", 4).Node(node).Output("y");
        Assert.Contains("domain 'com.microsoft'", TestImport.Unsupported(model, "fused", "Relu").Message);
    }

    [Fact]
    public void TheAiOnnxDomainName_IsTheDefaultDomain()
    {
        var node = new Proto.NodeProto { Name = "relu", OpType = "Relu", Domain = "ai.onnx", Input = { "x" }, Output = { "y" } };
        Assert.Single(TestImport.Import(new OnnxModelBuilder().Input("x", "batch", 4).Node(node).Output("y")).Nodes);
    }

    [Fact]
    public void EveryTruncationOfAModel_FailsWithModelImportException()
    {
        var bytes = SmallModel().ToBytes();
        OnnxImporter.Import(bytes, "model.onnx"); // the whole file is fine

        for (int length = 0; length < bytes.Length; length++)
        {
            var e = Assert.Throws<ModelImportException>(() => OnnxImporter.Import(bytes.AsSpan(0, length), "model.onnx"));
            Assert.StartsWith("model.onnx: ", e.Message);
        }
    }

    [Fact]
    public void CorruptedBytes_FailOnlyWithModelImportException()
    {
        var bytes = SmallModel().ToBytes();
        var random = new Random(1234);
        int failures = 0;
        for (int trial = 0; trial < 3000; trial++)
        {
            var copy = (byte[])bytes.Clone();
            for (int k = random.Next(1, 4); k > 0; k--) copy[random.Next(copy.Length)] = (byte)random.Next(256);
            try
            {
                OnnxImporter.Import(copy, "model.onnx");
            }
            catch (ModelImportException)
            {
                failures++;
            }
        }
        Assert.True(failures > 100, $"only {failures} of 3000 corrupted files failed to import");
    }

    [Fact]
    public void AnEmptyFile_IsNotAValidModel()
    {
        var path = Path.Combine(Path.GetTempPath(), $"edge-empty-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, []);
        try
        {
            var e = Assert.Throws<ModelImportException>(() => OnnxImporter.Import(path));
            Assert.Equal($"{path}: not a valid ONNX model: the file is empty", e.Message);
            Assert.Equal(path, e.File);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TextIsNotAValidModel()
    {
        var e = Assert.Throws<ModelImportException>(() => OnnxImporter.Import("{\"models\": []}\n"u8.ToArray(), "manifest.json"));
        Assert.StartsWith("manifest.json: not a valid ONNX model: ", e.Message);
    }

    [Fact]
    public void AMissingFile_FailsWithModelImportException()
    {
        var e = Assert.Throws<ModelImportException>(() => OnnxImporter.Import("/nonexistent/dir/model.onnx"));
        Assert.StartsWith("/nonexistent/dir/model.onnx: cannot read the model file: ", e.Message);
        Assert.IsAssignableFrom<IOException>(e.InnerException);
    }

    [Fact]
    public void AModelWithoutAGraph_IsNotAValidModel()
    {
        var model = SmallModel().Build();
        model.Graph = null;
        var e = Assert.Throws<ModelImportException>(() => OnnxImporter.Import(Google.Protobuf.MessageExtensions.ToByteArray(model), "model.onnx"));
        Assert.Equal("model.onnx: not a valid ONNX model: it has no graph", e.Message);
    }

    [Fact]
    public void AModelWithoutTheDefaultOpset_IsNotAValidModel()
    {
        var model = SmallModel().Build();
        model.OpsetImport[0].Domain = "ai.onnx.ml";
        var e = Assert.Throws<ModelImportException>(() => OnnxImporter.Import(Google.Protobuf.MessageExtensions.ToByteArray(model), "model.onnx"));
        Assert.Contains("imports no opset of the default ONNX domain", e.Message);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(18)]
    public void OpsetsOutside11To17_AreRejected(int opset)
    {
        var e = TestImport.Fails(SmallModel().Opset(opset));
        Assert.Equal($"model.onnx: opset {opset} is not supported: Edge imports opsets 11 to 17 (re-export with opset_version=13)", e.Message);
    }

    [Fact]
    public void NaNWeights_FailValidationWithTheFileName()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 1, 4, 4)
            .Initializer("conv.weight", [1, 1, 2, 2], [0.5f, float.NaN, 1f, 2f])
            .Node("Conv", ["x", "conv.weight"], ["y"], "conv")
            .Output("y");
        var e = TestImport.Fails(model);

        Assert.Equal("model.onnx: node 'conv' (op type 'Conv'): constant 'conv.weight' holds a non-finite value NaN at flat index 1", e.Message);
        var inner = Assert.IsType<GraphValidationException>(e.InnerException);
        Assert.Equal("conv", inner.NodeName);
    }

    [Fact]
    public void InfiniteBias_FailsValidation()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 2)
            .RandomInitializer("w", 2, 2).Initializer("b", [2], [0f, float.PositiveInfinity])
            .Node("Gemm", ["x", "w", "b"], ["y"], "fc", OnnxAttr.Int("transB", 1))
            .Output("y");
        var e = TestImport.Fails(model);
        Assert.Contains("node 'fc' (op type 'Gemm'): constant 'b' holds a non-finite value", e.Message);
        Assert.IsType<GraphValidationException>(e.InnerException);
    }

    [Fact]
    public void ADynamicNonBatchDimension_Fails()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 3, "height", 8).Node("Relu", ["x"], ["y"], "relu").Output("y");
        var e = TestImport.Fails(model);
        Assert.Equal("model.onnx: graph input 'x': dimension 2 is symbolic ('height'); only the batch dimension (0) may be dynamic", e.Message);
    }

    [Fact]
    public void ANonFloatInput_Fails()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 4).Node("Relu", ["x"], ["y"], "relu").Output("y");
        model.Graph.Input[0].Type.TensorType.ElemType = (int)Proto.TensorProto.Types.DataType.Int64;
        Assert.Contains("graph input 'x': element type Int64 is not supported", TestImport.Fails(model).Message);
    }

    [Fact]
    public void AnInputWithoutAShape_Fails()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 4).Node("Relu", ["x"], ["y"], "relu").Output("y");
        model.Graph.Input[0].Type.TensorType.Shape = null;
        Assert.Contains("graph input 'x': has no shape", TestImport.Fails(model).Message);
    }

    [Fact]
    public void ANodeReadingAnUndefinedTensor_Fails()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 4)
            .Node("Relu", ["later"], ["y"], "early")
            .Node("Relu", ["x"], ["later"], "late")
            .Output("y");
        Assert.Equal("model.onnx: node 'early' (op type 'Relu'): input 'later' is produced by no earlier node, initializer or graph input", TestImport.Fails(model).Message);
    }

    [Fact]
    public void ATensorDefinedTwice_FailsNamingTheNode()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 4)
            .Node("Relu", ["x"], ["y"], "first")
            .Node("Sigmoid", ["x"], ["y"], "second")
            .Output("y");
        Assert.Contains("node 'second' (op type 'Sigmoid'): output 'y' is already defined", TestImport.Fails(model).Message);
    }

    [Theory]
    [InlineData("Add")]
    [InlineData("Mul")]
    [InlineData("Shape")]
    [InlineData("Relu")]
    public void AnOmittedRequiredInput_Fails(string op)
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 4)
            .Node(op, op == "Relu" || op == "Shape" ? [""] : ["x", ""], ["y"], "node")
            .Output("y");
        Assert.Contains("node 'node' (op type '" + op + "'): ", TestImport.Fails(model).Message);
    }

    [Fact]
    public void AGraphOutputThatNoNodeProduces_Fails()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 4).Node("Relu", ["x"], ["y"], "relu").Output("y").Output("z");
        Assert.Equal("model.onnx: graph output 'z' is produced by no node", TestImport.Fails(model).Message);
    }

    [Fact]
    public void AnAttributeOfTheWrongType_Fails()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 4).Node("LeakyRelu", ["x"], ["y"], "leaky", OnnxAttr.Int("alpha", 1)).Output("y");
        Assert.Equal("model.onnx: node 'leaky' (op type 'LeakyRelu'): attribute 'alpha' must be FLOAT, got INT", TestImport.Fails(model).Message);
    }

    [Fact]
    public void ShapeErrorsFoundAtImport_NameTheNodeAndKeepTheCause()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 1, 2, 2)
            .RandomInitializer("w", 1, 1, 3, 3)
            .Node("Conv", ["x", "w"], ["y"], "too_big")
            .Output("y");
        var e = TestImport.Fails(model);
        Assert.StartsWith("model.onnx: node 'too_big' (op type 'Conv'): ", e.Message);
        Assert.IsType<ShapeInferenceException>(e.InnerException);
    }
}
