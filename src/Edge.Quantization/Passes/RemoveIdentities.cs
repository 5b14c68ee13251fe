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
        foreach (var node in graph.Nodes.ToList())
        {
            bool identity = node is DropoutNode or IdentityNode || node is PadNode pad && pad.Pads.All(p => p == 0);
            if (identity && GraphEdits.Bypass(graph, node))
            {
                changes.Add(new GraphChange(Name, node.Name, $"removed {node.OpType} '{node.Name}'{(node is PadNode ? " (all pads zero)" : "")}", $"{node.OpType} removed"));
            }
        }
        return changes;
    }
}
