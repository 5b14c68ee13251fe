namespace Edge.Runtime.Kernels.Float;

/// <summary>
/// Float32 product of two tensors for a Mul kept in float: <c>y[i] = a[i] · b[i mod len(b)]</c> (b of a's length, one value
/// per channel of NHWC a, or a scalar), as the float path's broadcasting computes it. May run in place on a.
/// </summary>
public static class FloatMul
{
    public static void Run(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> output)
    {
        Guard.SameLength(a.Length, output.Length, "mul input a and output");
        if (b.Length == 0 || a.Length % b.Length != 0) throw new ArgumentException($"mul input b ({b.Length} elements) does not repeat evenly over a ({a.Length})");
        int period = b.Length;
        for (int start = 0; start < a.Length; start += period)
            for (int i = 0; i < period; i++) output[start + i] = a[start + i] * b[i];
    }
}
