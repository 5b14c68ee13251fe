using Edge.Core.Graph;
using Edge.Core.Graph.Nodes;
using Edge.Core.Tensors;
using Edge.Quantization.Passes;
using Edge.Quantization.Quantizer;
using Edge.Runtime.Arithmetic;

namespace Edge.Quantization;

/// <summary>The float weights of a layer and the spread of their per-channel int8 scales.</summary>
public sealed record WeightSummary(float Min, float Max, float ScaleMin, float ScaleMax)
{
    /// <summary>Largest over smallest channel scale (1 for a single channel).</summary>
    public float ScaleSpread => ScaleMin > 0 ? ScaleMax / ScaleMin : float.PositiveInfinity;
}

/// <summary>
/// One converted layer: what it is, its shapes (float graph, NCHW, batch 1), what the passes and the quantizer did to it
/// (short notes), its weight range and its output's int8 parameters (null when the output is float32).
/// </summary>
public sealed record LayerReport(
    string Name, string OpType, string Attributes, IReadOnlyList<TensorShape> InputShapes, TensorShape OutputShape,
    IReadOnlyList<string> Notes, WeightSummary? Weights, QuantizationParams? Output, bool IsFloat);

/// <summary>The per-layer account of a conversion, for <c>edge convert</c>'s printout.</summary>
public sealed record ConversionReport(IReadOnlyList<LayerReport> Layers, IReadOnlyList<string> Removed, QuantizationParams Input)
{
    public static ConversionReport Build(QuantizationPlan plan, IReadOnlyList<GraphChange> changes)
    {
        var layers = new List<LayerReport>();
        var names = plan.Graph.Nodes.Select(n => n.Name).ToHashSet();
        var notesOf = changes.ToLookup(c => c.Node); // one pass over the changes, not one per node
        foreach (var node in plan.Graph.Nodes)
        {
            var np = plan.Nodes[node.Name];
            var output = plan.Tensors[node.Output];
            var notes = notesOf[node.Name].Select(c => c.Note).Concat(np.Notes).ToList();
            layers.Add(new LayerReport(node.Name, node.OpType, node.DescribeAttributes(),
                node.Inputs.Select(i => plan.Shapes[i]).ToList(), plan.Shapes[node.Output], notes,
                Summarize(node, np), output.IsFloat ? null : output.Params, np.IsFloat));
        }
        var removed = changes.Where(c => !names.Contains(c.Node)).Select(c => c.Description).ToList();
        return new ConversionReport(layers, removed, plan.Tensors[plan.Graph.Inputs[0].Name].Params);
    }

    private static WeightSummary? Summarize(Node node, NodePlan np)
    {
        var weight = node switch { ConvNode c => c.Weight, GemmNode g => g.Weight, _ => null };
        if (weight is null) return null;
        float min = weight.Data.Min(), max = weight.Data.Max();
        if (np.Weights is null) return new WeightSummary(min, max, float.NaN, float.NaN);
        return new WeightSummary(min, max, np.Weights.Scales.Min(), np.Weights.Scales.Max());
    }
}
