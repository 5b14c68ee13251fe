using Edge.Core.Graph.Nodes;
using Edge.Core.Tensors;
using Edge.Onnx.ShapeFolding;

namespace Edge.Onnx.OpMapping;

/// <summary>
/// Transpose, Slice and Split. On constants they fold (shape computations); on data: Transpose is a
/// <see cref="TransposeNode"/> (ShuffleNet's Reshape → Transpose → Reshape becomes one <see cref="ChannelShuffleNode"/>,
/// see <see cref="TryFuseChannelShuffle"/>), Slice with step 1 off the batch axis a <see cref="SliceNode"/>, and Split
/// one <see cref="SliceNode"/> per output.
/// </summary>
internal static class ChannelMoveMapping
{
    public static void Transpose(OnnxNode node, ImportContext ctx)
    {
        node.ExpectInputs(1, 1);
        if (node.IsConstantInput(0))
        {
            ElementMoves.Transpose(node, ctx);
            return;
        }
        var x = node.DataInput(0);
        int rank = ctx.ShapeOf(x).Rank;
        var perm = node.Attributes.SmallInts("perm") ?? Enumerable.Range(0, rank).Reverse().ToArray();
        if (perm.Length == 0 || perm[0] != 0)
            throw node.Unsupported($"perm [{string.Join(", ", perm)}] moves the batch axis; only permutations that keep axis 0 are supported");
        ctx.Emit(new TransposeNode(node.Name, x, node.Output, perm), node);
    }

    /// <summary>
    /// At the closing Reshape of <c>x.view(N, g, C/g, H, W).transpose(1, 2).reshape(N, C, H, W)</c> (torchvision's
    /// channel_shuffle): takes back the opening Reshape and the Transpose and emits one <see cref="ChannelShuffleNode"/>.
    /// False (nothing changed) for any other Reshape.
    /// </summary>
    public static bool TryFuseChannelShuffle(OnnxNode node, ImportContext ctx, string x, ReshapeNode closing)
    {
        if (ctx.ProducerOf(x) is not TransposeNode t || ctx.ConsumerCount(x) != 1 || !t.Perm.SequenceEqual([0, 2, 1, 3, 4])) return false;
        if (ctx.ProducerOf(t.Input) is not ReshapeNode opening || ctx.ConsumerCount(t.Input) != 1) return false;
        var source = ctx.ShapeOf(opening.Input);
        var split = ctx.ShapeOf(t.Input);
        if (source.Rank != 4 || split.Rank != 5) return false;
        if (split[0] != source[0] || split[1] * split[2] != source[1] || split[3] != source[2] || split[4] != source[3]) return false;
        try
        {
            if (closing.InferShapes([ctx.ShapeOf(x)])[0] != source) return false;
        }
        catch (Core.Errors.ShapeInferenceException)
        {
            return false; // Emit reports it, naming the node
        }
        ctx.Remove(t);
        ctx.Remove(opening);
        ctx.Emit(new ChannelShuffleNode(node.Name, opening.Input, node.Output, split[1]), node);
        return true;
    }

    /// <summary>Slice (opset ≥ 10: starts, ends, axes, steps are inputs), constant, step 1, never on the batch axis.</summary>
    public static void Slice(OnnxNode node, ImportContext ctx)
    {
        node.ExpectInputs(3, 5);
        if (node.IsConstantInput(0))
        {
            ElementMoves.Slice(node, ctx);
            return;
        }
        var x = node.DataInput(0);
        var starts = node.StaticIntsInput(1, "starts");
        var ends = node.StaticIntsInput(2, "ends");
        var axes = node.HasInput(3) ? node.StaticIntsInput(3, "axes") : Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
        var steps = node.HasInput(4) ? node.StaticIntsInput(4, "steps") : Enumerable.Repeat(1L, starts.Length).ToArray();
        if (ends.Length != starts.Length || axes.Length != starts.Length || steps.Length != starts.Length)
            throw node.Error("starts, ends, axes and steps must have the same length");
        var shape = ctx.ShapeOf(x);
        var (outAxes, outStarts, outEnds) = (new List<int>(), new List<int>(), new List<int>());
        for (int k = 0; k < starts.Length; k++)
        {
            long a = axes[k] < 0 ? axes[k] + shape.Rank : axes[k];
            if (a < 0 || a >= shape.Rank) throw node.Error($"axis {axes[k]} is out of range for {shape}");
            if (steps[k] != 1) throw node.Unsupported($"step {steps[k]} on axis {a} is not supported (only 1)");
            if (outAxes.Contains((int)a)) throw node.Error($"axis {a} is given twice");
            if (a == 0)
            {
                if (starts[k] != 0 || ends[k] < ImportContext.ProbeBatchB) throw node.Unsupported("slicing the batch axis is not supported");
                continue;
            }
            long size = shape[(int)a];
            long start = Math.Clamp(starts[k] < 0 ? starts[k] + size : starts[k], 0, size);
            long end = Math.Clamp(ends[k] < 0 ? ends[k] + size : ends[k], 0, size);
            if (end <= start) throw node.Unsupported($"the slice [{starts[k]}, {ends[k]}) of axis {a} ({size}) is empty");
            if (start == 0 && end == size) continue;
            outAxes.Add((int)a);
            outStarts.Add((int)start);
            outEnds.Add((int)end);
        }
        if (outAxes.Count == 0) ctx.Emit(new IdentityNode(node.Name, x, node.Output), node);
        else ctx.Emit(new SliceNode(node.Name, x, node.Output, [.. outAxes], [.. outStarts], [.. outEnds]), node);
    }

    /// <summary>Split on data: the sizes from the 'split' input (opset ≥ 13) or attribute, else equal parts; one slice per output.</summary>
    public static void Split(OnnxNode node, ImportContext ctx)
    {
        node.ExpectInputs(1, 2);
        var x = node.DataInput(0);
        var shape = ctx.ShapeOf(x);
        int axis = node.Attributes.SmallInt("axis", 0);
        if (axis < 0) axis += shape.Rank;
        if (axis <= 0 || axis >= shape.Rank) throw node.Unsupported($"Split on axis {node.Attributes.SmallInt("axis", 0)} of {shape} is not supported (only axes after the batch axis)");
        int parts = node.Outputs.Count;
        var sizes = node.HasInput(1) ? node.StaticIntsInput(1, "split") : node.Attributes.Ints("split");
        if (sizes is null)
        {
            if (shape[axis] % parts != 0) throw node.Error($"{shape[axis]} elements of axis {axis} do not split into {parts} equal parts");
            sizes = Enumerable.Repeat((long)(shape[axis] / parts), parts).ToArray();
        }
        if (sizes.Length != parts || sizes.Any(s => s <= 0) || sizes.Sum() != shape[axis])
            throw node.Error($"split sizes [{string.Join(", ", sizes)}] do not cover axis {axis} ({shape[axis]}) in {parts} non-empty parts");
        int start = 0;
        for (int k = 0; k < parts; k++)
        {
            int end = start + (int)sizes[k];
            if (node.Outputs[k].Length > 0)
                ctx.Emit(new SliceNode(k == 0 ? node.Name : $"{node.Name}/{k}", x, node.Outputs[k], [axis], [start], [end]), node);
            start = end;
        }
    }
}
