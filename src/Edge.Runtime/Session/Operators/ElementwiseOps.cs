using Edge.Runtime.Format;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Elementwise;
using Edge.Runtime.Kernels.Float;

namespace Edge.Runtime.Session.Operators;

/// <summary>
/// Element-wise operators: Add (int8 ints <c>M_a, n_a, M_b, n_b, M_o, n_o, qmin, qmax</c>; float floats <c>min, max</c>),
/// Lookup (int8 blob table [256]), Rescale (ints <c>M, n</c>) and FloatActivation (ints <c>kind</c>, floats its parameters).
/// Inputs and output have one shape; each may run in place (it reads element i before it writes element i).
/// </summary>
internal static class ElementwiseOps
{
    public static SessionOp Add(OpReader r, KernelPath path)
    {
        r.Arity(2, 1);
        r.SameShape(r.Input(0), r.Input(1));
        r.SameShape(r.Input(0), r.Output);
        if (r.IsFloat)
        {
            r.AllOfType(EdgeDataType.Float32);
            r.Ints(0, "none");
            r.BlobCount(0, "none");
            var f = r.Floats(2, "clamp min, max");
            return new FloatAddOp(r, r.Prepare(() => FloatAdd.Prepare(f[0], f[1])));
        }
        r.AllOfType(EdgeDataType.Int8);
        var i = r.Ints(8, "M_a, n_a, M_b, n_b, M_o, n_o, qmin, qmax");
        r.NoFloatsOrBlobs();
        var (ma, mb, mo) = (r.Multiplier(i[0], i[1], "input a"), r.Multiplier(i[2], i[3], "input b"), r.Multiplier(i[4], i[5], "output"));
        var clamp = r.Clamp(i[6], i[7]);
        var (a, b, y) = (r.Input(0), r.Input(1), r.Output);
        return new Int8AddOp(r, r.Prepare(() => Int8Add.Prepare(a.ZeroPoint, ma, b.ZeroPoint, mb, mo, y.ZeroPoint, clamp)), path);
    }

    public static SessionOp Lookup(OpReader r)
    {
        Unary(r, EdgeDataType.Int8);
        r.Ints(0, "none");
        r.BlobCount(1, "table");
        var table = r.Blob(0, "table", EdgeDataType.Int8, Int8Lookup.TableLength);
        return new Int8LookupOp(r, r.Prepare(() => Int8Lookup.Prepare(table.AsInt8())));
    }

    public static SessionOp Rescale(OpReader r)
    {
        Unary(r, EdgeDataType.Int8);
        var i = r.Ints(2, "M, n");
        var m = r.Multiplier(i[0], i[1], "rescale");
        var (x, y) = (r.Input(), r.Output);
        return new Int8RescaleOp(r, r.Prepare(() => Int8Rescale.Prepare(x.ZeroPoint, m, y.ZeroPoint)));
    }

    public static SessionOp Activation(OpReader r)
    {
        Unary(r, EdgeDataType.Float32);
        if (r.Op.Ints.Length != 1) throw r.Bad($"has {r.Op.Ints.Length} ints; the format gives it 1 (kind)");
        var kind = (EdgeActivationKind)r.Op.Ints[0];
        if (!Enum.IsDefined(kind)) throw r.Bad($"activation kind {r.Op.Ints[0]} is unknown");
        var f = r.Floats(FloatActivation.ParameterCount(kind), $"the parameters of {kind}");
        return new FloatActivationOp(r, r.Prepare(() => FloatActivation.Prepare(kind, f)));
    }

    private static void Unary(OpReader r, EdgeDataType type)
    {
        r.Arity(1, 1);
        r.AllOfType(type);
        r.SameShape(r.Input(), r.Output);
        r.BlobCount(r.Op.Type == EdgeOpType.Lookup ? 1 : 0, r.Op.Type == EdgeOpType.Lookup ? "table" : "none");
        if (r.Op.Type != EdgeOpType.FloatActivation) r.Floats(0, "none");
    }
}

