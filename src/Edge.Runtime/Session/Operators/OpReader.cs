using Edge.Core.Errors;
using Edge.Core.Shapes;
using Edge.Runtime.Arithmetic;
using Edge.Runtime.Format;

namespace Edge.Runtime.Session.Operators;

/// <summary>
/// Reads one operator's tensors, ints, floats and blobs against docs/edge-format.md, for the prepare step of the session.
/// Every failed check is an <see cref="EdgeModelFormatException"/> that names the operator:
/// <c>operator 3 'conv2' (Conv2d): weights [8, 3, 3, 4] disagree with input channels 3</c>.
/// </summary>
internal sealed class OpReader(EdgeModel model, int index, string source)
{
    /// <summary>A bound on sizes and window parameters, so index arithmetic in int32 cannot overflow.</summary>
    private const int MaxExtent = 1 << 20;

    public EdgeModel Model { get; } = model;
    public EdgeOp Op { get; } = model.Ops[index];
    public int Index { get; } = index;

    public EdgeModelFormatException Bad(string message) => new(source, $"operator {Index} '{Op.Name}' ({Op.Type}): {message}");

    public void Arity(int inputs, int outputs)
    {
        if (Op.Inputs.Length != inputs || Op.Outputs.Length != outputs)
            throw Bad($"has {Op.Inputs.Length} input(s) and {Op.Outputs.Length} output(s); the format gives it {inputs} and {outputs}");
    }

    public EdgeTensor Input(int i = 0) => Model.Tensors[Op.Inputs[i]];
    public EdgeTensor Output => Model.Tensors[Op.Outputs[0]];

    /// <summary>True when the operator runs in float32 (its first input is a float32 tensor: a node kept in float).</summary>
    public bool IsFloat => Input().DataType == EdgeDataType.Float32;

    public void DataType(EdgeTensor t, EdgeDataType expected, string role)
    {
        if (t.DataType != expected) throw Bad($"{role} '{t.Name}' is {t.DataType}, expected {expected}");
    }

    /// <summary>Every input and the output have type <paramref name="expected"/>.</summary>
    public void AllOfType(EdgeDataType expected)
    {
        for (int i = 0; i < Op.Inputs.Length; i++) DataType(Input(i), expected, $"input {i}");
        DataType(Output, expected, "output");
    }

    public static QuantizationParams Params(EdgeTensor t) => new(t.Scale, t.ZeroPoint);

    public (int N, int H, int W, int C) Nhwc(EdgeTensor t, string role)
    {
        if (t.Shape.Length != 4) throw Bad($"{role} '{t.Name}' has shape {Show(t.Shape)}; expected NHWC [N, H, W, C]");
        foreach (var d in t.Shape) Extent(d, $"{role} dimension");
        return (t.Shape[0], t.Shape[1], t.Shape[2], t.Shape[3]);
    }

    public void Shape(EdgeTensor t, int[] expected, string role)
    {
        if (!t.Shape.AsSpan().SequenceEqual(expected)) throw Bad($"{role} '{t.Name}' has shape {Show(t.Shape)}; the operator gives {Show(expected)}");
    }

    public void SameShape(EdgeTensor a, EdgeTensor b)
    {
        if (!a.Shape.AsSpan().SequenceEqual(b.Shape)) throw Bad($"'{a.Name}' {Show(a.Shape)} and '{b.Name}' {Show(b.Shape)} must have one shape");
    }

    /// <summary>The contract's pass-through operators (pools, pad) keep their input's parameters.</summary>
    public void SameParams(EdgeTensor input, EdgeTensor output)
    {
        if (Params(input) != Params(output))
            throw Bad($"output '{output.Name}' {Params(output)} must keep the parameters of input '{input.Name}' {Params(input)}");
    }

    public int[] Ints(int count, string layout)
    {
        if (Op.Ints.Length != count) throw Bad($"has {Op.Ints.Length} ints; the format gives it {count} ({layout})");
        return Op.Ints;
    }

    public float[] Floats(int count, string layout)
    {
        if (Op.Floats.Length != count) throw Bad($"has {Op.Floats.Length} floats; the format gives it {count} ({layout})");
        foreach (var f in Op.Floats)
            if (float.IsNaN(f)) throw Bad($"float parameter {f} is NaN");
        return Op.Floats;
    }

    /// <summary>The operator has no floats and no blobs.</summary>
    public void NoFloatsOrBlobs()
    {
        Floats(0, "none");
        BlobCount(0, "none");
    }

