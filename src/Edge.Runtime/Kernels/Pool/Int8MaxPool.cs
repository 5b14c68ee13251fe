namespace Edge.Runtime.Kernels.Pool;

/// <summary>
/// Int8 2-D max pooling on NHWC tensors. Quantization is monotonic, so the max of the int8 values is the quantized max:
/// the output has the input's parameters. Only taps on real input compete (padding never wins); a window with no
/// real tap — possible only with dilation — yields −128, the quantization of the float path's −∞.
/// </summary>
public sealed partial class Int8MaxPool
{
    private Int8MaxPool(Pool2dShape shape)
    {
        Shape = shape;
        Pairs = PairChunksFor(shape);
    }

    public Pool2dShape Shape { get; }

    public static Int8MaxPool Prepare(Pool2dShape shape) => new(shape);

    /// <summary>
    /// Runs <paramref name="path"/> (falling back to the scalar reference where it is not accelerated): the AVX-512 paths
    /// run 2×2 stride-2 pools on few channels a row at a time (Int8MaxPool.Avx512Vbmi.cs), and everything else the Vector128
    /// path, whose interior takes 32 or 64 channels per load from AVX2 or AVX-512BW on (Int8MaxPool.Avx2.cs).
    /// </summary>
    public static void Run(Int8MaxPool op, ReadOnlySpan<sbyte> input, Span<sbyte> output, KernelPath path)
        => RunRows(op, input, output, path, 0, op.RowCount);

    /// <summary>
    /// The path <see cref="Run"/> takes for <paramref name="path"/>: Avx512BW for the row-wise 2×2 pool and for 64-channel
    /// interior blocks, Avx2 for 32-channel ones, else at most Vector128.
    /// </summary>
    public KernelPath PathFor(KernelPath path)
    {
        if (RunsPairRows(path)) return KernelPath.Avx512BW;
        return InteriorWidth(path, Shape.Channels) switch
        {
            64 => KernelPath.Avx512BW,
            32 => KernelPath.Avx2,
            _ => KernelPaths.AtMost(path, KernelPath.Vector128),
        };
    }

    /// <summary>Work items for threads: output rows, Batch·OutH.</summary>
    public int RowCount => Shape.Batch * Shape.OutH;

    /// <summary>
    /// Output rows [<paramref name="begin"/>, <paramref name="end"/>) (counted across the batch) on <paramref name="path"/>:
    /// what one thread runs. Rows write disjoint bytes, so any split gives the bytes of <see cref="Run"/>.
    /// </summary>
    public static void RunRows(Int8MaxPool op, ReadOnlySpan<sbyte> input, Span<sbyte> output, KernelPath path, int begin, int end)
    {
        if (begin < 0 || end > op.RowCount || begin > end)
            throw new ArgumentOutOfRangeException(nameof(begin), $"rows [{begin}, {end}) of [0, {op.RowCount})");
        if (op.RunsPairRows(path)) PairRows(op, input, output, begin, end);
        else if (path >= KernelPath.Vector128) Vector128Rows(op, input, output, begin, end, InteriorWidth(path, op.Shape.Channels));
        else MaxPoolLoop.Run(op.Shape, input, output, sbyte.MinValue, begin, end);
    }

    /// <summary>The scalar reference.</summary>
    public static void RunScalar(Int8MaxPool op, ReadOnlySpan<sbyte> input, Span<sbyte> output)
        => MaxPoolLoop.Run(op.Shape, input, output, sbyte.MinValue);

    public override string ToString() => $"Int8MaxPool {Shape}";
}
