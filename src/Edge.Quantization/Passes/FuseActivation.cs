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
        var uses = new TensorUses(graph); // one index, kept current, instead of a scan of the graph per activation
        var removed = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        foreach (var act in graph.Nodes.Where(n => n is ReluNode or ClipNode).ToList())
        {
            var clamp = act is ClipNode clip ? clip.AsClamp : FusedClamp.Relu;
            var producer = uses.Producer(act.Input);
            if (producer is null || !ReferenceEquals(uses.SoleConsumer(act.Input), act)) continue;
            switch (producer)
            {
                case ConvNode conv: conv.Clamp = conv.Clamp.Then(clamp); break;
                case GemmNode gemm: gemm.Clamp = gemm.Clamp.Then(clamp); break;
                case AddNode add: add.Clamp = add.Clamp.Then(clamp); break;
                default: continue;
            }
            producer.Outputs[producer.Outputs.IndexOf(act.Input)] = act.Output;
            uses.Produced(act.Output, producer);
            removed.Add(act);
            changes.Add(new GraphChange(Name, producer.Name, $"fused {act.OpType} '{act.Name}' ({clamp}) into {producer.OpType} '{producer.Name}'", $"{clamp} fused"));
        }
        if (removed.Count > 0) graph.Nodes.RemoveAll(removed.Contains);
        return changes;
    }
}
