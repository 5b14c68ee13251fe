using Edge.Core.Graph;
using Edge.Core.Graph.Nodes;

namespace Edge.Quantization.Passes;

/// <summary>
/// Turns an Add of a per-channel (or scalar) constant to an NCHW tensor — <c>x + c</c>, and <c>x − c</c>, which the
/// importer brings as <c>x + (−c)</c> — into a depthwise 1×1 convolution with weight 1 and the constant as bias, the
/// form the quantizer handles. Other constant Adds stay (and the quantizer rejects them).
/// </summary>
public sealed class AddConstantToAffine : IGraphPass
{
    public string Name => "add-constant-to-affine";

    public IReadOnlyList<GraphChange> Apply(ModelGraph graph)
    {
        var changes = new List<GraphChange>();
        var shapes = graph.InferShapes(1);
        foreach (var add in graph.Nodes.OfType<AddConstantNode>().ToList())
        {
            var x = shapes[add.Input];
            if (x.Rank != 4 || MulToAffine.PerChannel(add.Bias.Data, add.Bias.Shape.ToArray(), x[1]) is not { } bias) continue;
            GraphEdits.Replace(graph, add, AffineConv.Create(add.Name, add.Input, add.Output, Enumerable.Repeat(1f, x[1]).ToArray(), bias));
            changes.Add(new GraphChange(Name, add.Name, $"Add '{add.Name}' of a {(add.Bias.Length == 1 ? "scalar" : "per-channel constant")} became a depthwise 1×1 conv", "Add of a constant as per-channel affine"));
        }
        return changes;
    }
}
