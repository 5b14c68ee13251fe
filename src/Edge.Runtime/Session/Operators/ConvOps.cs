using Edge.Core.Shapes;
using Edge.Runtime.Arithmetic;
using Edge.Runtime.Format;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Conv;
using Edge.Runtime.Kernels.DepthwiseConv;
using Edge.Runtime.Kernels.Float;

namespace Edge.Runtime.Session.Operators;

/// <summary>
/// Conv2d (docs/edge-format.md). Int8: ints <c>kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, group, qmin, qmax</c>; blobs weights
/// int8 [OC, KH, KW, IC/group], bias, M, n (int32 [OC]) and weight scales (f32 [OC]). A depthwise convolution
/// (group = IC = OC) runs on <see cref="Int8DepthwiseConv2d"/>, any other on <see cref="Int8Conv2d"/>.
/// Float (kept-float node): ints <c>kh … dw, group</c>, floats <c>min, max</c> (the fused clamp), blobs weights f32
/// [OC, KH, KW, IC/group] and bias f32 [OC].
/// </summary>
internal static class ConvOps
{
    public static SessionOp Create(OpReader r, KernelPath path)
    {
        r.Arity(1, 1);
        return r.IsFloat ? FloatConv(r) : Int8Conv(r, path);
    }

    private static SessionOp Int8Conv(OpReader r, KernelPath path)
    {
        r.AllOfType(EdgeDataType.Int8);
        var ints = r.Ints(13, "kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, group, qmin, qmax");
        r.Floats(0, "none");
        r.BlobCount(5, "weights, bias, M, n, weight scales");
        var shape = Geometry(r, ints, out int oc);
        r.Blob(0, "weights", EdgeDataType.Int8, oc, shape.Window.KernelH, shape.Window.KernelW, shape.InChannelsPerGroup);
        r.Blob(1, "bias", EdgeDataType.Int32, oc);
        var m = r.Blob(2, "multipliers M", EdgeDataType.Int32, oc).AsInt32();
        var n = r.Blob(3, "shifts n", EdgeDataType.Int32, oc).AsInt32();
        r.Blob(4, "weight scales", EdgeDataType.Float32, oc);
        var multipliers = new QuantizedMultiplier[oc];
        for (int c = 0; c < oc; c++) multipliers[c] = r.Multiplier(m[c], n[c], $"output channel {c}");
        var clamp = r.Clamp(ints[11], ints[12]);
        var stage = r.Prepare(() => new OutputStage(multipliers, r.Output.ZeroPoint, clamp));
        var weights = r.Op.Blobs[0];
        var biasBlob = r.Op.Blobs[1];
        int zp = r.Input().ZeroPoint;
        if (shape.IsDepthwise)
            return new Int8DepthwiseConvOp(r, r.Prepare(() => Int8DepthwiseConv2d.Prepare(shape, weights.AsInt8(), biasBlob.AsInt32(), zp, stage)), path);
        return new Int8ConvOp(r, r.Prepare(() => Int8Conv2d.Prepare(shape, weights.AsInt8(), biasBlob.AsInt32(), zp, stage)), path);
    }

    private static SessionOp FloatConv(OpReader r)
    {
        r.AllOfType(EdgeDataType.Float32);
        var ints = r.Ints(11, "kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, group");
        var floats = r.Floats(2, "clamp min, max");
        r.BlobCount(2, "weights, bias");
        var shape = Geometry(r, ints, out int oc);
        var weights = r.Blob(0, "weights", EdgeDataType.Float32, oc, shape.Window.KernelH, shape.Window.KernelW, shape.InChannelsPerGroup);
        var bias = r.Blob(1, "bias", EdgeDataType.Float32, oc);
        return new FloatConvOp(r, r.Prepare(() => FloatConv2d.Prepare(shape, weights.AsFloat32(), bias.AsFloat32(), floats[0], floats[1])));
    }

    /// <summary>The convolution's shape from the input, the geometry ints and the weight blob, checked against the output.</summary>
    private static Conv2dShape Geometry(OpReader r, int[] ints, out int outChannels)
    {
        var (n, h, w, c) = r.Nhwc(r.Input(), "input");
        var window = r.Window(ints, 0, dilation: true);
        int group = r.Extent(ints[10], "group");
        var ws = r.BlobShape(0, 4, "weights");
        int oc = r.Extent(ws[0], "output channels");
        if (ws[1] != window.KernelH || ws[2] != window.KernelW)
            throw r.Bad($"weights {OpReader.Show(ws)} disagree with the {window.KernelH}x{window.KernelW} kernel");
        if ((long)ws[3] * group != c)
            throw r.Bad($"weights {OpReader.Show(ws)} disagree with input channels {c}{(group != 1 ? $" in {group} groups" : "")}");
        if (oc % group != 0) throw r.Bad($"group {group} does not divide the {oc} output channels");
        var (oh, ow) = r.OutputSize(window, h, w);
        r.Shape(r.Output, [n, oh, ow, oc], "output");
        outChannels = oc;
        return r.Prepare(() => new Conv2dShape(n, h, w, c, oc, window, group));
    }
}

