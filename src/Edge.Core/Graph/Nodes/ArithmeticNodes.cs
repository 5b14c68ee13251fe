using Edge.Core.Tensors;

namespace Edge.Core.Graph.Nodes;

/// <summary>
/// Element-wise sum of two data tensors with NumPy broadcasting (a residual connection adds equal shapes).
/// A following ReLU may be fused as <see cref="Clamp"/>.
/// </summary>
public sealed class AddNode(string name, string a, string b, string output) : Node(name, [a, b], [output])
{
    public override string OpType => "Add";
    public FusedClamp Clamp { get; set; } = FusedClamp.None;

    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        ExpectInputs(inputs, 2);
        return [Broadcast.Shape(inputs[0], inputs[1]) ?? throw BadShape($"shapes {inputs[0]} and {inputs[1]} do not broadcast")];
    }

    public override string DescribeAttributes() => Clamp.IsNone ? "" : $"+{Clamp}";
}

/// <summary>
/// Multiplication by a constant <see cref="Scale"/> that broadcasts against the input, in practice one value per
/// channel ([C, 1, 1] or [1, C, 1, 1]) or a scalar.
/// </summary>
public sealed class MulNode(string name, string input, string output, ConstantTensor scale) : Node(name, [input], [output])
{
    public override string OpType => "Mul";
    public ConstantTensor Scale { get; set; } = scale;
    public override IEnumerable<ConstantTensor> Constants => [Scale];

    /// <summary>A buffer, not a trained parameter.</summary>
    public override long ParameterCount => 0;

    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        ExpectInputs(inputs, 1);
        var s = Broadcast.Shape(inputs[0], Scale.Shape);
        if (s is null || s != inputs[0]) throw BadShape($"constant {Scale.Shape} does not broadcast onto the input {inputs[0]}");
        return [s];
    }
}

/// <summary>Softmax along <see cref="Axis"/> (opset-13 semantics), computed as exp(x − max) / Σ.</summary>
public sealed class SoftmaxNode(string name, string input, string output, int axis = -1) : Node(name, [input], [output])
{
    public override string OpType => "Softmax";
    public int Axis { get; set; } = axis;

    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        ExpectInputs(inputs, 1, 1);
        int axis = Axis < 0 ? Axis + inputs[0].Rank : Axis;
        if (axis < 0 || axis >= inputs[0].Rank) throw BadShape($"axis {Axis} is out of range for {inputs[0]}");
        return [inputs[0]];
    }

    public override string DescribeAttributes() => $"axis={Axis}";
}

/// <summary>
/// Local response normalization across channels (AlexNet):
/// <c>y = x / (Bias + Alpha / Size · Σ x²)^Beta</c>, the sum over channels c − ⌊(Size−1)/2⌋ … c + ⌈(Size−1)/2⌉.
/// </summary>
public sealed class LrnNode(string name, string input, string output, int size, float alpha = 1e-4f, float beta = 0.75f, float bias = 1f) : Node(name, [input], [output])
{
    public override string OpType => "LRN";
    public int Size { get; set; } = size;
    public float Alpha { get; set; } = alpha;
    public float Beta { get; set; } = beta;
    public float Bias { get; set; } = bias;

    public override void Validate()
    {
        if (Size <= 0) throw Invalid($"size must be positive, got {Size}");
        base.Validate();
    }

    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        ExpectInputs(inputs, 1, 3);
        return [inputs[0]];
    }

    public override string DescribeAttributes() => $"size={Size} alpha={Alpha:g3} beta={Beta:g3} bias={Bias:g3}";
}

/// <summary>NumPy broadcasting of shapes.</summary>
public static class Broadcast
{
    /// <summary>The broadcast shape of <paramref name="a"/> and <paramref name="b"/>, or null when they do not broadcast.</summary>
    public static TensorShape? Shape(TensorShape a, TensorShape b)
    {
        int rank = Math.Max(a.Rank, b.Rank);
        var d = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Rank ? 1 : a[i - (rank - a.Rank)];
            int db = i < rank - b.Rank ? 1 : b[i - (rank - b.Rank)];
            if (da != db && da != 1 && db != 1) return null;
            d[i] = da == 1 ? db : da;
        }
        return new TensorShape(d);
    }
}
