using Edge.Core.Graph;
using Edge.Core.Graph.Nodes;

namespace Edge.Quantization.Passes;

/// <summary>
/// Fuses a Relu or Clip (ReLU6) into the Conv, Gemm or Add whose output it alone reads: the producer's
/// <see cref="FusedClamp"/> becomes the clamp, and the producer writes the activation's output tensor. In the int8
/// model the clamp is the output range of the requantization, so the activation costs nothing.
/// </summary>
public sealed class FuseActivation : IGraphPass
{
    public string Name => "fuse-activation";

    public IReadOnlyList<GraphChange> Apply(ModelGraph graph)
    {
        var changes = new List<GraphChange>();
        foreach (var act in graph.Nodes.Where(n => n is ReluNode or ClipNode).ToList())
        {
            var clamp = act is ClipNode clip ? clip.AsClamp : FusedClamp.Relu;
            var producer = graph.FindProducer(act.Input);
            if (producer is null || !ReferenceEquals(GraphEdits.SoleConsumer(graph, act.Input), act)) continue;
            switch (producer)
            {
                case ConvNode conv: conv.Clamp = conv.Clamp.Then(clamp); break;
                case GemmNode gemm: gemm.Clamp = gemm.Clamp.Then(clamp); break;
                case AddNode add: add.Clamp = add.Clamp.Then(clamp); break;
                default: continue;
            }
            GraphEdits.MergeIntoProducer(graph, producer, act);
            changes.Add(new GraphChange(Name, producer.Name, $"fused {act.OpType} '{act.Name}' ({clamp}) into {producer.OpType} '{producer.Name}'", $"{clamp} fused"));
        }
        return changes;
    }
}
