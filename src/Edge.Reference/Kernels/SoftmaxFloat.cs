namespace Edge.Reference.Kernels;

/// <summary>
/// Softmax along one axis of a tensor viewed as [outer, axisLength, inner]: for each of the outer·inner lines,
/// <c>y = exp(x − max) / Σ exp(x − max)</c>. Subtracting the line's maximum keeps exp from overflowing and does not
/// change the result mathematically.
/// </summary>
public static class SoftmaxFloat
{
    public static void Run(int outer, int axisLength, int inner, ReadOnlySpan<float> input, Span<float> output)
    {
        long length = (long)outer * axisLength * inner;
        if (input.Length < length || output.Length < length) throw new ArgumentException($"input/output hold {input.Length}/{output.Length} values, [{outer}, {axisLength}, {inner}] needs {length}");
        for (int o = 0; o < outer; o++)
        {
            for (int t = 0; t < inner; t++)
            {
                int start = o * axisLength * inner + t;
                float max = float.NegativeInfinity;
                for (int a = 0; a < axisLength; a++) max = MathF.Max(max, input[start + a * inner]);
                float sum = 0f;
                for (int a = 0; a < axisLength; a++)
                {
                    float e = MathF.Exp(input[start + a * inner] - max);
                    output[start + a * inner] = e;
                    sum += e;
                }
                for (int a = 0; a < axisLength; a++) output[start + a * inner] /= sum;
            }
        }
    }
}
