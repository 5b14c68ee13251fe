namespace Edge.Onnx.ShapeFolding;

/// <summary>The operators that create folded values: Constant, ConstantOfShape and Shape.</summary>
internal static class ConstantSources
{
    /// <summary>Constant: exactly one of value, value_float(s), value_int(s).</summary>
    public static void Constant(OnnxNode node, ImportContext ctx)
    {
        node.ExpectInputs(0, 0);
        var a = node.Attributes;
        foreach (var unsupported in new[] { "sparse_value", "value_string", "value_strings" })
        {
            if (a.Has(unsupported)) throw node.Unsupported($"a Constant with {unsupported} is not supported");
        }
        var given = new[] { "value", "value_float", "value_floats", "value_int", "value_ints" }.Where(a.Has).ToArray();
        if (given.Length != 1) throw node.Error($"exactly one value attribute is expected, got {(given.Length == 0 ? "none" : string.Join(", ", given))}");
        var value = given[0] switch
        {
            "value" => TensorConversion.Read(a.Tensor("value")!, ctx.File, node.Output),
            "value_float" => FoldedTensor.OfFloats([], [a.Float("value_float", 0f)]),
            "value_floats" => FoldedTensor.OfFloats([a.Floats("value_floats")!.Length], a.Floats("value_floats")!),
            "value_int" => FoldedTensor.OfInts([], [a.Int("value_int", 0)]),
            _ => FoldedTensor.OfInts([a.Ints("value_ints")!.Length], a.Ints("value_ints")!),
        };
        ctx.AddConstant(node.Output, value, node);
    }

    /// <summary>ConstantOfShape: a tensor of the given static shape filled with the one-element 'value' (default float 0).</summary>
    public static void ConstantOfShape(OnnxNode node, ImportContext ctx)
    {
        node.ExpectInputs(1, 1);
        var shape = node.StaticIntsInput(0, "shape");
        if (shape.Any(d => d < 0 || d > int.MaxValue)) throw node.Error($"shape [{string.Join(", ", shape)}] has a dimension out of range");
        var dims = shape.Select(d => (int)d).ToArray();
        long count = FoldedTensor.ElementCount(dims);
        if (count > FoldedTensor.MaxFoldedElements) throw node.Unsupported($"shape [{string.Join(", ", dims)}] is too large to fold");
        var fill = node.Attributes.Tensor("value") is { } t ? TensorConversion.Read(t, ctx.File, $"{node.Output} (value)") : FoldedTensor.OfFloats([1], [0f]);
        if (fill.Length != 1) throw node.Error($"'value' must hold one element, got {fill}");
        ctx.AddConstant(node.Output, fill.Select(dims, new int[count]), node);
    }

    /// <summary>
    /// Shape: the dimensions of a data tensor or a constant, optionally sliced by start/end (opset 15). A data tensor's
    /// batch dimension becomes the symbolic batch size.
    /// </summary>
    public static void Shape(OnnxNode node, ImportContext ctx)
    {
        node.ExpectInputs(1, 1);
        string x = node.RequireInput(0, "data");
        int rank;
        long[] values;
        bool[] isBatch;
        if (ctx.TryGetConstant(x) is { } constant)
        {
            rank = constant.Rank;
            values = constant.Dims.Select(d => (long)d).ToArray();
            isBatch = new bool[rank];
        }
        else
        {
            var shape = ctx.ShapeOf(x);
            rank = shape.Rank;
            values = new long[rank];
            isBatch = new bool[rank];
            for (int i = 0; i < rank; i++)
            {
                values[i] = shape[i];
                isBatch[i] = ctx.IsBatchDim(x, i);
                if (!isBatch[i] && ctx.DependsOnBatch(x, i))
                    throw node.Unsupported($"dimension {i} of '{x}' {shape} changes with the batch size but is not the batch size; it cannot be folded");
            }
        }
        int start = Clamp(node.Attributes.Int("start", 0), rank), end = Clamp(node.Attributes.Int("end", rank), rank);
        int length = Math.Max(0, end - start);
        ctx.AddConstant(node.Output, FoldedTensor.OfInts([length], values[start..(start + length)], isBatch[start..(start + length)]), node);
    }

    private static int Clamp(long axis, int rank) => (int)Math.Clamp(axis < 0 ? axis + rank : axis, 0, rank);
}