internal sealed class Int8AddOp(OpReader r, Int8Add kernel, KernelPath path) : SessionOp(r)
{
    public override string Kernel => nameof(Int8Add);
    public override KernelPath Path => kernel.PathFor(path);
    public override bool CanRunInPlace => true;
    public override void Run(in ArenaView arena) => Int8Add.Run(kernel, arena.Int8(Inputs[0]), arena.Int8(Inputs[1]), arena.Int8(Outputs[0]), path);

    /// <summary>
    /// Elements per work item: blocks of 4 KiB (a multiple of every vector width), one item below 8 KiB. An addition of
    /// 8–32 KiB (1.5–6 µs on one core: MobileNetV2-224's 7²×160 … 28²×32) ran whole on the caller at 16 KiB items, and the
    /// waiting worker then took ~10 µs to see the next operator's job (a pool micro-benchmark on this VM: a fork/join of
    /// two 1 µs items after 5–50 µs without a job, p50 9.5–11 µs against 1.3 µs back to back); split, such an addition ran
    /// 1.4–1.8× faster at 2 threads (per-operator medians, MobileNetV2-224, 6 alternated processes).
    /// </summary>
    private const int ItemBytes = 4 * 1024;

    private readonly int _length = checked((int)r.Output.ElementCount);

    private int Length => _length;

    public override int WorkItems => Length < 2 * ItemBytes ? 1 : (Length + ItemBytes - 1) / ItemBytes;

    /// <summary>Elements [begin·4 KiB, end·4 KiB): element-wise, so any split gives the bytes of <see cref="Run"/>, in place too.</summary>
    public override void RunRange(in ArenaView arena, int begin, int end)
    {
        if (WorkItems == 1)
        {
            base.RunRange(arena, begin, end);
            return;
        }
        if (begin < 0 || end > WorkItems || begin > end) throw new ArgumentOutOfRangeException(nameof(begin), $"work items [{begin}, {end}) of [0, {WorkItems})");
        int start = begin * ItemBytes, count = Math.Min(Length, end * ItemBytes) - start;
        Int8Add.Run(kernel, arena.Int8(Inputs[0]).Slice(start, count), arena.Int8(Inputs[1]).Slice(start, count), arena.Int8(Outputs[0]).Slice(start, count), path);
    }
}

internal sealed class Int8LookupOp(OpReader r, Int8Lookup kernel) : SessionOp(r)
{
    public override string Kernel => nameof(Int8Lookup);
    public override bool CanRunInPlace => true;
    public override void Run(in ArenaView arena) => Int8Lookup.Run(kernel, arena.Int8(Inputs[0]), arena.Int8(Outputs[0]));
}

internal sealed class Int8RescaleOp(OpReader r, Int8Rescale kernel) : SessionOp(r)
{
    public override string Kernel => nameof(Int8Rescale);
    public override bool CanRunInPlace => true;
    public override void Run(in ArenaView arena) => Int8Rescale.Run(kernel, arena.Int8(Inputs[0]), arena.Int8(Outputs[0]));
}

internal sealed class FloatAddOp(OpReader r, FloatAdd kernel) : SessionOp(r)
{
    public override string Kernel => nameof(FloatAdd);
    public override bool CanRunInPlace => true;
    public override void Run(in ArenaView arena) => FloatAdd.Run(kernel, arena.Float32(Inputs[0]), arena.Float32(Inputs[1]), arena.Float32(Outputs[0]));
}

internal sealed class FloatActivationOp(OpReader r, FloatActivation kernel) : SessionOp(r)
{
    public override string Kernel => $"{nameof(FloatActivation)}.{kernel.Kind}";
    public override bool CanRunInPlace => true;
    public override void Run(in ArenaView arena) => FloatActivation.Run(kernel, arena.Float32(Inputs[0]), arena.Float32(Outputs[0]));
}