    public void BlobCount(int count, string layout)
    {
        if (Op.Blobs.Length != count) throw Bad($"has {Op.Blobs.Length} blobs; the format gives it {count} ({layout})");
    }

    /// <summary>Blob <paramref name="i"/>, checked to have type <paramref name="type"/> and shape <paramref name="shape"/>.</summary>
    public EdgeBlob Blob(int i, string what, EdgeDataType type, params int[] shape)
    {
        if (i >= Op.Blobs.Length) throw Bad($"has {Op.Blobs.Length} blobs, no {what}");
        var b = Op.Blobs[i];
        if (b.DataType != type) throw Bad($"{what} blob is {b.DataType}, expected {type}");
        if (!b.Shape.AsSpan().SequenceEqual(shape)) throw Bad($"{what} {Show(b.Shape)} disagree with the expected {Show(shape)}");
        return b;
    }

    /// <summary>The shape of blob <paramref name="i"/>, checked to have rank <paramref name="rank"/>.</summary>
    public int[] BlobShape(int i, int rank, string what)
    {
        if (i >= Op.Blobs.Length) throw Bad($"has {Op.Blobs.Length} blobs, no {what}");
        var shape = Op.Blobs[i].Shape;
        if (shape.Length != rank) throw Bad($"{what} {Show(shape)} should have rank {rank}");
        return shape;
    }

    /// <summary>A positive size at most 2^20.</summary>
    public int Extent(int value, string what)
    {
        if (value <= 0 || value > MaxExtent) throw Bad($"{what} {value} is out of range 1..{MaxExtent}");
        return value;
    }

    public int NonNegative(int value, string what)
    {
        if (value < 0 || value > MaxExtent) throw Bad($"{what} {value} is out of range 0..{MaxExtent}");
        return value;
    }

    public int Flag(int value, string what)
    {
        if (value is not (0 or 1)) throw Bad($"{what} is {value}, expected 0 or 1");
        return value;
    }

    public int Int8Value(int value, string what)
    {
        if (value < sbyte.MinValue || value > sbyte.MaxValue) throw Bad($"{what} {value} is not an int8 value");
        return value;
    }

    /// <summary>
    /// A window from <c>kh, kw, sh, sw, pt, pl, pb, pr</c> at <paramref name="offset"/>, then <c>dh, dw</c> when
    /// <paramref name="dilation"/> (else 1), and a ceil flag at <paramref name="ceilAt"/> when it is not −1.
    /// </summary>
    public Window2d Window(int[] ints, int offset, bool dilation, int ceilAt = -1)
    {
        int At(int i) => ints[offset + i];
        return new Window2d(
            Extent(At(0), "kernel height"), Extent(At(1), "kernel width"),
            Extent(At(2), "stride height"), Extent(At(3), "stride width"),
            NonNegative(At(4), "pad top"), NonNegative(At(5), "pad left"), NonNegative(At(6), "pad bottom"), NonNegative(At(7), "pad right"),
            dilation ? Extent(At(8), "dilation height") : 1, dilation ? Extent(At(9), "dilation width") : 1,
            ceilAt >= 0 && Flag(ints[ceilAt], "ceil mode") == 1);
    }

    /// <summary>The output size of <paramref name="window"/> over an <paramref name="h"/>×<paramref name="w"/> input.</summary>
    public (int H, int W) OutputSize(Window2d window, int h, int w)
    {
        try
        {
            return window.OutputSize(h, w);
        }
        catch (ShapeInferenceException e)
        {
            throw Bad($"window {window} over {h}x{w}: {e.Message}");
        }
    }

    public QuantizedMultiplier Multiplier(int m, int n, string what)
    {
        var q = new QuantizedMultiplier(m, n);
        if (!q.IsValid) throw Bad($"{what} multiplier {m}/2^{n} is not a requantization multiplier (need 1 ≤ n ≤ 62, 0 ≤ M ≤ 2^n)");
        return q;
    }

    public ClampRange Clamp(int min, int max)
    {
        if (min < sbyte.MinValue || max > sbyte.MaxValue || min > max) throw Bad($"output clamp [{min}, {max}] is not an ordered sub-range of [-128, 127]");
        return new ClampRange(min, max);
    }

    /// <summary>Runs a kernel's Prepare, turning its argument errors into a format error that names the operator.</summary>
    public T Prepare<T>(Func<T> prepare)
    {
        try
        {
            return prepare();
        }
        catch (Exception e) when (e is ArgumentException or EdgeException)
        {
            throw Bad(e.Message);
        }
    }

    public static string Show(int[] shape) => $"[{string.Join(", ", shape)}]";
}
