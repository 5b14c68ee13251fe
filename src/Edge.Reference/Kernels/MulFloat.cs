using Edge.Core.Graph;
using Edge.Core.Tensors;

namespace Edge.Reference.Kernels;

/// <summary><c>y = x · scale</c>, the constant broadcast onto x (in practice one value per channel, or a scalar).</summary>
public static class MulFloat
{
    public static void Run(ReadOnlySpan<float> x, TensorShape xShape, ReadOnlySpan<float> scale, TensorShape scaleShape, Span<float> y)
        => Broadcasting.Apply<Product>(x, xShape, scale, scaleShape, y, xShape, FusedClamp.None);

    /// <summary><c>y = a · b</c> of two data tensors with NumPy broadcasting (the squeeze-excitation gate [N, C, 1, 1] × [N, C, H, W]).</summary>
    public static void RunBroadcast(ReadOnlySpan<float> a, TensorShape aShape, ReadOnlySpan<float> b, TensorShape bShape, Span<float> y, TensorShape yShape)
        => Broadcasting.Apply<Product>(a, aShape, b, bShape, y, yShape, FusedClamp.None);

    private readonly struct Product : IBinaryOperator
    {
        public static float Invoke(float a, float b) => a * b;
    }
}
