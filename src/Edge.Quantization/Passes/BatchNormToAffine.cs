using Edge.Core.Graph;
using Edge.Core.Graph.Nodes;

namespace Edge.Quantization.Passes;

/// <summary>
/// Turns a BatchNormalization left after <see cref="FoldBatchNorm"/> (one with no Conv or Gemm to fold into) into
/// its per-channel affine map as a depthwise 1×1 convolution with bias, which the rest of the pipeline quantizes like
/// any convolution. Only BatchNorms over NCHW inputs qualify; a rank-2 one stays (and the quantizer rejects it).
/// </summary>
public sealed class BatchNormToAffine : IGraphPass
{
    public string Name => "batchnorm-to-affine";

    public IReadOnlyList<GraphChange> Apply(ModelGraph graph)
    {
        var changes = new List<GraphChange>();
        var shapes = graph.InferShapes(1);
        foreach (var bn in graph.Nodes.OfType<BatchNormNode>().ToList())
        {
            if (shapes[bn.Input].Rank != 4) continue;
            var k = BatchNormMath.Factor(bn);
            var conv = AffineConv.Create(bn.Name, bn.Input, bn.Output, k, BatchNormMath.FoldedBias(bn, k, null, bn.Name));
            GraphEdits.Replace(graph, bn, conv);
            changes.Add(new GraphChange(Name, bn.Name, $"BatchNorm '{bn.Name}' (nothing to fold into) became a per-channel affine (depthwise 1×1 conv)", "BN as per-channel affine"));
        }
        return changes;
    }
}
