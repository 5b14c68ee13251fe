using Edge.Core.Errors;
using Edge.Core.Graph;
using Edge.Tests.Shared;

namespace Edge.Onnx.Tests;

/// <summary>Imports builder models under the file name "model.onnx" and asserts on the outcome.</summary>
internal static class TestImport
{
    public const string FileName = "model.onnx";

    public static ModelGraph Import(OnnxModelBuilder model) => OnnxImporter.Import(model.ToBytes(), FileName);

    /// <summary>The one node of type <typeparamref name="T"/> in the imported graph.</summary>
    public static T Single<T>(OnnxModelBuilder model) where T : Node => Assert.Single(Import(model).Nodes.OfType<T>());

    /// <summary>Asserts the import fails with exactly <see cref="ModelImportException"/> and that the message names the file.</summary>
    public static ModelImportException Fails(OnnxModelBuilder model)
    {
        var e = Assert.Throws<ModelImportException>(() => Import(model));
        Assert.StartsWith(FileName + ": ", e.Message);
        return e;
    }

    /// <summary>Asserts the import fails on an unsupported node, and that the message names file, node and op type.</summary>
    public static UnsupportedOperatorException Unsupported(OnnxModelBuilder model, string nodeName, string opType)
    {
        var e = Assert.Throws<UnsupportedOperatorException>(() => Import(model));
        Assert.Equal(nodeName, e.NodeName);
        Assert.Equal(opType, e.OpType);
        Assert.StartsWith($"{FileName}: node '{nodeName}' (op type '{opType}'): ", e.Message);
        return e;
    }

    /// <summary>The output shapes of every node at batch <paramref name="batch"/>.</summary>
    public static IReadOnlyDictionary<string, Edge.Core.Tensors.TensorShape> Shapes(ModelGraph graph, int batch = 1) => graph.InferShapes(batch);
}
