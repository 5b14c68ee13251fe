namespace Edge.Onnx.ShapeFolding;

/// <summary>
/// A tensor whose value is known while importing: an initializer, a <c>Constant</c> node, or the result of folding the
/// shape computations PyTorch emits around Reshape and Pad. Elements are row-major and either floating point
/// (<see cref="Floats"/>) or integer (<see cref="Ints"/>).
/// <para>
/// An integer element may stand for the batch size, which is not known until run time: it comes from
/// <c>Shape(x)[0]</c> on a dynamic-batch tensor and is flagged in <see cref="IsBatch"/>. Element moves (Gather, Slice,
/// Concat, Unsqueeze, …) carry the flag along; any arithmetic on it, or any use other than dimension 0 of a Reshape
/// target, fails the import.
/// </para>
/// </summary>
internal sealed class FoldedTensor
{
    private FoldedTensor(int[] dims, float[]? floats, long[]? ints, bool[]? isBatch)
    {
        Dims = dims;
        Floats = floats;
        Ints = ints;
        IsBatch = isBatch;
    }

    public static FoldedTensor OfFloats(int[] dims, float[] values) => new(dims, values, null, null);

    public static FoldedTensor OfInts(int[] dims, long[] values, bool[]? isBatch = null)
        => new(dims, null, values, isBatch is not null && Array.IndexOf(isBatch, true) >= 0 ? isBatch : null);

    public int[] Dims { get; }
    public float[]? Floats { get; }
    public long[]? Ints { get; }

    /// <summary>Per element of <see cref="Ints"/>: the element is the (symbolic) batch size. Null when none is.</summary>
    public bool[]? IsBatch { get; }

    public bool IsFloat => Floats is not null;
    public int Rank => Dims.Length;
    public int Length => Floats?.Length ?? Ints!.Length;
    public bool HasBatch => IsBatch is not null;

    /// <summary>The same elements under new dimensions (Reshape, Unsqueeze, Squeeze, Identity).</summary>
    public FoldedTensor WithDims(int[] dims) => new(dims, Floats, Ints, IsBatch);

    /// <summary>A tensor of shape <paramref name="dims"/> whose element <c>i</c> is this tensor's element <c>source[i]</c>.</summary>
    public FoldedTensor Select(int[] dims, int[] source)
    {
        if (Floats is not null) return OfFloats(dims, Array.ConvertAll(source, i => Floats[i]));
        var isBatch = IsBatch is null ? null : Array.ConvertAll(source, i => IsBatch[i]);
        return OfInts(dims, Array.ConvertAll(source, i => Ints![i]), isBatch);
    }

    /// <summary>
    /// The largest tensor the importer accepts, folded or in the graph at batch 2 (2^28 elements, 1 GiB of float32); the
    /// bound keeps every size computation of a corrupt file far from overflowing.
    /// </summary>
    public const long MaxElements = 1L << 28;

    /// <summary>
    /// The largest tensor the importer computes by folding (2^20 elements). Shape computations are tiny; the bound stops
    /// a corrupt ConstantOfShape, Gather or Concat from exhausting memory.
    /// </summary>
    public const long MaxFoldedElements = 1L << 20;

    /// <summary>
    /// The number of elements of a tensor with these (non-negative) dimensions, 1 for a scalar; saturates just above
    /// <see cref="MaxElements"/> so a corrupt shape cannot overflow.
    /// </summary>
    public static long ElementCount(ReadOnlySpan<int> dims)
    {
        long n = 1;
        foreach (var d in dims) n = Math.Min(n * d, MaxElements + 1);
        return n;
    }

    /// <summary>The row-major strides of <paramref name="dims"/>.</summary>
    public static int[] Strides(int[] dims)
    {
        var s = new int[dims.Length];
        int acc = 1;
        for (int i = dims.Length - 1; i >= 0; i--)
        {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    public override string ToString() => $"[{string.Join(", ", Dims)}] {(IsFloat ? "float" : "int")}";
}
