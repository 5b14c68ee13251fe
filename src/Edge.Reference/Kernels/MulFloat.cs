using Edge.Core.Graph;
using Edge.Core.Tensors;

namespace Edge.Reference.Kernels;

/// <summary><c>y = x · scale</c>, the constant broadcast onto x (in practice one value per channel, or a scalar).</summary>
public static class MulFloat
{
    public static void Run(ReadOnlySpan<float> x, TensorShape xShape, ReadOnlySpan<float> scale, TensorShape scaleShape, Span<float> y)
        => Broadcasting.Apply<Product>(x, xShape, scale, scaleShape, y, xShape, FusedClamp.None);

    private readonly struct Product : IBinaryOperator
    {
        public static float Invoke(float a, float b) => a * b;
    }
}
