using Edge.Core.Graph;
using Edge.Core.Tensors;

namespace Edge.Reference.Kernels;

/// <summary><c>y = clamp(a + b)</c> with NumPy broadcasting (a residual connection adds equal shapes).</summary>
public static class AddFloat
{
    public static void Run(ReadOnlySpan<float> a, TensorShape aShape, ReadOnlySpan<float> b, TensorShape bShape,
        Span<float> y, TensorShape yShape, FusedClamp clamp)
        => Broadcasting.Apply<Sum>(a, aShape, b, bShape, y, yShape, clamp);

    private readonly struct Sum : IBinaryOperator
    {
        public static float Invoke(float a, float b) => a + b;
    }
}
