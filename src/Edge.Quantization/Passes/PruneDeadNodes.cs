using Edge.Core.Graph;

namespace Edge.Quantization.Passes;

/// <summary>
/// Removes every node no graph output needs (it reads the input, say, and feeds nothing): walking back from the
/// outputs through producers, in O(nodes + edges). Such nodes would be calibrated, quantized and run for nothing. The
/// removal is one change listing the first names, so a model with thousands of them does not flood the report.
/// </summary>
public sealed class PruneDeadNodes : IGraphPass
{
    public string Name => "prune-dead-nodes";

    public IReadOnlyList<GraphChange> Apply(ModelGraph graph)
    {
        var producer = new Dictionary<string, Node>();
        foreach (var n in graph.Nodes)
        {
            foreach (var o in n.Outputs) producer[o] = n;
        }
        var live = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<Node>();
        foreach (var o in graph.Outputs)
        {
            if (producer.TryGetValue(o, out var p) && live.Add(p)) stack.Push(p);
        }
        while (stack.Count > 0)
        {
            foreach (var i in stack.Pop().Inputs)
            {
                if (producer.TryGetValue(i, out var p) && live.Add(p)) stack.Push(p);
            }
        }
        if (live.Count == graph.Nodes.Count) return [];
        var dead = graph.Nodes.Where(n => !live.Contains(n)).ToList();
        graph.Nodes.RemoveAll(n => !live.Contains(n));
        string names = string.Join(", ", dead.Take(5).Select(n => $"'{n.Name}'")) + (dead.Count > 5 ? ", …" : "");
        string description = $"pruned {dead.Count} {(dead.Count == 1 ? "node" : "nodes")} that no graph output needs ({names})";
        return [new GraphChange(Name, "", description, $"{dead.Count} dead nodes pruned")];
    }
}
