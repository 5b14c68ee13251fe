using Edge.Core.Graph;

namespace Edge.Quantization.Passes;

/// <summary>
/// Runs graph passes in order on a graph (in place) and records what each changed. <see cref="Default"/> is the
/// converter's sequence: identities out, view chains merged, pads folded into windows, BatchNorms folded (the rest
/// become affine convs, as do per-channel Muls), then activations fused — last, so that affine convs can take them too.
/// </summary>
public sealed class PassPipeline(IReadOnlyList<IGraphPass> passes)
{
    public IReadOnlyList<IGraphPass> Passes { get; } = passes;

    public static PassPipeline Default() => new([
        new PruneDeadNodes(),
        new RemoveIdentities(),
        new CollapseReshapes(),
        new FoldPadIntoWindow(),
        new FoldBatchNorm(),
        new BatchNormToAffine(),
        new MulToAffine(),
        new AddConstantToAffine(),
        new FuseActivation(),
    ]);

    /// <summary>Validates the graph, runs every pass, validates again; returns the changes in order.</summary>
    public IReadOnlyList<GraphChange> Run(ModelGraph graph)
    {
        graph.Validate();
        var changes = new List<GraphChange>();
        foreach (var pass in Passes)
        {
            changes.AddRange(pass.Apply(graph));
            graph.Validate();
        }
        return changes;
    }
}
