using Edge.Core.Graph;
using Edge.Core.Graph.Nodes;
using Edge.Core.Tensors;

namespace Edge.Quantization.Passes;

/// <summary>
/// Folds a BatchNormalization into the Conv or Gemm whose output it alone reads:
/// <c>w'[c] = w[c]·γ[c]/√(σ²[c] + ε)</c>, <c>b'[c] = (b[c] − μ[c])·γ[c]/√(σ²[c] + ε) + β[c]</c>, in float32 as PyTorch's
/// exporter computes it (see <see cref="BatchNormMath"/>). The producer then writes the BatchNorm's output tensor. A producer with a fused activation, or whose
/// output has other readers, is left alone (the BatchNorm later becomes a per-channel affine).
/// </summary>
public sealed class FoldBatchNorm : IGraphPass
{
    public string Name => "fold-batchnorm";

    public IReadOnlyList<GraphChange> Apply(ModelGraph graph)
    {
        var changes = new List<GraphChange>();
        foreach (var bn in graph.Nodes.OfType<BatchNormNode>().ToList())
        {
            var producer = graph.FindProducer(bn.Input);
            if (producer is null || !ReferenceEquals(GraphEdits.SoleConsumer(graph, bn.Input), bn)) continue;
            switch (producer)
            {
                case ConvNode conv when conv.Clamp.IsNone && conv.OutChannels == bn.Channels:
                    (conv.Weight, conv.Bias) = Fold(conv.Weight, conv.Bias, bn, producer.Name);
                    break;
                case GemmNode gemm when gemm.Clamp.IsNone && gemm.OutFeatures == bn.Channels:
                    (gemm.Weight, gemm.Bias) = Fold(gemm.Weight, gemm.Bias, bn, producer.Name);
                    break;
                default:
                    continue;
            }
            GraphEdits.MergeIntoProducer(graph, producer, bn);
            changes.Add(new GraphChange(Name, producer.Name, $"folded BatchNorm '{bn.Name}' into {producer.OpType} '{producer.Name}'", $"BN '{bn.Name}' folded"));
        }
        return changes;
    }

    /// <summary>The folded weight (rows scaled per output channel) and bias.</summary>
    internal static (ConstantTensor Weight, ConstantTensor Bias) Fold(ConstantTensor weight, ConstantTensor? bias, BatchNormNode bn, string node)
    {
        var k = BatchNormMath.Factor(bn);
        int channels = bn.Channels, row = weight.Length / channels;
        var w = new float[weight.Length];
        for (int c = 0; c < channels; c++)
        {
            for (int i = 0; i < row; i++)
            {
                w[c * row + i] = weight.Data[c * row + i] * k[c];
                if (!float.IsFinite(w[c * row + i])) throw new ConversionException(node, $"folding BatchNorm '{bn.Name}' gives a non-finite weight in channel {c}");
            }
        }
        var b = BatchNormMath.FoldedBias(bn, k, bias?.Data, node);
        return (new ConstantTensor(weight.Name, weight.Shape, w), new ConstantTensor(bias?.Name ?? $"{node}.bias", new TensorShape(channels), b));
    }
}
