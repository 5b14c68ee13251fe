using Edge.Core.Graph;

namespace Edge.Quantization.Passes;

/// <summary>Small structural edits the passes share.</summary>
internal static class GraphEdits
{
    /// <summary>The one node reading <paramref name="tensor"/>, or null when it has none, several, or is a graph output.</summary>
    public static Node? SoleConsumer(ModelGraph graph, string tensor)
    {
        if (graph.IsGraphOutput(tensor)) return null;
        Node? only = null;
        foreach (var n in graph.Nodes)
        {
            int uses = n.Inputs.Count(i => i == tensor);
            if (uses == 0) continue;
            if (only is not null || uses > 1) return null;
            only = n;
        }
        return only;
    }

    /// <summary>
    /// Removes <paramref name="node"/>, which must read its producer's single-consumer output, and makes the producer
    /// write the node's output tensor instead: the tensor name the rest of the graph (and a graph output) uses stays.
    /// </summary>
    public static void MergeIntoProducer(ModelGraph graph, Node producer, Node node)
    {
        int k = producer.Outputs.IndexOf(node.Input);
        if (k < 0 || !ReferenceEquals(SoleConsumer(graph, node.Input), node))
            throw new InvalidOperationException($"{node} does not solely consume an output of {producer}");
        producer.Outputs[k] = node.Output;
        graph.Nodes.Remove(node);
    }

    /// <summary>
    /// Removes a one-input, one-output node that computes the identity, reconnecting its consumers to its input. When
    /// its output is a graph output, the producer of its input is renamed to write that output instead, so the graph's
    /// output names do not change. Returns false (and changes nothing) when that is impossible: the input is a graph
    /// input or itself a graph output.
    /// </summary>
    public static bool Bypass(ModelGraph graph, Node node)
    {
        string input = node.Input, output = node.Output;
        if (graph.IsGraphOutput(output))
        {
            var producer = graph.FindProducer(input);
            if (producer is null || graph.IsGraphOutput(input)) return false;
            graph.Nodes.Remove(node);
            graph.RenameTensorUses(input, output);
            producer.Outputs[producer.Outputs.IndexOf(input)] = output;
            return true;
        }
        graph.Nodes.Remove(node);
        graph.RenameTensorUses(output, input);
        return true;
    }

    /// <summary>Replaces <paramref name="old"/> by <paramref name="replacement"/> at the same position in the node list.</summary>
    public static void Replace(ModelGraph graph, Node old, Node replacement)
    {
        int i = graph.Nodes.IndexOf(old);
        graph.Nodes[i] = replacement;
    }
}
