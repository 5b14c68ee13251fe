using Edge.Core.Graph.Nodes;
using Edge.Core.Tensors;
using Edge.Onnx.ShapeFolding;

namespace Edge.Onnx.OpMapping;

/// <summary>
/// Flatten, Reshape, Concat, Pad, Dropout and Identity on data tensors. Reshape, Concat and Identity whose inputs are
/// all constants are folded instead.
/// </summary>
internal static class ShapeMapping
{
    public static void Flatten(OnnxNode node, ImportContext ctx)
    {
        node.ExpectInputs(1, 1);
        ctx.Emit(new FlattenNode(node.Name, node.DataInput(0), node.Output, node.Attributes.SmallInt("axis", 1)), node);
    }

    /// <summary>
    /// The target shape must be constant. An element that is the batch size (from <c>Shape(x)[0]</c>) may only be
    /// dimension 0, and only when the data's dimension 0 is the batch: it becomes 0, "copy the input's dimension".
    /// </summary>
    public static void Reshape(OnnxNode node, ImportContext ctx)
    {
        node.ExpectInputs(2, 2);
        if (node.IsConstantInput(0))
        {
            ElementMoves.Reshape(node, ctx);
            return;
        }
        var x = node.DataInput(0);
        var shape = node.ConstantInput(1, "shape");
        if (shape.Ints is null || shape.Rank != 1) throw node.Error($"shape '{node.Inputs[1]}' must be a 1-D integer tensor, got {shape}");
        bool allowZero = node.Attributes.Int("allowzero", 0) != 0;
        var target = new int[shape.Length];
        for (int i = 0; i < target.Length; i++)
        {
            long v = shape.Ints[i];
            if (shape.IsBatch?[i] == true)
            {
                if (i != 0 || !ctx.IsBatchDim(x, 0))
                    throw node.Unsupported($"element {i} of the target shape is the batch size; only dimension 0 of a batch-first tensor may be");
                v = 0;
            }
            else if (v == 0 && allowZero)
            {
                throw node.Unsupported("allowzero = 1 with a 0 in the target shape (an empty tensor) is not supported");
            }
            if (v < -1 || v > int.MaxValue) throw node.Error($"target shape element {i} is {v}");
            target[i] = (int)v;
        }
        CheckTargetFits(node, ctx.ShapeOf(x), target);
        var reshape = new ReshapeNode(node.Name, x, node.Output, target);
        if (ChannelMoveMapping.TryFuseChannelShuffle(node, ctx, x, reshape)) return;
        ctx.Emit(reshape, node);
    }

    /// <summary>
    /// Rejects a target whose given dimensions alone hold more elements than the input: such a reshape is wrong anyway,
    /// and its product could overflow the IR's size arithmetic.
    /// </summary>
    private static void CheckTargetFits(OnnxNode node, TensorShape input, int[] target)
    {
        long elements = input.ElementCount, product = 1;
        for (int i = 0; i < target.Length && product <= elements; i++)
        {
            int d = target[i] == 0 && i < input.Rank ? input[i] : target[i];
            if (d > 0) product *= d;
        }
        if (product > elements) throw node.Error($"cannot reshape {input} to [{string.Join(", ", target)}]");
    }

    public static void Concat(OnnxNode node, ImportContext ctx)
    {
        if (node.Inputs.Count == 0) throw node.Error("Concat needs at least one input");
        if (node.AllInputsConstant)
        {
            ElementMoves.Concat(node, ctx);
            return;
        }
        var inputs = node.Inputs.Select((_, k) => node.DataInput(k)).ToArray();
        int axis = node.Attributes.Has("axis") ? node.Attributes.SmallInt("axis", 0) : throw node.Error("attribute 'axis' is required");
        ctx.Emit(new ConcatNode(node.Name, inputs, node.Output, axis), node);
    }

    /// <summary>Pad (opset ≥ 11): pads and the constant value are inputs; pads are in ONNX order, begins then ends.</summary>
    public static void Pad(OnnxNode node, ImportContext ctx)
    {
        node.ExpectInputs(2, 3);
        string mode = node.Attributes.String("mode", "constant");
        if (mode != "constant") throw node.Unsupported($"mode '{mode}' is not supported (only 'constant')");
        var x = node.DataInput(0);
        var pads = node.StaticIntsInput(1, "pads");
        if (pads.Any(p => p < int.MinValue || p > FoldedTensor.MaxElements)) throw node.Error($"pads [{string.Join(", ", pads)}] are out of range");
        float value = node.ScalarInput(2, "constant_value", 0f);
        ctx.Emit(new PadNode(node.Name, x, node.Output, pads.Select(p => (int)p).ToArray(), value), node);
    }

    /// <summary>Dropout in inference mode: training_mode, if given, must be a constant false; the mask must be unused.</summary>
    public static void Dropout(OnnxNode node, ImportContext ctx)
    {
        node.ExpectInputs(1, 3);
        node.RequireUnusedOutputs(1);
        if (node.HasInput(2) && node.StaticIntsInput(2, "training_mode").Any(v => v != 0))
        {
            throw node.Unsupported("training_mode is true; export the model in eval mode");
        }
        ctx.Emit(new DropoutNode(node.Name, node.DataInput(0), node.Output), node);
    }

    public static void Identity(OnnxNode node, ImportContext ctx)
    {
        node.ExpectInputs(1, 1);
        if (node.IsConstantInput(0)) ctx.AddConstant(node.Output, node.ConstantInput(0, "input"), node);
        else ctx.Emit(new IdentityNode(node.Name, node.DataInput(0), node.Output), node);
    }
}
