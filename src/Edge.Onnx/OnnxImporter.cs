using Edge.Core.Errors;
using Edge.Core.Graph;
using Edge.Onnx.Proto;
using Google.Protobuf;

namespace Edge.Onnx;

/// <summary>
/// Reads an ONNX model (opsets 11–17, as PyTorch exports it) into Edge's graph IR.
/// <para>
/// Every operator maps to one IR node, except that the shape computations PyTorch emits around Reshape and Pad
/// (Shape, Gather, Unsqueeze, Concat, Constant, …) are folded into constants, and <c>x·HardSigmoid(x)</c> becomes one
/// HardSwish. The imported graph is validated and its shapes inferred at batch 1, so a model that imports is one Edge
/// can run. Every failure is a <see cref="ModelImportException"/> (an <see cref="UnsupportedOperatorException"/> for an
/// operator, or a form of one, outside Edge's list) whose message names the file and, where there is one, the node and
/// its op type.
/// </para>
/// </summary>
public static class OnnxImporter
{
    /// <summary>Imports the model file at <paramref name="path"/>; errors name the path as given.</summary>
    public static ModelGraph Import(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ModelImportException(path, $"cannot read the model file: {e.Message}", e);
        }
        return Import(bytes, path);
    }

    /// <summary>
    /// Imports a model read to the end of <paramref name="stream"/>; <paramref name="sourceName"/> (a file name) is the
    /// name errors and <see cref="ModelGraph.Metadata"/> use for it.
    /// </summary>
    public static ModelGraph Import(Stream stream, string sourceName)
    {
        using var buffer = new MemoryStream();
        try
        {
            stream.CopyTo(buffer);
        }
        catch (IOException e)
        {
            throw new ModelImportException(sourceName, $"cannot read the model: {e.Message}", e);
        }
        return Import(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), sourceName);
    }

    /// <summary>Imports a model from its serialized bytes; <paramref name="sourceName"/> names it in errors.</summary>
    public static ModelGraph Import(byte[] bytes, string sourceName) => Import(bytes.AsSpan(), sourceName);

    /// <summary>Imports a model from its serialized bytes; <paramref name="sourceName"/> names it in errors.</summary>
    public static ModelGraph Import(ReadOnlySpan<byte> bytes, string sourceName)
    {
        var model = Parse(bytes, sourceName);
        ModelGraph? graph = null;
        try
        {
            graph = GraphImport.Build(model, sourceName);
            graph.Validate();
            graph.InferShapes(batch: 1);
        }
        catch (Exception e) when (e is GraphValidationException or ShapeInferenceException)
        {
            string? nodeName = (e as GraphValidationException)?.NodeName ?? (e as ShapeInferenceException)?.NodeName;
            var node = graph?.Nodes.FirstOrDefault(n => n.Name == nodeName);
            string message = node is null ? e.Message : $"node '{node.Name}' (op type '{node.OpType}'): {WithoutNodePrefix(e.Message, nodeName)}";
            throw new ModelImportException(sourceName, message, e);
        }
        return graph;
    }

    private static ModelProto Parse(ReadOnlySpan<byte> bytes, string sourceName)
    {
        if (bytes.Length == 0) throw new ModelImportException(sourceName, "not a valid ONNX model: the file is empty");
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ModelImportException(sourceName, $"not a valid ONNX model: {e.Message}", e);
        }
        // opset_import and the graph arrived with IR version 3 (2017); a file without them is not an ONNX model.
        if (model.IrVersion < 3) throw new ModelImportException(sourceName, $"not a valid ONNX model: ir_version is {model.IrVersion}, expected 3 or later");
        if (model.Graph is null) throw new ModelImportException(sourceName, "not a valid ONNX model: it has no graph");
        return model;
    }

    /// <summary>The message of a Core exception without its "node 'name': " prefix, to be re-prefixed with the op type.</summary>
    internal static string WithoutNodePrefix(string message, string? nodeName)
    {
        string prefix = $"node '{nodeName}': ";
        return nodeName is not null && message.StartsWith(prefix, StringComparison.Ordinal) ? message[prefix.Length..] : message;
    }
}
