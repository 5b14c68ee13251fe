using Edge.Runtime.Arithmetic;
using Edge.Runtime.Format;
using Edge.Runtime.Kernels.Elementwise;
using Edge.Runtime.Kernels.Float;

namespace Edge.Runtime.Session.Operators;

/// <summary>
/// Operators along the channels of NHWC tensors: Concat (ints <c>axis</c>, then for int8 <c>M_i, n_i</c> per input, M = 0 a
/// plain copy), Pad (ints the NHWC pads <c>n0, h0, w0, c0, n1, h1, w1, c1</c>, then for int8 the quantized pad value; for
/// float32 floats <c>value</c>), Softmax (ints <c>axis</c>) and Lrn (ints <c>size</c>, floats <c>alpha, beta, bias</c>).
/// The channel axis is the innermost one; other axes are not supported and are reported as such.
/// </summary>
internal static class ChannelOps
{
    public static SessionOp Concat(OpReader r)
    {
        int k = r.Op.Inputs.Length;
        if (k < 1 || r.Op.Outputs.Length != 1) throw r.Bad($"has {k} input(s) and {r.Op.Outputs.Length} output(s); the format gives it at least 1 and 1");
        var y = r.Output;
        bool isFloat = r.IsFloat;
        r.AllOfType(isFloat ? EdgeDataType.Float32 : EdgeDataType.Int8);
        var ints = r.Ints(isFloat ? 1 : 1 + 2 * k, isFloat ? "axis" : "axis, then M_i, n_i per input");
        r.NoFloatsOrBlobs();
        int axis = InnermostAxis(r, ints[0], y);
        var channels = new int[k];
        var expected = (int[])y.Shape.Clone();
        long total = 0;
        for (int i = 0; i < k; i++)
        {
            var x = r.Input(i);
            if (x.Shape.Length != y.Shape.Length) throw r.Bad($"input {i} '{x.Name}' {OpReader.Show(x.Shape)} and output {OpReader.Show(y.Shape)} differ in rank");
            channels[i] = x.Shape[axis];
            total += channels[i];
            expected[axis] = x.Shape[axis];
            r.Shape(x, expected, $"input {i}");
        }
        if (total != y.Shape[axis]) throw r.Bad($"inputs give {total} channels, output '{y.Name}' has {y.Shape[axis]}");
        int pixels = (int)(y.ElementCount / y.Shape[axis]);
        if (isFloat) return new ConcatOp(r, r.Prepare(() => FloatConcat.Prepare(pixels, channels)), null);

        var rescales = new Int8Rescale[k];
        var yp = OpReader.Params(y);
        for (int i = 0; i < k; i++)
        {
            var xp = OpReader.Params(r.Input(i));
            if (ints[1 + 2 * i] == 0)
            {
                if (xp != yp) throw r.Bad($"input {i} is a plain copy (M = 0), but its parameters {xp} differ from the output's {yp}");
                rescales[i] = Int8Rescale.Copy;
                continue;
            }
            var m = r.Multiplier(ints[1 + 2 * i], ints[2 + 2 * i], $"input {i}");
            rescales[i] = r.Prepare(() => Int8Rescale.Prepare(xp.ZeroPoint, m, yp.ZeroPoint));
        }
        return new ConcatOp(r, null, r.Prepare(() => Int8Concat.Prepare(pixels, channels, rescales)));
    }

    public static SessionOp Pad(OpReader r)
    {
        r.Arity(1, 1);
        bool isFloat = r.IsFloat;
        r.AllOfType(isFloat ? EdgeDataType.Float32 : EdgeDataType.Int8);
        var ints = r.Ints(isFloat ? 8 : 9, isFloat ? "pads n0, h0, w0, c0, n1, h1, w1, c1" : "pads n0, h0, w0, c0, n1, h1, w1, c1, pad value");
        r.BlobCount(0, "none");
        if (!isFloat) r.Floats(0, "none");
        var (n, h, w, c) = r.Nhwc(r.Input(), "input");
        string[] names = ["n0", "h0", "w0", "c0", "n1", "h1", "w1", "c1"];
        for (int i = 0; i < 8; i++) r.NonNegative(ints[i], $"pad {names[i]}");
        var pads = new NhwcPads(ints[0], ints[1], ints[2], ints[3], ints[4], ints[5], ints[6], ints[7]);
        r.Shape(r.Output, [ints[0] + n + ints[4], ints[1] + h + ints[5], ints[2] + w + ints[6], ints[3] + c + ints[7]], "output");
        if (isFloat)
        {
            var value = r.Floats(1, "pad value")[0];
            return new FloatPadOp(r, r.Prepare(() => FloatPad.Prepare(n, h, w, c, pads, value)));
        }
        r.SameParams(r.Input(), r.Output);
        var q = (sbyte)r.Int8Value(ints[8], "pad value");
        return new Int8PadOp(r, r.Prepare(() => Int8Pad.Prepare(n, h, w, c, pads, q)));
    }

