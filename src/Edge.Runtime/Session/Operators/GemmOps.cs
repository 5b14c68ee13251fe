using Edge.Runtime.Arithmetic;
using Edge.Runtime.Format;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Float;
using Edge.Runtime.Kernels.Gemm;

namespace Edge.Runtime.Session.Operators;

/// <summary>
/// Gemm (docs/edge-format.md): the input, of any shape [N, …], is N rows of K features in its NHWC flatten order; the
/// output is [N, OC]. Int8: ints <c>qmin, qmax</c>; blobs weights int8 [OC, K], bias, M, n (int32 [OC]), weight scales
/// (f32 [OC]). Float: floats <c>min, max</c>; blobs weights f32 [OC, K], bias f32 [OC].
/// </summary>
internal static class GemmOps
{
    public static SessionOp Create(OpReader r, KernelPath path)
    {
        r.Arity(1, 1);
        var x = r.Input();
        if (x.Shape.Length < 2) throw r.Bad($"input '{x.Name}' {OpReader.Show(x.Shape)} is not [N, features…]");
        int batch = r.Extent(x.Shape[0], "batch");
        long k = x.ElementCount / batch;
        var ws = r.BlobShape(0, 2, "weights");
        int oc = r.Extent(ws[0], "output features");
        if (ws[1] != k) throw r.Bad($"weights {OpReader.Show(ws)} disagree with the {k} input features of '{x.Name}' {OpReader.Show(x.Shape)}");
        r.Shape(r.Output, [batch, oc], "output");
        return r.IsFloat ? FloatGemmOp(r, batch, (int)k, oc) : Int8GemmOp(r, batch, (int)k, oc, path);
    }

    private static SessionOp Int8GemmOp(OpReader r, int batch, int k, int oc, KernelPath path)
    {
        r.AllOfType(EdgeDataType.Int8);
        var ints = r.Ints(2, "qmin, qmax");
        r.Floats(0, "none");
        r.BlobCount(5, "weights, bias, M, n, weight scales");
        r.Blob(0, "weights", EdgeDataType.Int8, oc, k);
        r.Blob(1, "bias", EdgeDataType.Int32, oc);
        var m = r.Blob(2, "multipliers M", EdgeDataType.Int32, oc).AsInt32();
        var n = r.Blob(3, "shifts n", EdgeDataType.Int32, oc).AsInt32();
        r.Blob(4, "weight scales", EdgeDataType.Float32, oc);
        var multipliers = new QuantizedMultiplier[oc];
        for (int c = 0; c < oc; c++) multipliers[c] = r.Multiplier(m[c], n[c], $"output feature {c}");
        var clamp = r.Clamp(ints[0], ints[1]);
        var stage = r.Prepare(() => new OutputStage(multipliers, r.Output.ZeroPoint, clamp));
        var blobs = r.Op.Blobs;
        int zp = r.Input().ZeroPoint;
        return new Int8GemmOp(r, r.Prepare(() => Int8Gemm.Prepare(batch, k, oc, blobs[0].AsInt8(), blobs[1].AsInt32(), zp, stage)), path);
    }

    private static SessionOp FloatGemmOp(OpReader r, int batch, int k, int oc)
    {
        r.AllOfType(EdgeDataType.Float32);
        r.Ints(0, "none");
        var floats = r.Floats(2, "clamp min, max");
        r.BlobCount(2, "weights, bias");
        var w = r.Blob(0, "weights", EdgeDataType.Float32, oc, k);
        var b = r.Blob(1, "bias", EdgeDataType.Float32, oc);
        return new FloatGemmOp(r, r.Prepare(() => FloatGemm.Prepare(batch, k, oc, w.AsFloat32(), b.AsFloat32(), floats[0], floats[1])));
    }
}

internal sealed class Int8GemmOp(OpReader r, Int8Gemm kernel, KernelPath path) : SessionOp(r)
{
    public Int8Gemm KernelOp { get; } = kernel;
    public override string Kernel => nameof(Int8Gemm);
    public override KernelPath Path { get; } = Int8Gemm.PathFor(path);
    public override int ScratchBytes => Path != KernelPath.Scalar ? KernelOp.ScratchLength : 0;

    /// <summary>Blocks of rows × blocks of output panels (a one-row GEMM splits over its outputs), when the operator is large enough to split; the scalar reference runs whole.</summary>
    public override int WorkItems => Path != KernelPath.Scalar && (long)KernelOp.OutputLength * KernelOp.InFeatures >= MinWorkToSplit ? KernelOp.WorkItems : 1;

    public override void Run(in ArenaView arena)
        => Int8Gemm.Run(KernelOp, arena.Int8(Inputs[0]), arena.Int8(Outputs[0]), arena.Scratch, Path);

    public override void RunRange(in ArenaView arena, int begin, int end)
    {
        if (Path == KernelPath.Scalar) base.RunRange(arena, begin, end);
        else Int8Gemm.RunRange(KernelOp, arena.Int8(Inputs[0]), arena.Int8(Outputs[0]), arena.Scratch, Path, begin, end);
    }
}

internal sealed class FloatGemmOp(OpReader r, FloatGemm kernel) : SessionOp(r)
{
    public override string Kernel => nameof(FloatGemm);

    public override void Run(in ArenaView arena) => FloatGemm.Run(kernel, arena.Float32(Inputs[0]), arena.Float32(Outputs[0]));
}
