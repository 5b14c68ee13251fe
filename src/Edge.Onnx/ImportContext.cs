using Edge.Core.Errors;
using Edge.Core.Graph;
using Edge.Core.Tensors;
using Edge.Onnx.Proto;
using Edge.Onnx.ShapeFolding;

namespace Edge.Onnx;

/// <summary>
/// The state of one import: the IR nodes emitted so far, the constants known at import time, and the shape of every
/// data tensor.
/// <para>
/// Shapes are tracked at two batch sizes, <see cref="ProbeBatchA"/> and <see cref="ProbeBatchB"/>: a dimension that
/// takes those two values is the batch dimension; one that is equal in both is static. That is how <c>Shape(x)</c>
/// knows which of its elements is the (symbolic) batch size, and how SAME padding or the opset-11 Softmax check read
/// static dimensions.
/// </para>
/// </summary>
internal sealed class ImportContext
{
    public const int ProbeBatchA = 1;
    public const int ProbeBatchB = 2;

    private readonly Dictionary<string, FoldedTensor> _constants = new();
    private readonly Dictionary<string, TensorShape> _shapesA = new();
    private readonly Dictionary<string, TensorShape> _shapesB = new();
    private readonly Dictionary<string, Node> _producers = new();
    private readonly Dictionary<string, int> _consumers = new();
    private readonly List<Node> _nodes = [];

    public ImportContext(string file, int opset, GraphProto graph)
    {
        File = file;
        Opset = opset;
        foreach (var n in graph.Node)
        {
            foreach (var i in n.Input.Where(i => i.Length > 0)) _consumers[i] = ConsumerCount(i) + 1;
        }
        foreach (var o in graph.Output) _consumers[o.Name] = ConsumerCount(o.Name) + 1;
    }

    public string File { get; }

    /// <summary>The version of the default ONNX operator set the model imports.</summary>
    public int Opset { get; }

    /// <summary>The IR nodes, in the order they were emitted (the ONNX graph's topological order).</summary>
    public IReadOnlyList<Node> Nodes => _nodes;

    public bool IsConstant(string tensor) => _constants.ContainsKey(tensor);
    public bool IsData(string tensor) => _shapesA.ContainsKey(tensor);
    public bool IsKnown(string tensor) => IsConstant(tensor) || IsData(tensor);
    public FoldedTensor? TryGetConstant(string tensor) => _constants.GetValueOrDefault(tensor);

    /// <summary>How many node inputs and graph outputs read <paramref name="tensor"/> in the ONNX graph.</summary>
    public int ConsumerCount(string tensor) => _consumers.GetValueOrDefault(tensor);

    public Node? ProducerOf(string tensor) => _producers.GetValueOrDefault(tensor);

    /// <summary>The shape of a data tensor at batch size <see cref="ProbeBatchA"/>.</summary>
    public TensorShape ShapeOf(string tensor) => _shapesA[tensor];

    /// <summary>Whether dimension <paramref name="axis"/> of a data tensor is exactly the batch size.</summary>
    public bool IsBatchDim(string tensor, int axis) => _shapesA[tensor][axis] == ProbeBatchA && _shapesB[tensor][axis] == ProbeBatchB;

    /// <summary>Whether dimension <paramref name="axis"/> of a data tensor changes with the batch size.</summary>
    public bool DependsOnBatch(string tensor, int axis) => _shapesA[tensor][axis] != _shapesB[tensor][axis];

    /// <summary>Records a constant: an initializer, or the folded output of <paramref name="source"/>.</summary>
    public void AddConstant(string tensor, FoldedTensor value, OnnxNode? source = null)
    {
        CheckNew(tensor, source);
        _constants[tensor] = value;
    }

    public void AddInput(TensorInfo input)
    {
        CheckNew(input.Name, null);
        _shapesA[input.Name] = input.Shape.WithBatch(ProbeBatchA);
        _shapesB[input.Name] = input.Shape.WithBatch(ProbeBatchB);
    }

    /// <summary>Adds an IR node for <paramref name="source"/> and infers the shapes of its outputs.</summary>
    public void Emit(Node node, OnnxNode source)
    {
        foreach (var o in node.Outputs) CheckNew(o, source);
        try
        {
            node.Validate();
        }
        catch (GraphValidationException e)
        {
            throw source.Error(OnnxImporter.WithoutNodePrefix(e.Message, e.NodeName), e);
        }
        var outsA = Infer(node, _shapesA, source);
        var outsB = Infer(node, _shapesB, source);
        for (int k = 0; k < node.Outputs.Count; k++)
        {
            _shapesA[node.Outputs[k]] = outsA[k];
            _shapesB[node.Outputs[k]] = outsB[k];
            _producers[node.Outputs[k]] = node;
        }
        _nodes.Add(node);
    }

    /// <summary>Takes back an emitted node whose output nothing else reads (the HardSigmoid of a fused HardSwish).</summary>
    public void Remove(Node node)
    {
        _nodes.Remove(node);
        foreach (var o in node.Outputs)
        {
            _shapesA.Remove(o);
            _shapesB.Remove(o);
            _producers.Remove(o);
        }
    }

    private TensorShape[] Infer(Node node, Dictionary<string, TensorShape> shapes, OnnxNode source)
    {
        try
        {
            var outs = node.InferShapes(node.Inputs.Select(i => shapes[i]).ToArray());
            if (outs.Length != node.Outputs.Count) throw source.Error($"inferred {outs.Length} outputs, the node declares {node.Outputs.Count}");
            foreach (var s in outs)
            {
                if (s.ElementCount > FoldedTensor.MaxElements) throw source.Error($"an output of shape {s} at batch {(shapes == _shapesA ? ProbeBatchA : ProbeBatchB)} has more than 2^28 elements");
            }
            return outs;
        }
        catch (ShapeInferenceException e)
        {
            throw source.Error(OnnxImporter.WithoutNodePrefix(e.Message, e.NodeName), e);
        }
        catch (OverflowException e)
        {
            throw source.Error("the size of an output of this node overflows", e);
        }
    }

    private void CheckNew(string tensor, OnnxNode? source)
    {
        if (!IsKnown(tensor)) return;
        const string message = "is already defined by an earlier node, initializer or graph input";
        throw source is null ? new ModelImportException(File, $"tensor '{tensor}' {message}") : source.Error($"output '{tensor}' {message}");
    }
}
