using Edge.Runtime.Kernels.Pool;

namespace Edge.Runtime.Kernels.Float;

/// <summary>Float32 2-D max pooling on NHWC tensors: the largest real tap (padding never wins; a window with none gives −∞).</summary>
public sealed class FloatMaxPool
{
    private FloatMaxPool(Pool2dShape shape) => Shape = shape;

    public Pool2dShape Shape { get; }

    public static FloatMaxPool Prepare(Pool2dShape shape) => new(shape);

    public static void Run(FloatMaxPool op, ReadOnlySpan<float> input, Span<float> output)
        => MaxPoolLoop.Run(op.Shape, input, output, float.NegativeInfinity);

    public override string ToString() => $"FloatMaxPool {Shape}";
}
