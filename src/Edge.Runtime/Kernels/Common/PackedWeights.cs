namespace Edge.Runtime.Kernels;

/// <summary>
/// Checks and copies shared by the kernels that take weights (convolution, depthwise convolution, GEMM) at load. The
/// convolution and GEMM weights themselves are packed by <see cref="Gemm.GemmPanels"/>.
/// </summary>
internal static class PackedWeights
{
    /// <summary>
    /// Rejects a weight of −128. The contract's weights are symmetric, [−127, 127], and the vector kernels rely on it:
    /// two products x·w with x in [−128, 127] then sum to at most 2·128·127 = 32512, exact in int16, and −w is an int8.
    /// </summary>
    public static void CheckSymmetric(ReadOnlySpan<sbyte> weights)
    {
        int at = weights.IndexOf(sbyte.MinValue);
        if (at >= 0) throw new ArgumentException($"weight {at} is −128; int8 weights are symmetric, in [−127, 127]");
    }

    /// <summary>A copy of <paramref name="bias"/> with one value per channel (zeros when it is empty).</summary>
    public static int[] CopyBias(ReadOnlySpan<int> bias, int channels)
    {
        if (bias.IsEmpty) return new int[channels];
        Guard.SameLength(bias.Length, channels, "bias");
        return bias.ToArray();
    }
}
