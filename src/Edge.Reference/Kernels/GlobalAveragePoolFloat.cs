namespace Edge.Reference.Kernels;

/// <summary>
/// Mean of each plane: [N, C, H, W] → [N, C, 1, 1]. The sum runs in double, so the float result is the correctly
/// rounded mean of the float inputs up to one rounding — a tighter oracle than a float sum over thousands of values.
/// </summary>
public static class GlobalAveragePoolFloat
{
    public static void Run(int planes, int planeSize, ReadOnlySpan<float> input, Span<float> output)
    {
        if (input.Length < (long)planes * planeSize) throw new ArgumentException($"input holds {input.Length} values, {planes} planes of {planeSize} need {(long)planes * planeSize}");
        if (output.Length < planes) throw new ArgumentException($"output holds {output.Length} values for {planes} planes");
        for (int p = 0; p < planes; p++)
        {
            double sum = 0;
            foreach (var v in input.Slice(p * planeSize, planeSize)) sum += v;
            output[p] = (float)(sum / planeSize);
        }
    }
}