    public static SessionOp Softmax(OpReader r)
    {
        r.Arity(1, 1);
        var (x, y) = (r.Input(), r.Output);
        int axis = InnermostAxis(r, r.Ints(1, "axis")[0], x);
        r.NoFloatsOrBlobs();
        r.SameShape(x, y);
        int length = x.Shape[axis], rows = (int)(x.ElementCount / length);
        if (r.IsFloat)
        {
            r.AllOfType(EdgeDataType.Float32);
            return new FloatSoftmaxOp(r, r.Prepare(() => FloatSoftmax.Prepare(rows, length)));
        }
        r.DataType(x, EdgeDataType.Int8, "input");
        var kernel = r.Prepare(() => Int8Softmax.Prepare(rows, length, OpReader.Params(x)));
        if (y.DataType == EdgeDataType.Float32) return new Int8SoftmaxOp(r, kernel, floatOutput: true);
        r.DataType(y, EdgeDataType.Int8, "output");
        if (OpReader.Params(y) != Int8Softmax.Int8Output) throw r.Bad($"an int8 softmax output has parameters {Int8Softmax.Int8Output}, '{y.Name}' has {OpReader.Params(y)}");
        return new Int8SoftmaxOp(r, kernel, floatOutput: false);
    }

    public static SessionOp Lrn(OpReader r)
    {
        r.Arity(1, 1);
        var (x, y) = (r.Input(), r.Output);
        r.SameShape(x, y);
        if (x.Shape.Length < 2) throw r.Bad($"input '{x.Name}' {OpReader.Show(x.Shape)} has no channel axis");
        int size = r.Extent(r.Ints(1, "size")[0], "size");
        r.BlobCount(0, "none");
        var f = r.Floats(3, "alpha, beta, bias");
        int channels = x.Shape[^1], pixels = (int)(x.ElementCount / channels);
        if (r.IsFloat)
        {
            r.AllOfType(EdgeDataType.Float32);
            return new FloatLrnOp(r, r.Prepare(() => FloatLrn.Prepare(pixels, channels, size, f[0], f[1], f[2])));
        }
        r.AllOfType(EdgeDataType.Int8);
        return new Int8LrnOp(r, r.Prepare(() => Int8Lrn.Prepare(pixels, channels, size, f[0], f[1], f[2], OpReader.Params(x), OpReader.Params(y))));
    }

    /// <summary>The axis (negative counts from the end), which must be the innermost: the kernels work along NHWC channels.</summary>
    private static int InnermostAxis(OpReader r, int axis, EdgeTensor t)
    {
        int rank = t.Shape.Length;
        if (rank == 0) throw r.Bad($"'{t.Name}' has no axes");
        int normalized = axis < 0 ? axis + rank : axis;
        if (normalized != rank - 1) throw r.Bad($"axis {axis} of '{t.Name}' {OpReader.Show(t.Shape)} is not its innermost (channel) axis, the only one supported");
        return normalized;
    }
}

/// <summary>Concat: int8 (with per-input rescales) or float32; the kernel places one input at a time.</summary>
internal sealed class ConcatOp(OpReader r, FloatConcat? floatKernel, Int8Concat? int8Kernel) : SessionOp(r)
{
    public override string Kernel => int8Kernel is not null ? nameof(Int8Concat) : nameof(FloatConcat);

    public override void Run(in ArenaView arena)
    {
        for (int i = 0; i < Inputs.Length; i++)
        {
            if (int8Kernel is not null) Int8Concat.Run(int8Kernel, i, arena.Int8(Inputs[i]), arena.Int8(Outputs[0]));
            else FloatConcat.Run(floatKernel!, i, arena.Float32(Inputs[i]), arena.Float32(Outputs[0]));
        }
    }
}

internal sealed class Int8PadOp(OpReader r, Int8Pad kernel) : SessionOp(r)
{
    public override string Kernel => nameof(Int8Pad);
    public override void Run(in ArenaView arena) => Int8Pad.Run(kernel, arena.Int8(Inputs[0]), arena.Int8(Outputs[0]));
}

internal sealed class FloatPadOp(OpReader r, FloatPad kernel) : SessionOp(r)
{
    public override string Kernel => nameof(FloatPad);
    public override void Run(in ArenaView arena) => FloatPad.Run(kernel, arena.Float32(Inputs[0]), arena.Float32(Outputs[0]));
}

/// <summary>Int8 softmax with a float32 output, or an int8 one (s = 1/256, zp = −128).</summary>
internal sealed class Int8SoftmaxOp(OpReader r, Int8Softmax kernel, bool floatOutput) : SessionOp(r)
{
    public override string Kernel => nameof(Int8Softmax);

    public override void Run(in ArenaView arena)
    {
        if (floatOutput) Int8Softmax.RunFloat(kernel, arena.Int8(Inputs[0]), arena.Float32(Outputs[0]));
        else Int8Softmax.RunInt8(kernel, arena.Int8(Inputs[0]), arena.Int8(Outputs[0]));
    }
}

internal sealed class FloatSoftmaxOp(OpReader r, FloatSoftmax kernel) : SessionOp(r)
{
    public override string Kernel => nameof(FloatSoftmax);
    public override void Run(in ArenaView arena) => FloatSoftmax.Run(kernel, arena.Float32(Inputs[0]), arena.Float32(Outputs[0]));
}

internal sealed class Int8LrnOp(OpReader r, Int8Lrn kernel) : SessionOp(r)
{
    public override string Kernel => nameof(Int8Lrn);
    public override void Run(in ArenaView arena) => Int8Lrn.Run(kernel, arena.Int8(Inputs[0]), arena.Int8(Outputs[0]));
}

internal sealed class FloatLrnOp(OpReader r, FloatLrn kernel) : SessionOp(r)
{
    public override string Kernel => nameof(FloatLrn);
    public override void Run(in ArenaView arena) => FloatLrn.Run(kernel, arena.Float32(Inputs[0]), arena.Float32(Outputs[0]));
}
