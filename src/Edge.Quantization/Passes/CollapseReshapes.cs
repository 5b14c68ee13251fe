using Edge.Core.Errors;
using Edge.Core.Graph;
using Edge.Core.Graph.Nodes;
using Edge.Core.Tensors;

namespace Edge.Quantization.Passes;

/// <summary>
/// Flatten and Reshape are views of the same row-major bytes, so a chain of them is one view: the last one is
/// re-pointed at the first one's input, and one that changes no shape is removed. A rewrite is kept only when the
/// shapes it produces at batch 1 and batch 2 are the ones the chain produced (a Reshape's 0 and −1 entries depend on
/// its input's dimensions).
/// </summary>
public sealed class CollapseReshapes : IGraphPass
{
    public string Name => "collapse-reshapes";

    public IReadOnlyList<GraphChange> Apply(ModelGraph graph)
    {
        var changes = new List<GraphChange>();
        bool again = true;
        while (again)
        {
            again = false;
            var before = ShapesAt(graph);
            if (before is null) return changes;
            foreach (var node in graph.Nodes.Where(IsView).ToList())
            {
                if (before.Value.One[node.Input] == before.Value.One[node.Output] && before.Value.Two[node.Input] == before.Value.Two[node.Output]
                    && GraphEdits.Bypass(graph, node))
                {
                    changes.Add(new GraphChange(Name, node.Name, $"removed {node.OpType} '{node.Name}' (it changes no shape)", $"{node.OpType} removed"));
                    again = true;
                    break;
                }
                var first = graph.FindProducer(node.Input);
                if (first is null || !IsView(first) || !ReferenceEquals(GraphEdits.SoleConsumer(graph, first.Output), node)) continue;
                string oldInput = node.Input;
                node.Inputs[0] = first.Input;
                graph.Nodes.Remove(first);
                var after = ShapesAt(graph);
                if (after is not null && after.Value.One[node.Output] == before.Value.One[node.Output] && after.Value.Two[node.Output] == before.Value.Two[node.Output])
                {
                    changes.Add(new GraphChange(Name, node.Name, $"merged {first.OpType} '{first.Name}' into {node.OpType} '{node.Name}'", $"{first.OpType} '{first.Name}' merged"));
                    again = true;
                    break;
                }
                graph.Nodes.Insert(graph.Nodes.IndexOf(node), first);
                node.Inputs[0] = oldInput;
            }
        }
        return changes;
    }

    private static bool IsView(Node n) => n is FlattenNode or ReshapeNode;

    private static (IReadOnlyDictionary<string, TensorShape> One, IReadOnlyDictionary<string, TensorShape> Two)? ShapesAt(ModelGraph graph)
    {
        try
        {
            return (graph.InferShapes(1), graph.InferShapes(2));
        }
        catch (ShapeInferenceException)
        {
            return null;
        }
    }
}
