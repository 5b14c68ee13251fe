using Edge.Core.Errors;

namespace Edge.Core.Tensors;

/// <summary>
/// A float32 constant (a weight, a bias, BatchNorm statistics), stored row-major in the shape's order.
/// Treat as immutable: graph passes build a new constant rather than write into <see cref="Data"/>.
/// </summary>
public sealed class ConstantTensor
{
    public ConstantTensor(string name, TensorShape shape, float[] data)
    {
        if (!shape.IsFullyKnown || shape.ElementCount != data.Length)
        {
            throw new GraphValidationException(null, $"constant '{name}': shape {shape} needs {(shape.IsFullyKnown ? shape.ElementCount : -1)} values, got {data.Length}");
        }
        Name = name;
        Shape = shape;
        Data = data;
    }

    public string Name { get; }
    public TensorShape Shape { get; }
    public float[] Data { get; }
    public int Length => Data.Length;

    /// <summary>The first non-finite value, if any, as (flat index, value).</summary>
    public (int Index, float Value)? FindNonFinite()
    {
        for (int i = 0; i < Data.Length; i++)
        {
            if (!float.IsFinite(Data[i])) return (i, Data[i]);
        }
        return null;
    }

    public override string ToString() => $"{Name} {Shape}";
}
