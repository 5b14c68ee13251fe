using Edge.Core.Tensors;

namespace Edge.Core.Graph.Nodes;

/// <summary>
/// A general axis permutation (ONNX Transpose on data): output axis i is input axis <see cref="Perm"/>[i]. The float path
/// runs it at any rank; the importer turns ShuffleNet's Reshape → Transpose → Reshape into one
/// <see cref="ChannelShuffleNode"/>, and the int8 model has no general Transpose.
/// </summary>
public sealed class TransposeNode(string name, string input, string output, int[] perm) : Node(name, [input], [output])
{
    public override string OpType => "Transpose";
    public int[] Perm { get; set; } = perm;

    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        ExpectInputs(inputs, 1);
        var x = inputs[0];
        if (Perm.Length != x.Rank || !Perm.Order().SequenceEqual(Enumerable.Range(0, x.Rank)))
            throw BadShape($"perm [{string.Join(", ", Perm)}] is not a permutation of the axes of {x}");
        return [new TensorShape(Perm.Select(p => x[p]))];
    }

    public override string DescribeAttributes() => $"perm=[{string.Join(", ", Perm)}]";
}

/// <summary>
/// ShuffleNet's channel shuffle on NCHW: the channels viewed as [<see cref="Groups"/>, C / Groups], transposed to
/// [C / Groups, Groups] and flattened back. Output channel <c>j·g + i</c> is input channel <c>i·(C/g) + j</c>
/// (<c>i &lt; g</c>, <c>j &lt; C/g</c>). A pure permutation: no arithmetic, the int8 output keeps the input's parameters.
/// </summary>
public sealed class ChannelShuffleNode(string name, string input, string output, int groups) : Node(name, [input], [output])
{
    public override string OpType => "ChannelShuffle";
    public int Groups { get; set; } = groups;

    public override void Validate()
    {
        if (Groups <= 0) throw Invalid($"groups must be positive, got {Groups}");
        base.Validate();
    }

    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        ExpectInputs(inputs, 1, 2);
        var x = inputs[0];
        if (x[1] % Groups != 0) throw BadShape($"{Groups} groups do not divide the {x[1]} channels of {x}");
        return [x];
    }

    /// <summary>The input channel that output channel <paramref name="c"/> copies, for <paramref name="channels"/> channels.</summary>
    public static int SourceChannel(int c, int channels, int groups)
    {
        int perGroup = channels / groups;
        return (c % groups) * perGroup + c / groups;
    }

    public override string DescribeAttributes() => $"groups={Groups}";
}

/// <summary>
/// A box of the input (ONNX Slice with step 1 on data): along each axis in <see cref="Axes"/>, elements
/// [<see cref="Starts"/>[k], <see cref="Ends"/>[k]) (both resolved to non-negative, in range). ShuffleNetV2's channel split
/// (<c>x.chunk(2, dim=1)</c>) is two slices on axis 1. Axis 0 (the batch) is never sliced.
/// </summary>
public sealed class SliceNode(string name, string input, string output, int[] axes, int[] starts, int[] ends) : Node(name, [input], [output])
{
    public override string OpType => "Slice";
    public int[] Axes { get; set; } = axes;
    public int[] Starts { get; set; } = starts;
    public int[] Ends { get; set; } = ends;

    public override void Validate()
    {
        if (Axes.Length != Starts.Length || Axes.Length != Ends.Length) throw Invalid("axes, starts and ends must have one length");
        if (Axes.Distinct().Count() != Axes.Length) throw Invalid($"axes [{string.Join(", ", Axes)}] repeat an axis");
        for (int k = 0; k < Axes.Length; k++)
        {
            if (Axes[k] <= 0) throw Invalid($"axis {Axes[k]}: only axes after the batch axis may be sliced");
            if (Starts[k] < 0 || Ends[k] <= Starts[k]) throw Invalid($"slice [{Starts[k]}, {Ends[k]}) on axis {Axes[k]} is empty or negative");
        }
        base.Validate();
    }

    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        ExpectInputs(inputs, 1);
        var d = inputs[0].ToArray();
        for (int k = 0; k < Axes.Length; k++)
        {
            if (Axes[k] >= d.Length) throw BadShape($"axis {Axes[k]} is out of range for {inputs[0]}");
            if (Ends[k] > d[Axes[k]]) throw BadShape($"slice [{Starts[k]}, {Ends[k]}) exceeds dimension {Axes[k]} of {inputs[0]}");
            d[Axes[k]] = Ends[k] - Starts[k];
        }
        return [new TensorShape(d)];
    }

    /// <summary>The start of the box along every axis of a rank-<paramref name="rank"/> input (0 where not sliced).</summary>
    public int[] BeginOf(int rank)
    {
        var begin = new int[rank];
        for (int k = 0; k < Axes.Length; k++) begin[Axes[k]] = Starts[k];
        return begin;
    }

    public override string DescribeAttributes()
        => string.Join(" ", Axes.Select((a, k) => $"axis{a}[{Starts[k]}:{Ends[k]}]"));
}
