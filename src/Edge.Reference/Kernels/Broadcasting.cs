using Edge.Core.Graph;
using Edge.Core.Tensors;

namespace Edge.Reference.Kernels;

/// <summary>A binary float function, as a type so the broadcasting loop is specialized (and inlined) per operator.</summary>
internal interface IBinaryOperator
{
    static abstract float Invoke(float a, float b);
}

/// <summary>Element-wise binary operators with NumPy broadcasting.</summary>
internal static class Broadcasting
{
    /// <summary>
    /// <c>y = clamp(op(a, b))</c> where <paramref name="yShape"/> is the broadcast of the two shapes. Shapes are aligned
    /// at the last axis; an operand's axis of size 1 (or a missing leading axis) gets stride 0, so the same value is
    /// reused along it. The loop walks y in order: an odometer over the outer axes, a plain loop over the last axis.
    /// </summary>
    public static void Apply<TOp>(ReadOnlySpan<float> a, TensorShape aShape, ReadOnlySpan<float> b, TensorShape bShape,
        Span<float> y, TensorShape yShape, FusedClamp clamp) where TOp : IBinaryOperator
    {
        long total = yShape.ElementCount;
        if (a.Length < aShape.ElementCount || b.Length < bShape.ElementCount || y.Length < total)
            throw new ArgumentException($"operands hold {a.Length}, {b.Length} → {y.Length} values for shapes {aShape}, {bShape} → {yShape}");
        if (total == 0) return;
        if (aShape == bShape && aShape == yShape)
        {
            for (int i = 0; i < total; i++) y[i] = clamp.Apply(TOp.Invoke(a[i], b[i]));
            return;
        }
        int rank = yShape.Rank;
        if (rank == 0)
        {
            y[0] = clamp.Apply(TOp.Invoke(a[0], b[0]));
            return;
        }
        Span<int> strideA = stackalloc int[rank], strideB = stackalloc int[rank], index = stackalloc int[rank];
        Strides(aShape, yShape, strideA);
        Strides(bShape, yShape, strideB);
        int inner = yShape[rank - 1], sa = strideA[rank - 1], sb = strideB[rank - 1];
        int offA = 0, offB = 0;
        for (long offY = 0; offY < total; offY += inner)
        {
            for (int t = 0; t < inner; t++) y[(int)offY + t] = clamp.Apply(TOp.Invoke(a[offA + t * sa], b[offB + t * sb]));
            for (int axis = rank - 2; axis >= 0; axis--)
            {
                offA += strideA[axis];
                offB += strideB[axis];
                if (++index[axis] < yShape[axis]) break;
                offA -= strideA[axis] * yShape[axis];
                offB -= strideB[axis] * yShape[axis];
                index[axis] = 0;
            }
        }
    }

    /// <summary>Element strides of <paramref name="shape"/> read along the axes of <paramref name="target"/>; 0 where it broadcasts.</summary>
    private static void Strides(TensorShape shape, TensorShape target, Span<int> strides)
    {
        int stride = 1, lead = target.Rank - shape.Rank;
        if (lead < 0) throw new ArgumentException($"{shape} does not broadcast to {target}");
        for (int axis = target.Rank - 1; axis >= 0; axis--)
        {
            int d = axis >= lead ? shape[axis - lead] : 1;
            if (d != 1 && d != target[axis]) throw new ArgumentException($"{shape} does not broadcast to {target}");
            strides[axis] = d == 1 ? 0 : stride;
            stride *= d;
        }
    }
}
