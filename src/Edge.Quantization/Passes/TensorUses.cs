using Edge.Core.Graph;

namespace Edge.Quantization.Passes;

/// <summary>
/// Who produces and who reads each tensor of a graph, built once in O(nodes + edges) so a pass over every node does
/// not scan the graph per node (a 100,000-node chain made those scans quadratic: minutes). A pass that rewires the
/// graph tells the index what it changed (<see cref="Produced"/>, <see cref="Rewire"/>).
/// </summary>
internal sealed class TensorUses
{
    private readonly Dictionary<string, Node> _producer = new();
    private readonly Dictionary<string, List<Node>> _readers = new();
    private readonly HashSet<string> _outputs;

    public TensorUses(ModelGraph graph)
    {
        _outputs = [.. graph.Outputs];
        foreach (var n in graph.Nodes)
        {
            foreach (var o in n.Outputs) _producer[o] = n;
            foreach (var i in n.Inputs) Readers(i).Add(n);
        }
    }

    public Node? Producer(string tensor) => _producer.GetValueOrDefault(tensor);

    public bool IsGraphOutput(string tensor) => _outputs.Contains(tensor);

    /// <summary>The nodes reading <paramref name="tensor"/>, once per input slot that reads it.</summary>
    public IReadOnlyList<Node> ReadersOf(string tensor) => _readers.TryGetValue(tensor, out var r) ? r : [];

    /// <summary>As <see cref="GraphEdits.SoleConsumer"/>: the one node reading the tensor once, unless it is a graph output.</summary>
    public Node? SoleConsumer(string tensor)
    {
        if (IsGraphOutput(tensor)) return null;
        var r = ReadersOf(tensor);
        return r.Count == 1 ? r[0] : null;
    }

    /// <summary>Records that <paramref name="node"/> now writes <paramref name="tensor"/>.</summary>
    public void Produced(string tensor, Node node) => _producer[tensor] = node;

    /// <summary>Makes every reader of <paramref name="from"/> read <paramref name="to"/> (inputs of nodes and graph outputs).</summary>
    public void Rewire(ModelGraph graph, string from, string to)
    {
        if (_readers.Remove(from, out var readers))
        {
            foreach (var n in readers.Distinct())
            {
                for (int i = 0; i < n.Inputs.Count; i++)
                {
                    if (n.Inputs[i] == from) n.Inputs[i] = to;
                }
            }
            Readers(to).AddRange(readers);
        }
        if (_outputs.Remove(from))
        {
            _outputs.Add(to);
            for (int i = 0; i < graph.Outputs.Count; i++)
            {
                if (graph.Outputs[i] == from) graph.Outputs[i] = to;
            }
        }
    }

    /// <summary>Forgets <paramref name="node"/> as a reader of its inputs (it is being removed).</summary>
    public void RemoveReader(Node node)
    {
        foreach (var i in node.Inputs.Distinct())
        {
            if (_readers.TryGetValue(i, out var r)) r.RemoveAll(n => ReferenceEquals(n, node));
        }
    }

    private List<Node> Readers(string tensor)
    {
        if (!_readers.TryGetValue(tensor, out var r)) _readers[tensor] = r = [];
        return r;
    }
}
