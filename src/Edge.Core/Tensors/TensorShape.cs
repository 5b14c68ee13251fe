using Edge.Core.Errors;

namespace Edge.Core.Tensors;

/// <summary>
/// An immutable tensor shape. The float graph is NCHW. A dimension of <see cref="Dynamic"/> (−1) stands for a size
/// not known until run time; only the batch dimension of a graph input may be dynamic.
/// </summary>
public sealed class TensorShape : IEquatable<TensorShape>
{
    public const int Dynamic = -1;
    private readonly int[] _dims;

    public TensorShape(params int[] dims)
    {
        foreach (var d in dims)
        {
            if (d < Dynamic) throw new ArgumentOutOfRangeException(nameof(dims), $"dimension {d} is negative");
        }
        _dims = (int[])dims.Clone();
    }

    public TensorShape(IEnumerable<int> dims) : this(dims.ToArray()) { }

    public int Rank => _dims.Length;
    public int this[int axis] => _dims[axis];
    public ReadOnlySpan<int> Dims => _dims;
    public int[] ToArray() => (int[])_dims.Clone();
    public bool IsFullyKnown => Array.TrueForAll(_dims, d => d >= 0);

    /// <summary>Number of elements; throws when a dimension is dynamic.</summary>
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (var d in _dims)
            {
                if (d < 0) throw new ShapeInferenceException(null, $"shape {this} has a dynamic dimension; its size is not known");
                if (d != 0 && n > long.MaxValue / d) throw new ShapeInferenceException(null, $"shape {this} has more elements than a long holds");
                n *= d;
            }
            return n;
        }
    }

    /// <summary>A copy with dimension <paramref name="axis"/> replaced.</summary>
    public TensorShape With(int axis, int value)
    {
        var d = ToArray();
        d[axis] = value;
        return new TensorShape(d);
    }

    /// <summary>This shape with a dynamic leading (batch) dimension replaced by <paramref name="batch"/>.</summary>
    public TensorShape WithBatch(int batch) => Rank > 0 && _dims[0] == Dynamic ? With(0, batch) : this;

    public bool Equals(TensorShape? other) => other is not null && _dims.AsSpan().SequenceEqual(other._dims);
    public override bool Equals(object? obj) => Equals(obj as TensorShape);

    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var d in _dims) h.Add(d);
        return h.ToHashCode();
    }

    /// <summary>Shape as PyTorch prints it, e.g. <c>[1, 3, 224, 224]</c>; a dynamic dimension prints as <c>?</c>.</summary>
    public override string ToString() => "[" + string.Join(", ", _dims.Select(d => d == Dynamic ? "?" : d.ToString())) + "]";

    public static bool operator ==(TensorShape? a, TensorShape? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(TensorShape? a, TensorShape? b) => !(a == b);
}
