using Edge.Core.Errors;
using Edge.Core.Graph;
using Edge.Core.Tensors;
using Edge.Onnx.OpMapping;
using Edge.Onnx.Proto;
using Edge.Onnx.ShapeFolding;

namespace Edge.Onnx;

/// <summary>
/// Builds the IR graph from a parsed <see cref="ModelProto"/>: initializers become constants, graph inputs that are
/// not initializers become the IR inputs, and each node, in the file's (topological) order, is mapped by
/// <see cref="OperatorTable"/>.
/// </summary>
internal static class GraphImport
{
    /// <summary>The default-domain opsets whose operator definitions the mappings implement.</summary>
    public const int MinOpset = 11, MaxOpset = 17;

    public static ModelGraph Build(ModelProto model, string file)
    {
        var g = model.Graph;
        int opset = DefaultOpset(model, file);
        var ctx = new ImportContext(file, opset, g);

        foreach (var init in g.Initializer)
        {
            if (init.Name.Length == 0) throw new ModelImportException(file, "an initializer has no name");
            ctx.AddConstant(init.Name, TensorConversion.Read(init, file, init.Name));
        }
        var inputs = new List<TensorInfo>();
        foreach (var vi in g.Input.Where(i => !ctx.IsConstant(i.Name)))
        {
            var input = ReadInput(vi, file);
            ctx.AddInput(input);
            inputs.Add(input);
        }

        var names = new HashSet<string>();
        for (int i = 0; i < g.Node.Count; i++)
        {
            var proto = g.Node[i];
            var node = new OnnxNode(proto, UniqueName(proto, i, names), ctx);
            if (proto.Domain is not ("" or "ai.onnx"))
                throw node.Unsupported($"domain '{proto.Domain}' is not supported (only the default ONNX domain)");
            foreach (var input in proto.Input.Where(n => n.Length > 0 && !ctx.IsKnown(n)))
                throw node.Error($"input '{input}' is produced by no earlier node, initializer or graph input");
            OperatorTable.Map(node, ctx);
        }

        var outputs = new List<string>();
        foreach (var o in g.Output)
        {
            if (ctx.IsConstant(o.Name)) throw new ModelImportException(file, $"graph output '{o.Name}' is a constant; Edge needs outputs computed from the inputs");
            if (!ctx.IsData(o.Name)) throw new ModelImportException(file, $"graph output '{o.Name}' is produced by no node");
            outputs.Add(o.Name);
        }

        string stem = Path.GetFileNameWithoutExtension(file);
        var graph = new ModelGraph(stem.Length > 0 ? stem : g.Name, inputs, outputs, ctx.Nodes);
        graph.Metadata["source"] = file;
        graph.Metadata["producer"] = $"{model.ProducerName} {model.ProducerVersion}".Trim();
        graph.Metadata["opset"] = opset.ToString();
        graph.Metadata["ir_version"] = model.IrVersion.ToString();
        if (g.Name.Length > 0) graph.Metadata["graph_name"] = g.Name;
        foreach (var p in model.MetadataProps) graph.Metadata.TryAdd(p.Key, p.Value);
        return graph;
    }

    private static int DefaultOpset(ModelProto model, string file)
    {
        var entry = model.OpsetImport.LastOrDefault(o => o.Domain is "" or "ai.onnx")
            ?? throw new ModelImportException(file, "not a valid ONNX model: it imports no opset of the default ONNX domain");
        if (entry.Version < MinOpset || entry.Version > MaxOpset)
        {
            throw new ModelImportException(file, $"opset {entry.Version} is not supported: Edge imports opsets {MinOpset} to {MaxOpset} (re-export with opset_version=13)");
        }
        return (int)entry.Version;
    }

    /// <summary>A float32 input with a static shape, except that dimension 0 may be symbolic (the batch).</summary>
    private static TensorInfo ReadInput(ValueInfoProto vi, string file)
    {
        ModelImportException Error(string message) => new(file, $"graph input '{vi.Name}': {message}");
        var tensor = vi.Type?.TensorType ?? throw Error("is not a tensor");
        if (tensor.ElemType != (int)TensorProto.Types.DataType.Float)
            throw Error($"element type {(TensorProto.Types.DataType)tensor.ElemType} is not supported (only float32 inputs)");
        var shape = tensor.Shape ?? throw Error("has no shape; export with a fixed input size");
        var dims = new int[shape.Dim.Count];
        for (int i = 0; i < dims.Length; i++)
        {
            var d = shape.Dim[i];
            if (d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue)
            {
                if (d.DimValue <= 0 || d.DimValue > int.MaxValue) throw Error($"dimension {i} is {d.DimValue}");
                dims[i] = (int)d.DimValue;
            }
            else if (i == 0)
            {
                dims[i] = TensorShape.Dynamic;
            }
            else
            {
                string what = d.DimParam.Length > 0 ? $"symbolic ('{d.DimParam}')" : "unknown";
                throw Error($"dimension {i} is {what}; only the batch dimension (0) may be dynamic");
            }
        }
        var info = new TensorInfo(vi.Name, new TensorShape(dims));
        if (FoldedTensor.ElementCount(info.Shape.WithBatch(ImportContext.ProbeBatchB).Dims) > FoldedTensor.MaxElements) throw Error($"shape {info.Shape} is too large");
        return info;
    }

    /// <summary>The node's name, or "{op type}_{index}" when it has none, made unique among the graph's nodes.</summary>
    private static string UniqueName(NodeProto proto, int index, HashSet<string> used)
    {
        string name = proto.Name.Length > 0 ? proto.Name : $"{proto.OpType}_{index}";
        string unique = name;
        for (int k = 1; !used.Add(unique); k++) unique = $"{name}_{k}";
        return unique;
    }
}
