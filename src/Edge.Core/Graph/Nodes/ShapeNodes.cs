using Edge.Core.Tensors;

namespace Edge.Core.Graph.Nodes;

/// <summary>[d0, …, dn] → [d0·…·d(Axis−1), dAxis·…·dn].</summary>
public sealed class FlattenNode(string name, string input, string output, int axis = 1) : Node(name, [input], [output])
{
    public override string OpType => "Flatten";
    public int Axis { get; set; } = axis;

    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        ExpectInputs(inputs, 1);
        var x = inputs[0];
        int axis = Axis < 0 ? Axis + x.Rank : Axis;
        if (axis < 0 || axis > x.Rank) throw BadShape($"axis {Axis} is out of range for {x}");
        long outer = 1, inner = 1; // both ≤ ElementCount, which is checked
        _ = x.ElementCount;
        for (int i = 0; i < x.Rank; i++)
        {
            if (i < axis) outer *= x[i]; else inner *= x[i];
        }
        if (outer > int.MaxValue || inner > int.MaxValue) throw BadShape($"flattening {x} at axis {Axis} gives a dimension over {int.MaxValue}");
        return [new TensorShape((int)outer, (int)inner)];
    }

    public override string DescribeAttributes() => $"axis={Axis}";
}

/// <summary>
/// Reshape to <see cref="TargetShape"/> with ONNX semantics: 0 copies the input's dimension at that position
/// (how a folded <c>x.view(x.size(0), -1)</c> keeps the batch), −1 takes what is left.
/// </summary>
public sealed class ReshapeNode(string name, string input, string output, int[] targetShape) : Node(name, [input], [output])
{
    public override string OpType => "Reshape";
    public int[] TargetShape { get; set; } = targetShape;

    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        ExpectInputs(inputs, 1);
        var x = inputs[0];
        var dims = (int[])TargetShape.Clone();
        int inferAt = -1;
        long known = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] == 0)
            {
                if (i >= x.Rank) throw BadShape($"target {Fmt()} copies dimension {i}, the input {x} has none");
                dims[i] = x[i];
            }
            if (dims[i] == -1)
            {
                if (inferAt >= 0) throw BadShape($"target {Fmt()} has more than one -1");
                inferAt = i;
                continue;
            }
            if (dims[i] < 0) throw BadShape($"target {Fmt()} has a negative dimension");
            known = SafeProduct(known, dims[i]);
        }
        long total = x.ElementCount;
        if (inferAt >= 0)
        {
            if (known == 0 || total % known != 0 || total / known > int.MaxValue) throw BadShape($"cannot reshape {x} ({total} elements) to {Fmt()}");
            dims[inferAt] = (int)(total / known);
        }
        else if (known != total)
        {
            throw BadShape($"cannot reshape {x} ({total} elements) to {Fmt()}");
        }
        return [new TensorShape(dims)];
    }

    public override string DescribeAttributes() => $"shape={Fmt()}";
    private string Fmt() => "[" + string.Join(", ", TargetShape) + "]";

    private long SafeProduct(long a, int b)
    {
        long p = a * b; // a ≤ int.MaxValue after every step, so this cannot overflow a long
        if (p > int.MaxValue) throw BadShape($"target {Fmt()} has more than {int.MaxValue} elements");
        return p;
    }
}

/// <summary>Joins inputs along <see cref="Axis"/> (channel concat of Inception branches is axis 1).</summary>
public sealed class ConcatNode(string name, IEnumerable<string> inputs, string output, int axis) : Node(name, inputs, [output])
{
    public override string OpType => "Concat";
    public int Axis { get; set; } = axis;

    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        if (inputs.Count == 0) throw BadShape("Concat needs at least one input");
        var first = inputs[0];
        int axis = NormalizeAxis(first.Rank);
        var dims = first.ToArray();
        for (int k = 1; k < inputs.Count; k++)
        {
            var s = inputs[k];
            if (s.Rank != first.Rank) throw BadShape($"input {k} {s} has rank {s.Rank}, input 0 {first} has {first.Rank}");
            for (int i = 0; i < s.Rank; i++)
            {
                if (i == axis) dims[i] += s[i];
                else if (s[i] != first[i]) throw BadShape($"input {k} {s} differs from input 0 {first} outside axis {axis}");
            }
        }
        return [new TensorShape(dims)];
    }

    public int NormalizeAxis(int rank)
    {
        int axis = Axis < 0 ? Axis + rank : Axis;
        if (axis < 0 || axis >= rank) throw BadShape($"axis {Axis} is out of range for rank {rank}");
        return axis;
    }

    public override string DescribeAttributes() => $"axis={Axis}";
}

/// <summary>
/// Constant padding. <see cref="Pads"/> follows ONNX: the begin pads of every axis, then the end pads
/// (for NCHW: [n0, c0, top, left, n1, c1, bottom, right]).
/// </summary>
public sealed class PadNode(string name, string input, string output, int[] pads, float value = 0f) : Node(name, [input], [output])
{
    public override string OpType => "Pad";
    public int[] Pads { get; set; } = pads;
    public float Value { get; set; } = value;

    public override void Validate()
    {
        if (Pads.Any(p => p < 0)) throw Invalid($"negative pads [{string.Join(", ", Pads)}] (cropping) are not supported");
        base.Validate();
    }

    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        ExpectInputs(inputs, 1);
        var x = inputs[0];
        if (Pads.Length != 2 * x.Rank) throw BadShape($"pads has {Pads.Length} values, a rank-{x.Rank} input needs {2 * x.Rank}");
        var d = x.ToArray();
        for (int i = 0; i < d.Length; i++)
        {
            long padded = (long)d[i] + Pads[i] + Pads[i + d.Length];
            if (padded > int.MaxValue) throw BadShape($"padding axis {i} of {x} by [{Pads[i]}, {Pads[i + d.Length]}] overflows");
            d[i] = (int)padded;
        }
        return [new TensorShape(d)];
    }

    public override string DescribeAttributes() => $"pads=[{string.Join(", ", Pads)}]{(Value != 0 ? $" value={Value}" : "")}";
}

/// <summary>Inference-mode Dropout: the identity. Removed by the converter's first pass.</summary>
public sealed class DropoutNode(string name, string input, string output) : Node(name, [input], [output])
{
    public override string OpType => "Dropout";

    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        ExpectInputs(inputs, 1);
        return [inputs[0]];
    }
}

/// <summary>The identity. Removed by the converter's first pass.</summary>
public sealed class IdentityNode(string name, string input, string output) : Node(name, [input], [output])
{
    public override string OpType => "Identity";

    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        ExpectInputs(inputs, 1);
        return [inputs[0]];
    }
}
