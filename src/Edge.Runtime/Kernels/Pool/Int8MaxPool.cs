namespace Edge.Runtime.Kernels.Pool;

/// <summary>
/// Int8 2-D max pooling on NHWC tensors. Quantization is monotonic, so the max of the int8 values is the quantized max:
/// the output has the input's parameters. Only taps on real input compete (padding never wins); a window with no
/// real tap — possible only with dilation — yields −128, the quantization of the float path's −∞.
/// </summary>
public sealed class Int8MaxPool
{
    private Int8MaxPool(Pool2dShape shape) => Shape = shape;

    public Pool2dShape Shape { get; }

    public static Int8MaxPool Prepare(Pool2dShape shape) => new(shape);

    /// <summary>The scalar reference (the only path).</summary>
    public static void Run(Int8MaxPool op, ReadOnlySpan<sbyte> input, Span<sbyte> output)
        => MaxPoolLoop.Run(op.Shape, input, output, sbyte.MinValue);

    public override string ToString() => $"Int8MaxPool {Shape}";
}
