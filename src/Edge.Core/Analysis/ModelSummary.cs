using Edge.Core.Graph;
using Edge.Core.Tensors;

namespace Edge.Core.Analysis;

/// <summary>One row of a model summary: a node with its output shape, parameters and MACs.</summary>
public sealed record LayerSummary(string Name, string OpType, string Attributes, IReadOnlyList<TensorShape> OutputShapes, long Parameters, long Macs);

/// <summary>
/// A torchsummary-style account of a graph: per layer its output shape, parameters and multiply-accumulates at
/// batch 1, and the totals.
/// </summary>
public sealed record ModelSummary(string Name, IReadOnlyList<TensorInfo> Inputs, IReadOnlyList<TensorInfo> Outputs, IReadOnlyList<LayerSummary> Layers)
{
    public long TotalParameters => Layers.Sum(l => l.Parameters);
    public long TotalMacs => Layers.Sum(l => l.Macs);

    /// <summary>Validates the graph, infers shapes at batch 1 and builds the summary.</summary>
    public static ModelSummary Of(ModelGraph graph)
    {
        graph.Validate();
        var shapes = graph.InferShapes(batch: 1);
        var layers = new List<LayerSummary>();
        foreach (var n in graph.Nodes)
        {
            var ins = n.Inputs.Select(i => shapes[i]).ToArray();
            var outs = n.Outputs.Select(o => shapes[o]).ToArray();
            layers.Add(new LayerSummary(n.Name, n.OpType, n.DescribeAttributes(), outs, n.ParameterCount, n.CountMacs(ins, outs)));
        }
        return new ModelSummary(
            graph.Name,
            graph.Inputs.Select(i => i with { Shape = shapes[i.Name] }).ToArray(),
            graph.Outputs.Select(o => new TensorInfo(o, shapes[o])).ToArray(),
            layers);
    }
}
