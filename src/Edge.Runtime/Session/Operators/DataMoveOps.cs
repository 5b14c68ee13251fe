using Edge.Runtime.Format;
using Edge.Runtime.Kernels.Elementwise;
using Edge.Runtime.Kernels.Pool;

namespace Edge.Runtime.Session.Operators;

/// <summary>
/// The operators that move data without arithmetic, on int8 (the output keeps the input's parameters) or float32:
/// GlobalMaxPool (18, no ints), ChannelShuffle (19, ints <c>groups</c>), Slice (20, ints: begin per axis),
/// UpsampleNearest (21, ints <c>sh, sw</c>).
/// </summary>
internal static class DataMoveOps
{
    public static SessionOp GlobalMaxPool(OpReader r)
    {
        Types(r, 0, "none");
        var (n, h, w, c) = r.Nhwc(r.Input(), "input");
        r.Shape(r.Output, [n, 1, 1, c], "output");
        var kernel = r.Prepare(() => Kernels.Pool.GlobalMaxPool.Prepare(n, h, w, c));
        return r.IsFloat ? new MoveOp<float>(r, kernel.ToString(), (x, y) => Kernels.Pool.GlobalMaxPool.RunFloat(kernel, x, y))
                         : new MoveOp<sbyte>(r, kernel.ToString(), (x, y) => Kernels.Pool.GlobalMaxPool.RunInt8(kernel, x, y));
    }

    public static SessionOp ChannelShuffle(OpReader r)
    {
        var i = Types(r, 1, "groups");
        var (n, h, w, c) = r.Nhwc(r.Input(), "input");
        r.SameShape(r.Input(), r.Output);
        int groups = r.Extent(i[0], "groups");
        var kernel = r.Prepare(() => Kernels.Elementwise.ChannelShuffle.Prepare(n * h * w, c, groups));
        return Generic(r, kernel.ToString(), (ReadOnlySpan<sbyte> x, Span<sbyte> y) => Kernels.Elementwise.ChannelShuffle.Run(kernel, x, y),
            (ReadOnlySpan<float> x, Span<float> y) => Kernels.Elementwise.ChannelShuffle.Run(kernel, x, y));
    }

    public static SessionOp Slice(OpReader r)
    {
        int rank = r.Input().Shape.Length;
        if (rank is not (2 or 4)) throw r.Bad($"input '{r.Input().Name}' has rank {rank}; Slice takes NHWC or [1, F] tensors");
        var begin = Types(r, rank, "begin per axis");
        var kernel = r.Prepare(() => TensorSlice.Prepare(r.Input().Shape, r.Output.Shape, begin));
        return Generic(r, kernel.ToString(), (ReadOnlySpan<sbyte> x, Span<sbyte> y) => TensorSlice.Run(kernel, x, y),
            (ReadOnlySpan<float> x, Span<float> y) => TensorSlice.Run(kernel, x, y));
    }

    public static SessionOp Upsample(OpReader r)
    {
        var i = Types(r, 2, "sh, sw");
        var (n, h, w, c) = r.Nhwc(r.Input(), "input");
        var kernel = r.Prepare(() => UpsampleNearest.Prepare(n, h, w, c, i[0], i[1]));
        r.Shape(r.Output, [n, (int)Math.Min((long)h * i[0], int.MaxValue), (int)Math.Min((long)w * i[1], int.MaxValue), c], "output");
        return Generic(r, kernel.ToString(), (ReadOnlySpan<sbyte> x, Span<sbyte> y) => UpsampleNearest.Run(kernel, x, y),
            (ReadOnlySpan<float> x, Span<float> y) => UpsampleNearest.Run(kernel, x, y));
    }

    /// <summary>Arity 1 → 1, one element type throughout, int8 parameters kept, no floats or blobs; returns the ints.</summary>
    private static int[] Types(OpReader r, int ints, string layout)
    {
        r.Arity(1, 1);
        r.NoFloatsOrBlobs();
        if (r.IsFloat) r.AllOfType(EdgeDataType.Float32);
        else
        {
            r.AllOfType(EdgeDataType.Int8);
            r.SameParams(r.Input(), r.Output);
        }
        return r.Ints(ints, layout);
    }

    private static SessionOp Generic(OpReader r, string kernel, MoveOp<sbyte>.Body int8, MoveOp<float>.Body float32)
        => r.IsFloat ? new MoveOp<float>(r, kernel, float32) : new MoveOp<sbyte>(r, kernel, int8);
}

/// <summary>A data-movement operator: one input, one output of element type <typeparamref name="T"/>, never in place.</summary>
internal sealed class MoveOp<T>(OpReader r, string kernel, MoveOp<T>.Body body) : SessionOp(r) where T : unmanaged
{
    public delegate void Body(ReadOnlySpan<T> input, Span<T> output);

    public override string Kernel { get; } = kernel.Split(' ')[0];

    public override void Run(in ArenaView arena)
    {
        var bytesIn = arena.Bytes(Inputs[0]);
        var bytesOut = arena.Bytes(Outputs[0]);
        body(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(bytesIn), System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(bytesOut));
    }
}
