using Edge.Core.Graph;
using Edge.Core.Graph.Nodes;

namespace Edge.Quantization.Passes;

/// <summary>
/// Turns a Mul of an NCHW tensor by a per-channel constant ([C, 1, 1], [1, C, 1, 1]) or a scalar into a depthwise 1×1
/// convolution without bias, the form the quantizer handles. Other Muls stay (and the quantizer rejects them).
/// </summary>
public sealed class MulToAffine : IGraphPass
{
    public string Name => "mul-to-affine";

    public IReadOnlyList<GraphChange> Apply(ModelGraph graph)
    {
        var changes = new List<GraphChange>();
        var shapes = graph.InferShapes(1);
        foreach (var mul in graph.Nodes.OfType<MulNode>().ToList())
        {
            var x = shapes[mul.Input];
            if (x.Rank != 4 || PerChannel(mul.Scale.Data, mul.Scale.Shape.ToArray(), x[1]) is not { } scale) continue;
            GraphEdits.Replace(graph, mul, AffineConv.Create(mul.Name, mul.Input, mul.Output, scale, null));
            changes.Add(new GraphChange(Name, mul.Name, $"Mul '{mul.Name}' by a {(mul.Scale.Length == 1 ? "scalar" : "per-channel constant")} became a depthwise 1×1 conv", "Mul as per-channel affine"));
        }
        return changes;
    }

    /// <summary>The constant as one factor per channel, or null when it varies along another axis.</summary>
    internal static float[]? PerChannel(float[] data, int[] dims, int channels)
    {
        if (dims.Length > 4) return null;
        var aligned = Enumerable.Repeat(1, 4 - dims.Length).Concat(dims).ToArray(); // NumPy broadcasting aligns on the right
        if (aligned[0] != 1 || aligned[2] != 1 || aligned[3] != 1) return null;
        if (aligned[1] == 1) return Enumerable.Repeat(data[0], channels).ToArray();
        return aligned[1] == channels ? (float[])data.Clone() : null;
    }
}
