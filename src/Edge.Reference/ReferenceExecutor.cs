using Edge.Core.Graph;
using Edge.Core.Tensors;
using Edge.Reference.Execution;

namespace Edge.Reference;

/// <summary>
/// Runs a <see cref="ModelGraph"/> in float32, NCHW, with PyTorch's semantics: the oracle every accuracy test of the
/// int8 path is measured against, and the engine calibration observes.
/// <para>
/// Construct once per graph: the constructor validates the graph (which sorts it topologically), checks that every
/// node has a kernel, and allocates the buffers for <see cref="MaxBatch"/>. A graph input whose dimension 0 is
/// <see cref="TensorShape.Dynamic"/> takes the batch size given to <c>Run</c> there (as the ONNX importer maps a
/// symbolic batch); an input with a fixed shape is used as it is. Shapes are inferred per batch size on first use and
/// cached. Tensors whose lifetimes do not overlap share
/// buffers, and the buffers are reused by every run, so a run allocates only its result arrays. Do not change the
/// graph after construction. An executor is not thread-safe (its kernels use several cores on their own).
/// </para>
/// </summary>
public sealed class ReferenceExecutor
{
    private readonly ModelGraph _graph;
    private readonly Node[] _nodes;
    private readonly float[][] _slots;
    private readonly IReadOnlyDictionary<string, int> _slotOf;
    private readonly Dictionary<int, IReadOnlyDictionary<string, TensorShape>> _shapes = new();
    private readonly Dictionary<int, TensorSet> _sets = new();
    private float[] _scratch = [];

    /// <summary>Prepares <paramref name="graph"/> for runs of 1 to <paramref name="maxBatch"/> items.</summary>
    /// <exception cref="Edge.Core.Errors.GraphValidationException">The graph is malformed or holds a node without a float kernel.</exception>
    /// <exception cref="Edge.Core.Errors.ShapeInferenceException">Shapes cannot be inferred at <paramref name="maxBatch"/>.</exception>
    public ReferenceExecutor(ModelGraph graph, int maxBatch = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        graph.Validate();
        foreach (var node in graph.Nodes) NodeRunner.CheckSupported(node);
        _graph = graph;
        _nodes = graph.Nodes.ToArray();
        MaxBatch = maxBatch;

        var shapes = ShapesFor(maxBatch);
        var plan = BufferPlan.Build(_nodes, graph.Inputs.Select(i => i.Name), graph.Outputs, shapes);
        _slotOf = plan.SlotOf;
        _slots = plan.Capacities.Select(c => new float[c]).ToArray();
        Tensors(maxBatch);
    }

    /// <summary>The graph this executor runs, validated and in execution order.</summary>
    public ModelGraph Graph => _graph;

    /// <summary>The largest batch <see cref="Run(ReadOnlySpan{float}, int, ITensorObserver?)"/> accepts.</summary>
    public int MaxBatch { get; }

    /// <summary>The shape of every tensor (inputs, intermediates, outputs) for <paramref name="batch"/> items.</summary>
    public IReadOnlyDictionary<string, TensorShape> ShapesFor(int batch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        if (!_shapes.TryGetValue(batch, out var shapes)) _shapes[batch] = shapes = _graph.InferShapes(batch);
        return shapes;
    }

    /// <summary>
    /// Runs a graph with one input and one output on <paramref name="batch"/> items laid out NCHW, one after the other.
    /// Returns a new array holding the output.
    /// </summary>
    /// <exception cref="InputShapeException"><paramref name="input"/> does not hold exactly the input's shape × batch values.</exception>
    public float[] Run(ReadOnlySpan<float> input, int batch, ITensorObserver? observer = null)
    {
        if (_graph.Inputs.Count != 1 || _graph.Outputs.Count != 1)
        {
            throw new InvalidOperationException($"graph '{_graph.Name}' has {_graph.Inputs.Count} inputs and {_graph.Outputs.Count} outputs; use the dictionary overload of Run");
        }
        var t = Tensors(batch);
        Load(t, _graph.Inputs[0].Name, input, batch, observer);
        Execute(t, observer);
        return t.Data(_graph.Outputs[0]).ToArray();
    }

    /// <summary>
    /// Runs the graph on <paramref name="batch"/> items: <paramref name="inputs"/> maps every graph input name to its
    /// values (NCHW, batch items one after the other). Returns a new array per graph output, keyed by name.
    /// </summary>
    /// <exception cref="InputShapeException">An input is missing, unknown, or of the wrong length.</exception>
    public IReadOnlyDictionary<string, float[]> Run(IReadOnlyDictionary<string, float[]> inputs, int batch, ITensorObserver? observer = null)
    {
        var t = Tensors(batch);
        foreach (var name in inputs.Keys)
        {
            if (!_graph.Inputs.Any(i => i.Name == name)) throw InputShapeException.Unknown(name, _graph.Inputs.Select(i => i.Name));
        }
        foreach (var info in _graph.Inputs)
        {
            if (!inputs.TryGetValue(info.Name, out var data)) throw InputShapeException.Missing(info.Name, t.Shape(info.Name));
            Load(t, info.Name, data, batch, observer);
        }
        Execute(t, observer);
        var results = new Dictionary<string, float[]>();
        foreach (var name in _graph.Outputs) results[name] = t.Data(name).ToArray();
        return results;
    }

    private void Load(TensorSet t, string name, ReadOnlySpan<float> data, int batch, ITensorObserver? observer)
    {
        var target = t.Data(name);
        if (data.Length != target.Length) throw InputShapeException.WrongLength(name, t.Shape(name), batch, data.Length);
        data.CopyTo(target);
        observer?.OnTensor(name, null, t.Shape(name), target);
    }

    private void Execute(TensorSet t, ITensorObserver? observer)
    {
        foreach (var node in _nodes)
        {
            NodeRunner.Run(node, t, _scratch);
            if (observer is null) continue;
            foreach (var output in node.Outputs) observer.OnTensor(output, node, t.Shape(output), t.Data(output));
        }
    }

    /// <summary>The cached tensor set for <paramref name="batch"/>, created (and the buffers grown if needed) on first use.</summary>
    private TensorSet Tensors(int batch)
    {
        if (batch < 1 || batch > MaxBatch) throw new ArgumentOutOfRangeException(nameof(batch), batch, $"batch must be between 1 and {MaxBatch}");
        if (_sets.TryGetValue(batch, out var set)) return set;
        set = new TensorSet(ShapesFor(batch), _slots, _slotOf);
        set.EnsureCapacity();
        int scratch = _nodes.Select(n => NodeRunner.ScratchLength(n, set)).DefaultIfEmpty(0).Max();
        if (_scratch.Length < scratch) _scratch = new float[scratch];
        _sets[batch] = set;
        return set;
    }
}
