namespace Edge.Onnx.ShapeFolding;

/// <summary>
/// Folding of the operators that only move elements — Reshape, Unsqueeze, Squeeze, Transpose, Gather, Slice, Concat —
/// on constant inputs. Each computes the output dimensions and, for each output element, the flat index of the input
/// element it copies, so integer, float and batch-flagged elements are handled alike.
/// </summary>
internal static class ElementMoves
{
    public static void Reshape(OnnxNode node, ImportContext ctx)
    {
        var data = node.ConstantInput(0, "data");
        var shape = node.StaticIntsInput(1, "shape");
        bool allowZero = node.Attributes.Int("allowzero", 0) != 0;
        var dims = new int[shape.Length];
        int inferAt = -1;
        long known = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            long v = shape[i] == 0 && !allowZero ? (i < data.Rank ? data.Dims[i] : throw node.Error($"shape element {i} copies a dimension the data {data} lacks")) : shape[i];
            if (v == -1 && inferAt < 0)
            {
                inferAt = i;
                continue;
            }
            if (v < 0 || v > int.MaxValue) throw node.Error($"shape [{string.Join(", ", shape)}] is not a valid target");
            dims[i] = (int)v;
            known = Math.Min(known * v, FoldedTensor.MaxElements + 1);
        }
        if (inferAt >= 0 && known > 0 && data.Length % known == 0) dims[inferAt] = (int)(data.Length / known);
        else if (inferAt >= 0 || known != data.Length) throw node.Error($"cannot reshape {data} to [{string.Join(", ", shape)}]");
        ctx.AddConstant(node.Output, data.WithDims(dims), node);
    }

    /// <summary>Unsqueeze: axes is an attribute before opset 13, an input from 13 on.</summary>
    public static void Unsqueeze(OnnxNode node, ImportContext ctx)
    {
        var data = node.ConstantInput(0, "data");
        var axes = ctx.Opset >= 13 ? node.StaticIntsInput(1, "axes") : node.Attributes.Ints("axes") ?? throw node.Error("attribute 'axes' is required");
        int rank = data.Rank + axes.Length;
        var inserted = new bool[rank];
        foreach (var a in axes)
        {
            int axis = Axis(node, a, rank);
            if (inserted[axis]) throw node.Error($"axis {a} is given twice");
            inserted[axis] = true;
        }
        var dims = new int[rank];
        for (int i = 0, src = 0; i < rank; i++) dims[i] = inserted[i] ? 1 : data.Dims[src++];
        ctx.AddConstant(node.Output, data.WithDims(dims), node);
    }

    /// <summary>Squeeze: removes the given axes (each of size 1), or every axis of size 1 when none is given.</summary>
    public static void Squeeze(OnnxNode node, ImportContext ctx)
    {
        var data = node.ConstantInput(0, "data");
        var axes = ctx.Opset >= 13 ? (node.HasInput(1) ? node.StaticIntsInput(1, "axes") : null) : node.Attributes.Ints("axes");
        var removed = new bool[data.Rank];
        for (int i = 0; i < data.Rank; i++) removed[i] = axes is null && data.Dims[i] == 1;
        foreach (var a in axes ?? [])
        {
            int axis = Axis(node, a, data.Rank);
            if (data.Dims[axis] != 1) throw node.Error($"axis {a} of {data} has size {data.Dims[axis]}, not 1");
            removed[axis] = true;
        }
        ctx.AddConstant(node.Output, data.WithDims(data.Dims.Where((_, i) => !removed[i]).ToArray()), node);
    }

    public static void Transpose(OnnxNode node, ImportContext ctx)
    {
        var data = node.ConstantInput(0, "data");
        var perm = node.Attributes.Ints("perm") ?? Enumerable.Range(0, data.Rank).Reverse().Select(i => (long)i).ToArray();
        if (perm.Length != data.Rank || !perm.OrderBy(p => p).SequenceEqual(Enumerable.Range(0, data.Rank).Select(i => (long)i)))
        {
            throw node.Error($"perm [{string.Join(", ", perm)}] is not a permutation of the {data.Rank} axes");
        }
        var strides = FoldedTensor.Strides(data.Dims);
        var dims = perm.Select(p => data.Dims[p]).ToArray();
        ctx.AddConstant(node.Output, data.Select(dims, MapIndices(node, dims, idx =>
        {
            int src = 0;
            for (int i = 0; i < idx.Length; i++) src += idx[i] * strides[perm[i]];
            return src;
        })), node);
    }

    /// <summary>Gather along 'axis' (default 0); negative indices count from the end.</summary>
    public static void Gather(OnnxNode node, ImportContext ctx)
    {
        node.ExpectInputs(2, 2);
        var data = node.ConstantInput(0, "data");
        var indicesTensor = node.ConstantInput(1, "indices");
        var indices = node.StaticInts(indicesTensor, $"indices '{node.Inputs[1]}'");
        if (data.Rank == 0) throw node.Error("Gather needs data of rank ≥ 1");
        int axis = Axis(node, node.Attributes.Int("axis", 0), data.Rank);
        int n = data.Dims[axis];
        int inner = (int)FoldedTensor.ElementCount(data.Dims.AsSpan(axis + 1));
        var dims = data.Dims[..axis].Concat(indicesTensor.Dims).Concat(data.Dims[(axis + 1)..]).ToArray();
        var resolved = indices.Select(i => i < -n || i >= n ? throw node.Error($"index {i} is out of range for dimension {axis} of {data}") : (int)(i < 0 ? i + n : i)).ToArray();
        ctx.AddConstant(node.Output, data.Select(dims, MapIndices(node, dims, idx =>
        {
            // The output index is (outer…, index…, inner…); rebuild the flat input index from the three parts.
            int outer = 0, j = 0, innerIndex = 0;
            for (int a = 0; a < axis; a++) outer = outer * data.Dims[a] + idx[a];
            for (int a = axis; a < axis + indicesTensor.Rank; a++) j = j * indicesTensor.Dims[a - axis] + idx[a];
            for (int a = axis + indicesTensor.Rank; a < idx.Length; a++) innerIndex = innerIndex * dims[a] + idx[a];
            return (outer * n + resolved[j]) * inner + innerIndex;
        })), node);
    }

    /// <summary>Slice (opset ≥ 10): starts, ends, axes and steps are inputs; bounds are clamped as ONNX specifies.</summary>
    public static void Slice(OnnxNode node, ImportContext ctx)
    {
        node.ExpectInputs(3, 5);
        var data = node.ConstantInput(0, "data");
        var starts = node.StaticIntsInput(1, "starts");
        var ends = node.StaticIntsInput(2, "ends");
        var axes = node.HasInput(3) ? node.StaticIntsInput(3, "axes") : Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
        var steps = node.HasInput(4) ? node.StaticIntsInput(4, "steps") : Enumerable.Repeat(1L, starts.Length).ToArray();
        if (ends.Length != starts.Length || axes.Length != starts.Length || steps.Length != starts.Length)
            throw node.Error("starts, ends, axes and steps must have the same length");

        var first = new int[data.Rank];
        var step = Enumerable.Repeat(1, data.Rank).ToArray();
        var dims = (int[])data.Dims.Clone();
        for (int j = 0; j < starts.Length; j++)
        {
            int axis = Axis(node, axes[j], data.Rank);
            long size = data.Dims[axis], s = steps[j];
            if (s == 0 || s < int.MinValue || s > int.MaxValue) throw node.Error($"step {s} is not supported");
            long start = starts[j] < 0 ? starts[j] + size : starts[j];
            long end = ends[j] < 0 ? ends[j] + size : ends[j];
            start = s > 0 ? Math.Clamp(start, 0, size) : Math.Clamp(start, 0, size - 1);
            end = s > 0 ? Math.Clamp(end, 0, size) : Math.Clamp(end, -1, size - 1);
            long count = s > 0 ? (end - start + s - 1) / s : (start - end + (-s) - 1) / -s;
            first[axis] = (int)start;
            step[axis] = (int)s;
            dims[axis] = (int)Math.Max(0, count);
        }
        var strides = FoldedTensor.Strides(data.Dims);
        ctx.AddConstant(node.Output, data.Select(dims, MapIndices(node, dims, idx =>
        {
            int src = 0;
            for (int a = 0; a < idx.Length; a++) src += (first[a] + idx[a] * step[a]) * strides[a];
            return src;
        })), node);
    }

    /// <summary>Concat of constants along 'axis'; all inputs of one element kind and equal outside the axis.</summary>
    public static void Concat(OnnxNode node, ImportContext ctx)
    {
        var parts = node.Inputs.Select((_, k) => node.ConstantInput(k, $"input {k}")).ToArray();
        var head = parts[0];
        if (head.Rank == 0) throw node.Error("Concat inputs must have rank ≥ 1");
        int axis = Axis(node, node.Attributes.RequiredInt("axis"), head.Rank);
        foreach (var p in parts)
        {
            bool fits = p.IsFloat == head.IsFloat && p.Rank == head.Rank && p.Dims.Where((d, i) => i != axis && d != head.Dims[i]).Any() == false;
            if (!fits) throw node.Error($"input {p} does not concatenate with {head} along axis {axis}");
        }
        if (parts.Sum(p => (long)p.Length) > FoldedTensor.MaxFoldedElements) throw node.Unsupported("the folded result is too large");
        var stacked = Stack(parts);
        var dims = (int[])head.Dims.Clone();
        dims[axis] = parts.Sum(p => p.Dims[axis]);
        int outer = (int)FoldedTensor.ElementCount(head.Dims.AsSpan(0, axis));
        var source = new List<int>(stacked.Length);
        for (int o = 0; o < outer; o++)
        {
            int offset = 0;
            foreach (var p in parts)
            {
                int block = p.Length / Math.Max(outer, 1);
                for (int e = 0; e < block; e++) source.Add(offset + o * block + e);
                offset += p.Length;
            }
        }
        ctx.AddConstant(node.Output, stacked.Select(dims, source.ToArray()), node);
    }

    /// <summary>All elements of <paramref name="parts"/> one after the other, as a 1-D tensor.</summary>
    private static FoldedTensor Stack(FoldedTensor[] parts)
    {
        int total = parts.Sum(p => p.Length);
        if (parts[0].IsFloat) return FoldedTensor.OfFloats([total], parts.SelectMany(p => p.Floats!).ToArray());
        return FoldedTensor.OfInts([total], parts.SelectMany(p => p.Ints!).ToArray(),
            parts.SelectMany(p => p.IsBatch ?? new bool[p.Length]).ToArray());
    }

    /// <summary>For every output multi-index (row-major order), the flat input index <paramref name="sourceOf"/> gives.</summary>
    internal static int[] MapIndices(OnnxNode node, int[] dims, Func<int[], int> sourceOf)
    {
        long count = FoldedTensor.ElementCount(dims);
        if (count > FoldedTensor.MaxFoldedElements) throw node.Unsupported($"the folded result [{string.Join(", ", dims)}] is too large");
        var map = new int[count];
        var idx = new int[dims.Length];
        for (int flat = 0; flat < map.Length; flat++)
        {
            map[flat] = sourceOf(idx);
            for (int a = idx.Length - 1; a >= 0 && ++idx[a] == dims[a]; a--) idx[a] = 0;
        }
        return map;
    }

    /// <summary>An axis in [−rank, rank) made non-negative.</summary>
    internal static int Axis(OnnxNode node, long axis, int rank)
        => axis >= -rank && axis < rank ? (int)(axis < 0 ? axis + rank : axis) : throw node.Error($"axis {axis} is out of range for rank {rank}");
}
