using Edge.Core.Graph;

namespace Edge.Quantization.Passes;

/// <summary>
/// One rewrite of the float graph that keeps its function (outputs agree with the float path's before the pass to
/// float rounding). A pass edits the graph in place and returns what it changed; an empty list means nothing did.
/// Passes run on a validated, topologically sorted graph and leave it valid.
/// </summary>
public interface IGraphPass
{
    /// <summary>A short name for reports, e.g. <c>fold-batchnorm</c>.</summary>
    string Name { get; }

    IReadOnlyList<GraphChange> Apply(ModelGraph graph);
}

/// <summary>
/// One change a pass made. <see cref="Node"/> is the node that now carries the effect (the conv a BatchNorm was
/// folded into), or the removed node when the change is a removal; the converter's per-layer report groups changes by
/// it and shows <see cref="Note"/>, a few words relative to that node (e.g. <c>BN 'bn1' folded</c>).
/// <see cref="Description"/> says the same in a full sentence, for messages and the model's metadata.
/// </summary>
public sealed record GraphChange(string Pass, string Node, string Description, string Note)
{
    public override string ToString() => $"{Pass}: {Description}";
}
