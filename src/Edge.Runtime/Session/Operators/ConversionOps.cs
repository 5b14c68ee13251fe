using Edge.Runtime.Format;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Float;

namespace Edge.Runtime.Session.Operators;

/// <summary>
/// Operators that change a tensor's type or view without arithmetic on the values' meaning: Quantize (float32 → int8 with
/// the output's parameters), Dequantize (int8 → float32 with the input's) and Reshape (a view: same bytes, new shape).
/// </summary>
internal static class ConversionOps
{
    public static SessionOp Quantize(OpReader r, KernelPath path)
    {
        Conversion(r, EdgeDataType.Float32, EdgeDataType.Int8);
        var y = OpReader.Params(r.Output);
        return new QuantizeOp(r, r.Prepare(() => Float32Quantize.Prepare(y)), path);
    }

    public static SessionOp Dequantize(OpReader r)
    {
        Conversion(r, EdgeDataType.Int8, EdgeDataType.Float32);
        var x = OpReader.Params(r.Input());
        return new DequantizeOp(r, r.Prepare(() => Int8Dequantize.Prepare(x)));
    }

    public static SessionOp Reshape(OpReader r)
    {
        r.Arity(1, 1);
        r.Ints(0, "none");
        r.NoFloatsOrBlobs();
        var (x, y) = (r.Input(), r.Output);
        r.DataType(y, x.DataType, "output");
        if (x.DataType == EdgeDataType.Int32) throw r.Bad("int32 tensors are not activations");
        if (x.ElementCount != y.ElementCount)
            throw r.Bad($"'{x.Name}' {OpReader.Show(x.Shape)} and '{y.Name}' {OpReader.Show(y.Shape)} hold different numbers of elements");
        if (x.DataType == EdgeDataType.Int8 && OpReader.Params(x) != OpReader.Params(y))
            throw r.Bad($"a view keeps the parameters: '{x.Name}' has {OpReader.Params(x)}, '{y.Name}' {OpReader.Params(y)}");
        return new ReshapeOp(r);
    }

    private static void Conversion(OpReader r, EdgeDataType from, EdgeDataType to)
    {
        r.Arity(1, 1);
        r.Ints(0, "none");
        r.NoFloatsOrBlobs();
        r.DataType(r.Input(), from, "input");
        r.DataType(r.Output, to, "output");
        r.SameShape(r.Input(), r.Output);
    }
}

internal sealed class QuantizeOp(OpReader r, Float32Quantize kernel, KernelPath path) : SessionOp(r)
{
    public override string Kernel => nameof(Float32Quantize);
    public override KernelPath Path => Float32Quantize.PathFor(path);
    public override void Run(in ArenaView arena) => Float32Quantize.Run(kernel, arena.Float32(Inputs[0]), arena.Int8(Outputs[0]), path);
}

internal sealed class DequantizeOp(OpReader r, Int8Dequantize kernel) : SessionOp(r)
{
    public override string Kernel => nameof(Int8Dequantize);
    public override void Run(in ArenaView arena) => Int8Dequantize.Run(kernel, arena.Int8(Inputs[0]), arena.Float32(Outputs[0]));
}

/// <summary>A view: the memory plan gives input and output one buffer, so there is nothing to run.</summary>
internal sealed class ReshapeOp(OpReader r) : SessionOp(r)
{
    public override string Kernel => "view";
    public override bool IsView => true;
    public override void Run(in ArenaView arena) { }
}
