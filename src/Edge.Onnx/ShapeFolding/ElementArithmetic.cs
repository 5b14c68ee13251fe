using DT = Edge.Onnx.Proto.TensorProto.Types.DataType;

namespace Edge.Onnx.ShapeFolding;

/// <summary>
/// Folding of Cast and of Add, Sub, Mul, Div on constants (the size arithmetic of <c>x.reshape(b, c * h * w)</c>).
/// The batch size may pass through an integer Cast but never through arithmetic: its value is only known at run time.
/// </summary>
internal static class ElementArithmetic
{
    public static void Cast(OnnxNode node, ImportContext ctx)
    {
        node.ExpectInputs(1, 1);
        var x = node.ConstantInput(0, "input");
        var to = (DT)node.Attributes.RequiredInt("to");
        FoldedTensor result;
        switch (to)
        {
            case DT.Float or DT.Double or DT.Float16:
                if (x.HasBatch) throw node.Unsupported("the batch size cannot be cast to a floating-point type when folding");
                var floats = x.Floats ?? x.Ints!.Select(v => (float)v).ToArray();
                result = FoldedTensor.OfFloats(x.Dims, to == DT.Float16 ? floats.Select(v => (float)(Half)v).ToArray() : floats);
                break;
            case DT.Int64 or DT.Int32 or DT.Int16 or DT.Int8 or DT.Uint8 or DT.Uint16 or DT.Uint32 or DT.Uint64 or DT.Bool:
                var ints = x.Ints ?? x.Floats!.Select(v => float.IsFinite(v) ? (long)MathF.Truncate(v) : throw node.Error($"cannot cast {v} to an integer")).ToArray();
                result = FoldedTensor.OfInts(x.Dims, ints.Select(v => Narrow(to, v)).ToArray(), x.IsBatch);
                break;
            default:
                throw node.Unsupported($"Cast to {to} is not supported");
        }
        ctx.AddConstant(node.Output, result, node);
    }

    /// <summary>Add, Sub, Mul or Div (by <see cref="OnnxNode.OpType"/>) of two constants, with NumPy broadcasting.</summary>
    public static void Binary(OnnxNode node, ImportContext ctx)
    {
        node.ExpectInputs(2, 2);
        var a = node.ConstantInput(0, "A");
        var b = node.ConstantInput(1, "B");
        if (a.IsFloat != b.IsFloat) throw node.Error($"operands {a} and {b} have different element types");
        if (a.HasBatch || b.HasBatch) throw node.Unsupported("arithmetic on the batch size cannot be folded: it is only known at run time");

        int rank = Math.Max(a.Rank, b.Rank);
        var dims = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = Dim(a, i, rank), db = Dim(b, i, rank);
            if (da != db && da != 1 && db != 1) throw node.Error($"shapes {a} and {b} do not broadcast");
            dims[i] = da == 1 ? db : da;
        }
        var ia = BroadcastIndices(node, a, dims);
        var ib = BroadcastIndices(node, b, dims);
        var op = node.OpType;
        FoldedTensor result;
        if (a.IsFloat)
        {
            var r = new float[ia.Length];
            for (int k = 0; k < r.Length; k++)
            {
                float x = a.Floats![ia[k]], y = b.Floats![ib[k]];
                r[k] = op switch { "Add" => x + y, "Sub" => x - y, "Mul" => x * y, _ => x / y };
            }
            result = FoldedTensor.OfFloats(dims, r);
        }
        else
        {
            var r = new long[ia.Length];
            for (int k = 0; k < r.Length; k++)
            {
                long x = a.Ints![ia[k]], y = b.Ints![ib[k]];
                if (op == "Div" && y == 0) throw node.Error("integer division by zero");
                r[k] = op switch { "Add" => x + y, "Sub" => x - y, "Mul" => x * y, _ => y == -1 ? -x : x / y }; // −x: long.MinValue / −1 throws
            }
            result = FoldedTensor.OfInts(dims, r);
        }
        ctx.AddConstant(node.Output, result, node);
    }

    /// <summary>Dimension <paramref name="i"/> of <paramref name="t"/> right-aligned to <paramref name="rank"/> (1 where it has none).</summary>
    private static int Dim(FoldedTensor t, int i, int rank) => i < rank - t.Rank ? 1 : t.Dims[i - (rank - t.Rank)];

    private static int[] BroadcastIndices(OnnxNode node, FoldedTensor t, int[] dims)
    {
        var strides = FoldedTensor.Strides(t.Dims);
        int offset = dims.Length - t.Rank;
        return ElementMoves.MapIndices(node, dims, idx =>
        {
            int src = 0;
            for (int i = 0; i < t.Rank; i++) src += t.Dims[i] == 1 ? 0 : idx[i + offset] * strides[i];
            return src;
        });
    }

    /// <summary>An integer converted to a narrower ONNX integer type, wrapping as a C cast does.</summary>
    private static long Narrow(DT to, long v) => to switch
    {
        DT.Int32 => (int)v,
        DT.Int16 => (short)v,
        DT.Int8 => (sbyte)v,
        DT.Uint8 => (byte)v,
        DT.Uint16 => (ushort)v,
        DT.Uint32 => (uint)v,
        DT.Bool => v != 0 ? 1 : 0,
        _ => v,
    };
}
