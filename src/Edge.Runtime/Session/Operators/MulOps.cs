using Edge.Runtime.Format;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Elementwise;
using Edge.Runtime.Kernels.Float;

namespace Edge.Runtime.Session.Operators;

/// <summary>
/// Mul (17): a, b → y with y of a's shape and b of a's shape, [1, 1, 1, C] (per channel of NHWC a) or one element.
/// Int8 ints <c>M, n, qmin, qmax</c>; float: no ints.
/// </summary>
internal static class MulOps
{
    public static SessionOp Create(OpReader r)
    {
        r.Arity(2, 1);
        var (a, b, y) = (r.Input(0), r.Input(1), r.Output);
        r.SameShape(a, y);
        if (!RepeatsOver(b.Shape, a.Shape))
            throw r.Bad($"input b '{b.Name}' {OpReader.Show(b.Shape)} is not a's shape {OpReader.Show(a.Shape)}, one value per channel, or a scalar");
        r.BlobCount(0, "none");
        if (r.IsFloat)
        {
            r.AllOfType(EdgeDataType.Float32);
            r.Ints(0, "none");
            r.Floats(0, "none");
            return new FloatMulOp(r, a.ElementCount == b.ElementCount);
        }
        r.AllOfType(EdgeDataType.Int8);
        var i = r.Ints(4, "M, n, qmin, qmax");
        r.Floats(0, "none");
        var m = r.Multiplier(i[0], i[1], "output");
        var clamp = r.Clamp(i[2], i[3]);
        return new Int8MulOp(r, r.Prepare(() => Int8Mul.Prepare(a.ZeroPoint, b.ZeroPoint, m, y.ZeroPoint, clamp)), a.ElementCount == b.ElementCount);
    }

    /// <summary>b equals a, or is all ones but (possibly) the last axis, which equals a's last axis or is 1.</summary>
    private static bool RepeatsOver(int[] b, int[] a)
    {
        if (b.Length != a.Length) return false;
        if (b.AsSpan().SequenceEqual(a)) return true;
        for (int k = 0; k < b.Length - 1; k++) if (b[k] != 1) return false;
        return b[^1] == 1 || b[^1] == a[^1];
    }
}

internal sealed class Int8MulOp(OpReader r, Int8Mul kernel, bool sameShape) : SessionOp(r)
{
    public override string Kernel => nameof(Int8Mul);

    /// <summary>In place only for equal shapes: a broadcast b is smaller than the output.</summary>
    public override bool CanRunInPlace => sameShape;

    public override void Run(in ArenaView arena) => Int8Mul.Run(kernel, arena.Int8(Inputs[0]), arena.Int8(Inputs[1]), arena.Int8(Outputs[0]));
}

internal sealed class FloatMulOp(OpReader r, bool sameShape) : SessionOp(r)
{
    public override string Kernel => nameof(FloatMul);
    public override bool CanRunInPlace => sameShape;
    public override void Run(in ArenaView arena) => FloatMul.Run(arena.Float32(Inputs[0]), arena.Float32(Inputs[1]), arena.Float32(Outputs[0]));
}
