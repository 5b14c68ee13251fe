using Edge.Core.Graph;
using Edge.Core.Graph.Nodes;

namespace Edge.Quantization.Passes;

/// <summary>
/// Removes nodes that compute the identity at inference: Dropout, Identity, and a Pad whose pads are all zero (torch
/// 1.13 exports some pooling layers with one). Their consumers read the node's input instead.
/// </summary>
public sealed class RemoveIdentities : IGraphPass
{
    public string Name => "remove-identities";

    public IReadOnlyList<GraphChange> Apply(ModelGraph graph)
    {
        var changes = new List<GraphChange>();
        var uses = new TensorUses(graph); // kept current: one bypass costs the readers it moves, not a graph scan
        var removed = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        foreach (var node in graph.Nodes.ToList())
        {
            bool identity = node is DropoutNode or IdentityNode || node is PadNode pad && pad.Pads.All(p => p == 0);
            if (identity && Bypass(graph, uses, node))
            {
                removed.Add(node);
                changes.Add(new GraphChange(Name, node.Name, $"removed {node.OpType} '{node.Name}'{(node is PadNode ? " (all pads zero)" : "")}", $"{node.OpType} removed"));
            }
        }
        if (removed.Count > 0) graph.Nodes.RemoveAll(removed.Contains);
        return changes;
    }

    /// <summary>
    /// <see cref="GraphEdits.Bypass"/> on the index: the node's readers read its input instead; when its output is a
    /// graph output, the producer of its input writes that output instead (false when there is none to rename).
    /// </summary>
    private static bool Bypass(ModelGraph graph, TensorUses uses, Node node)
    {
        string input = node.Input, output = node.Output;
        if (uses.IsGraphOutput(output))
        {
            var producer = uses.Producer(input);
            if (producer is null || uses.IsGraphOutput(input)) return false;
            uses.RemoveReader(node);
            uses.Rewire(graph, input, output);
            producer.Outputs[producer.Outputs.IndexOf(input)] = output;
            uses.Produced(output, producer);
            return true;
        }
        uses.RemoveReader(node);
        uses.Rewire(graph, output, input);
        return true;
    }
}
