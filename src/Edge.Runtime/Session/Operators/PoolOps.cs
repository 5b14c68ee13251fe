using Edge.Runtime.Format;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Float;
using Edge.Runtime.Kernels.Pool;
using Pool2dShape = Edge.Runtime.Kernels.Pool2dShape;

namespace Edge.Runtime.Session.Operators;

/// <summary>
/// MaxPool (ints <c>kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, ceil</c>), AveragePool (ints <c>kh, kw, sh, sw, pt, pl, pb, pr,
/// ceil, countIncludePad</c>) and GlobalAveragePool (no ints), on NHWC tensors in int8 (the output keeps the input's
/// parameters) or float32.
/// </summary>
internal static class PoolOps
{
    public static SessionOp MaxPool(OpReader r, KernelPath path)
    {
        var ints = r.Ints(11, "kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, ceil");
        var shape = Shape(r, r.Window(ints, 0, dilation: true, ceilAt: 10));
        if (r.IsFloat) return new FloatMaxPoolOp(r, FloatMaxPool.Prepare(shape));
        return new Int8MaxPoolOp(r, Int8MaxPool.Prepare(shape), path);
    }

    public static SessionOp AveragePool(OpReader r, KernelPath path)
    {
        var ints = r.Ints(10, "kh, kw, sh, sw, pt, pl, pb, pr, ceil, countIncludePad");
        var shape = Shape(r, r.Window(ints, 0, dilation: false, ceilAt: 8));
        bool countIncludePad = r.Flag(ints[9], "countIncludePad") == 1;
        if (r.IsFloat) return new FloatAveragePoolOp(r, FloatAveragePool.Prepare(shape, countIncludePad));
        int zp = r.Input().ZeroPoint;
        return new Int8AveragePoolOp(r, r.Prepare(() => Int8AveragePool.Prepare(shape, countIncludePad, zp)), path);
    }

    public static SessionOp GlobalAveragePool(OpReader r, KernelPath path)
    {
        r.Arity(1, 1);
        r.Ints(0, "none");
        r.NoFloatsOrBlobs();
        var (n, h, w, c) = r.Nhwc(r.Input(), "input");
        r.Shape(r.Output, [n, 1, 1, c], "output");
        if (r.IsFloat)
        {
            r.AllOfType(EdgeDataType.Float32);
            return new FloatGlobalAveragePoolOp(r, r.Prepare(() => FloatGlobalAveragePool.Prepare(n, h, w, c)));
        }
        r.AllOfType(EdgeDataType.Int8);
        r.SameParams(r.Input(), r.Output);
        int zp = r.Input().ZeroPoint;
        return new Int8GlobalAveragePoolOp(r, r.Prepare(() => Int8GlobalAveragePool.Prepare(n, h, w, c, zp)), path);
    }

    /// <summary>Arity, types, parameters and the output shape of a windowed pool.</summary>
    private static Pool2dShape Shape(OpReader r, Core.Shapes.Window2d window)
    {
        r.Arity(1, 1);
        r.NoFloatsOrBlobs();
        var (n, h, w, c) = r.Nhwc(r.Input(), "input");
        if (r.IsFloat) r.AllOfType(EdgeDataType.Float32);
        else
        {
            r.AllOfType(EdgeDataType.Int8);
            r.SameParams(r.Input(), r.Output);
        }
        var (oh, ow) = r.OutputSize(window, h, w);
        r.Shape(r.Output, [n, oh, ow, c], "output");
        return r.Prepare(() => new Pool2dShape(n, h, w, c, window));
    }
}

internal sealed class Int8MaxPoolOp(OpReader r, Int8MaxPool kernel, KernelPath path) : SessionOp(r)
{
    public override string Kernel => nameof(Int8MaxPool);
    public override KernelPath Path => kernel.PathFor(path);

    /// <summary>Output rows, when the pool reads enough to be worth splitting.</summary>
    public override int WorkItems => PoolSplit.Items(kernel.Shape, kernel.RowCount);

    public override void Run(in ArenaView arena) => Int8MaxPool.Run(kernel, arena.Int8(Inputs[0]), arena.Int8(Outputs[0]), path);

    public override void RunRange(in ArenaView arena, int begin, int end)
    {
        if (WorkItems == 1) base.RunRange(arena, begin, end);
        else Int8MaxPool.RunRows(kernel, arena.Int8(Inputs[0]), arena.Int8(Outputs[0]), path, begin, end);
    }
}

internal sealed class Int8AveragePoolOp(OpReader r, Int8AveragePool kernel, KernelPath path) : SessionOp(r)
{
    public override string Kernel => nameof(Int8AveragePool);
    public override KernelPath Path => KernelPaths.AtMost(path, KernelPath.Vector128);

    /// <summary>Output rows, when the pool reads enough to be worth splitting.</summary>
    public override int WorkItems => PoolSplit.Items(kernel.Shape, kernel.RowCount);

    public override void Run(in ArenaView arena) => Int8AveragePool.Run(kernel, arena.Int8(Inputs[0]), arena.Int8(Outputs[0]), path);

    public override void RunRange(in ArenaView arena, int begin, int end)
    {
        if (WorkItems == 1) base.RunRange(arena, begin, end);
        else Int8AveragePool.RunRows(kernel, arena.Int8(Inputs[0]), arena.Int8(Outputs[0]), path, begin, end);
    }
}

/// <summary>When a pool splits across threads: when its taps read at least 64 KiB (below that a wake-up costs more).</summary>
internal static class PoolSplit
{
    public static int Items(Pool2dShape s, int rows)
        => (long)s.OutputLength * s.Window.KernelH * s.Window.KernelW >= SessionOp.MinWorkToSplit ? rows : 1;
}

internal sealed class Int8GlobalAveragePoolOp(OpReader r, Int8GlobalAveragePool kernel, KernelPath path) : SessionOp(r)
{
    public override string Kernel => nameof(Int8GlobalAveragePool);
    public override KernelPath Path => kernel.PathFor(path);
    public override void Run(in ArenaView arena) => Int8GlobalAveragePool.Run(kernel, arena.Int8(Inputs[0]), arena.Int8(Outputs[0]), path);
}

internal sealed class FloatMaxPoolOp(OpReader r, FloatMaxPool kernel) : SessionOp(r)
{
    public override string Kernel => nameof(FloatMaxPool);
    public override void Run(in ArenaView arena) => FloatMaxPool.Run(kernel, arena.Float32(Inputs[0]), arena.Float32(Outputs[0]));
}

internal sealed class FloatAveragePoolOp(OpReader r, FloatAveragePool kernel) : SessionOp(r)
{
    public override string Kernel => nameof(FloatAveragePool);
    public override void Run(in ArenaView arena) => FloatAveragePool.Run(kernel, arena.Float32(Inputs[0]), arena.Float32(Outputs[0]));
}

internal sealed class FloatGlobalAveragePoolOp(OpReader r, FloatGlobalAveragePool kernel) : SessionOp(r)
{
    public override string Kernel => nameof(FloatGlobalAveragePool);
    public override void Run(in ArenaView arena) => FloatGlobalAveragePool.Run(kernel, arena.Float32(Inputs[0]), arena.Float32(Outputs[0]));
}
