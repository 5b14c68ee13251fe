using Edge.Core.Errors;
using Edge.Core.Tensors;

namespace Edge.Core.Graph;

/// <summary>
/// A float CNN as a dataflow graph: named data tensors flow between <see cref="Nodes"/>; constants live on the nodes.
/// This is the one representation the ONNX importer produces, the float reference path executes and the converter's
/// passes rewrite. A graph input's batch dimension may be <see cref="TensorShape.Dynamic"/>.
/// </summary>
public sealed class ModelGraph
{
    public ModelGraph(string name, IEnumerable<TensorInfo> inputs, IEnumerable<string> outputs, IEnumerable<Node> nodes)
    {
        Name = name;
        Inputs = inputs.ToList();
        Outputs = outputs.ToList();
        Nodes = nodes.ToList();
    }

    public string Name { get; set; }
    public List<TensorInfo> Inputs { get; }

    /// <summary>Names of the graph's output tensors, in order.</summary>
    public List<string> Outputs { get; }

    /// <summary>The operators; in execution order once <see cref="SortTopologically"/> has run.</summary>
    public List<Node> Nodes { get; private set; }

    /// <summary>Free-form provenance (producer, opset, file), carried into summaries.</summary>
    public Dictionary<string, string> Metadata { get; } = new();

    public long ParameterCount => Nodes.Sum(n => n.ParameterCount);

    /// <summary>A deep copy of the structure (constants are immutable and shared), for passes that compare before and after.</summary>
    public ModelGraph Clone()
    {
        var g = new ModelGraph(Name, Inputs, Outputs, Nodes.Select(n => n.Clone()));
        foreach (var kv in Metadata) g.Metadata[kv.Key] = kv.Value;
        return g;
    }

    /// <summary>The node producing <paramref name="tensor"/>, or null for a graph input.</summary>
    public Node? FindProducer(string tensor) => Nodes.FirstOrDefault(n => n.Outputs.Contains(tensor));

    /// <summary>Nodes reading <paramref name="tensor"/>, in graph order.</summary>
    public IEnumerable<Node> FindConsumers(string tensor) => Nodes.Where(n => n.Inputs.Contains(tensor));

    public bool IsGraphOutput(string tensor) => Outputs.Contains(tensor);

    /// <summary>
    /// Replaces every use of tensor <paramref name="from"/> by <paramref name="to"/>, in node inputs and graph outputs.
    /// Passes that remove a node use it to reconnect its consumers.
    /// </summary>
    public void RenameTensorUses(string from, string to)
    {
        foreach (var n in Nodes)
        {
            for (int i = 0; i < n.Inputs.Count; i++)
            {
                if (n.Inputs[i] == from) n.Inputs[i] = to;
            }
        }
        for (int i = 0; i < Outputs.Count; i++)
        {
            if (Outputs[i] == from) Outputs[i] = to;
        }
    }

    /// <summary>
    /// Checks the structure: unique node names, one producer per tensor, no dangling input, every output produced,
    /// no cycle, and each node's own attributes. Throws <see cref="GraphValidationException"/> naming the fault.
    /// </summary>
    public void Validate()
    {
        if (Inputs.Count == 0) throw new GraphValidationException(null, $"graph '{Name}' has no input");
        if (Outputs.Count == 0) throw new GraphValidationException(null, $"graph '{Name}' has no output");
        var names = new HashSet<string>();
        var produced = new HashSet<string>(Inputs.Select(i => i.Name));
        foreach (var n in Nodes)
        {
            if (!names.Add(n.Name)) throw new GraphValidationException(n.Name, "duplicate node name");
            foreach (var o in n.Outputs)
            {
                if (!produced.Add(o)) throw new GraphValidationException(n.Name, $"tensor '{o}' is produced twice");
            }
        }
        foreach (var n in Nodes)
        {
            foreach (var i in n.Inputs)
            {
                if (!produced.Contains(i)) throw new GraphValidationException(n.Name, $"input '{i}' is produced by no node and is no graph input");
            }
            n.Validate();
        }
        foreach (var o in Outputs)
        {
            if (!produced.Contains(o)) throw new GraphValidationException(null, $"graph output '{o}' is produced by no node");
        }
        SortTopologically();
    }

    /// <summary>
    /// Orders <see cref="Nodes"/> so every node comes after the producers of its inputs (Kahn's algorithm, stable:
    /// among ready nodes the earlier one in the current order goes first). Throws on a cycle, naming a node on it.
    /// </summary>
    public void SortTopologically()
    {
        var producerOf = new Dictionary<string, int>();
        for (int i = 0; i < Nodes.Count; i++)
        {
            foreach (var o in Nodes[i].Outputs) producerOf[o] = i;
        }
        var pending = new int[Nodes.Count];
        var consumers = new List<int>[Nodes.Count];
        for (int i = 0; i < Nodes.Count; i++) consumers[i] = [];
        for (int i = 0; i < Nodes.Count; i++)
        {
            foreach (var input in Nodes[i].Inputs.Distinct())
            {
                if (producerOf.TryGetValue(input, out int p))
                {
                    pending[i]++;
                    consumers[p].Add(i);
                }
            }
        }
        var ready = new SortedSet<int>(Enumerable.Range(0, Nodes.Count).Where(i => pending[i] == 0));
        var order = new List<Node>(Nodes.Count);
        while (ready.Count > 0)
        {
            int i = ready.Min;
            ready.Remove(i);
            order.Add(Nodes[i]);
            foreach (var c in consumers[i])
            {
                if (--pending[c] == 0) ready.Add(c);
            }
        }
        if (order.Count != Nodes.Count)
        {
            var stuck = Nodes.Where((n, i) => pending[i] > 0).First();
            throw new GraphValidationException(stuck.Name, "the graph has a cycle through this node");
        }
        Nodes = order;
    }

    /// <summary>
    /// Shapes of every tensor for a given batch size (a dynamic batch dimension of an input becomes <paramref name="batch"/>).
    /// Nodes must be in topological order.
    /// </summary>
    public IReadOnlyDictionary<string, TensorShape> InferShapes(int batch = 1)
    {
        var shapes = new Dictionary<string, TensorShape>();
        foreach (var i in Inputs)
        {
            var s = i.Shape.WithBatch(batch);
            if (!s.IsFullyKnown) throw new ShapeInferenceException(null, $"graph input '{i.Name}' has dynamic dimensions {i.Shape} beyond the batch");
            shapes[i.Name] = s;
        }
        foreach (var n in Nodes)
        {
            var ins = new TensorShape[n.Inputs.Count];
            for (int k = 0; k < ins.Length; k++)
            {
                if (!shapes.TryGetValue(n.Inputs[k], out var s)) throw new ShapeInferenceException(n.Name, $"input '{n.Inputs[k]}' has no shape yet (nodes out of order?)");
                ins[k] = s;
            }
            var outs = n.InferShapes(ins);
            if (outs.Length != n.Outputs.Count) throw new ShapeInferenceException(n.Name, $"inferred {outs.Length} outputs, the node declares {n.Outputs.Count}");
            for (int k = 0; k < outs.Length; k++) shapes[n.Outputs[k]] = outs[k];
        }
        return shapes;
    }

    public override string ToString() => $"graph '{Name}': {Nodes.Count} nodes, {ParameterCount:N0} parameters";
}