internal sealed class Int8ConvOp(OpReader r, Int8Conv2d kernel, KernelPath path) : SessionOp(r)
{
    public Int8Conv2d KernelOp { get; } = kernel;
    public override string Kernel => nameof(Int8Conv2d);
    public override KernelPath Path { get; } = Int8Conv2d.PathFor(path);
    public override int ScratchBytes => Path != KernelPath.Scalar ? KernelOp.ScratchLength : 0;

    /// <summary>Blocks of output pixels × blocks of output-channel panels, when the operator is large enough to split; the scalar reference runs whole.</summary>
    public override int WorkItems => Path != KernelPath.Scalar && (long)KernelOp.Shape.OutputLength * KernelOp.Shape.KernelLength >= MinWorkToSplit ? KernelOp.WorkItems : 1;

    public override void Run(in ArenaView arena)
        => Int8Conv2d.Run(KernelOp, arena.Int8(Inputs[0]), arena.Int8(Outputs[0]), arena.Scratch, Path);

    public override void RunRange(in ArenaView arena, int begin, int end)
    {
        if (Path == KernelPath.Scalar) base.RunRange(arena, begin, end);
        else Int8Conv2d.RunRange(KernelOp, arena.Int8(Inputs[0]), arena.Int8(Outputs[0]), arena.Scratch, Path, begin, end);
    }
}

internal sealed class Int8DepthwiseConvOp(OpReader r, Int8DepthwiseConv2d kernel, KernelPath path) : SessionOp(r)
{
    public Int8DepthwiseConv2d KernelOp { get; } = kernel;
    public override string Kernel => nameof(Int8DepthwiseConv2d);
    public override KernelPath Path => Int8DepthwiseConv2d.PathFor(KernelOp, path);
    public override int ScratchBytes => Path == KernelPath.Scalar ? 0 : KernelOp.ScratchLength;

    /// <summary>
    /// Output rows per work item. Every range a thread runs first builds the input rows its first output row needs
    /// (KH of them where one would do inside a range), so ranges of one or two rows — what the pool's chunks give a
    /// 14×14 or 7×7 layer — build most of their rows twice or three times: 14²×576 measured 35 µs whole against 55 µs
    /// in 8 ranges (AVX-512 VNNI; AVX2 61 against 85), bench/RESULTS.md.
    /// </summary>
    internal const int RowsPerItem = 4;

    /// <summary>
    /// One range per thread: each range rebuilds the input rows of its first output row and resets its row window, which
    /// the pool's default of four chunks per thread paid four times (a harness splitting one layer over 2 threads,
    /// medians of 7 alternated runs, 4-row chunks / one range per thread: 56²×144 76.4 / 61.0 µs, 28²×192 32.9 / 25.8,
    /// 14²×384 15.9 / 13.7; one thread 106, 30.6, 21.1), bench/RESULTS.md.
    /// </summary>
    public override int ChunksPerThread => 1;

    /// <summary>Blocks of <see cref="RowsPerItem"/> output rows (of Batch·OutH), when the operator is large enough to split.</summary>
    public override int WorkItems => (long)KernelOp.Shape.OutputLength * KernelOp.Taps >= MinWorkToSplit ? (KernelOp.RowCount + RowsPerItem - 1) / RowsPerItem : 1;

    public override void Run(in ArenaView arena)
        => Int8DepthwiseConv2d.Run(KernelOp, arena.Int8(Inputs[0]), arena.Int8(Outputs[0]), arena.Scratch, path);

    public override void RunRange(in ArenaView arena, int begin, int end)
    {
        if (WorkItems == 1)
        {
            base.RunRange(arena, begin, end);
            return;
        }
        Int8DepthwiseConv2d.RunRows(KernelOp, arena.Int8(Inputs[0]), arena.Int8(Outputs[0]), arena.Scratch, path,
            begin * RowsPerItem, Math.Min(end * RowsPerItem, KernelOp.RowCount));
    }
}

internal sealed class FloatConvOp(OpReader r, FloatConv2d kernel) : SessionOp(r)
{
    public override string Kernel => nameof(FloatConv2d);

    public override void Run(in ArenaView arena) => FloatConv2d.Run(kernel, arena.Float32(Inputs[0]), arena.Float32(Outputs[0]));
}
