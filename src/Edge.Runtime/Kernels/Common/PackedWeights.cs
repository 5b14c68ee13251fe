namespace Edge.Runtime.Kernels;

/// <summary>
/// Weight packing for the kernels that take dot products along K (convolution and GEMM), done once at load.
/// <para>
/// Layout: one row of <see cref="RowLength"/> int8 per output channel, <c>[OC][Kp]</c>. A row holds the channel's
/// K = KH·KW·ICg weights in <c>[KH][KW][ICg]</c> order — the order in which an NHWC window is read, so a window row
/// of an ungrouped convolution is one contiguous run of the input — then zeros up to Kp = K rounded up to a multiple
/// of 16, so the Vector128 dot product needs no tail loop (the zero weights cancel whatever the input holds there).
/// Seven rows of zeros follow the last one (<see cref="PaddingRows"/>), and the folded bias has seven zeros more than there
/// are rows, so a block of up to eight rows that starts at any row stays inside both: a kernel may compute a last, partial
/// block of output channels in full and keep only the channels that exist.
/// </para>
/// </summary>
internal sealed class PackedWeights
{
    /// <summary>The alignment of <see cref="RowLength"/>: one Vector128 of int8.</summary>
    public const int RowMultiple = 16;

    /// <summary>Zero rows after the last one, so a block of up to eight rows may start at any row.</summary>
    public const int PaddingRows = 7;

    private PackedWeights(sbyte[] data, int rows, int kernelLength, int rowLength)
        => (Data, Rows, KernelLength, RowLength) = (data, rows, kernelLength, rowLength);

    /// <summary>[Rows + <see cref="PaddingRows"/>][RowLength], the padding rows zero.</summary>
    public sbyte[] Data { get; }
    public int Rows { get; }

    /// <summary>K, the weights of one output channel.</summary>
    public int KernelLength { get; }

    /// <summary>Kp: K rounded up to <see cref="RowMultiple"/>.</summary>
    public int RowLength { get; }

    /// <summary>
    /// Packs <paramref name="rows"/> rows of <paramref name="kernelLength"/> weights — a convolution's [OC][KH][KW][ICg]
    /// (the .edge layout, docs/edge-format.md) or a GEMM's [OC][K] — into [rows][Kp], zero-padding each row.
    /// </summary>
    public static PackedWeights FromRows(ReadOnlySpan<sbyte> weights, int rows, int kernelLength)
    {
        Guard.SameLength(weights.Length, rows * kernelLength, $"weights for {rows} rows of {kernelLength}");
        CheckSymmetric(weights);
        int kp = (kernelLength + RowMultiple - 1) / RowMultiple * RowMultiple;
        var data = new sbyte[(rows + PaddingRows) * kp];
        for (int o = 0; o < rows; o++) weights.Slice(o * kernelLength, kernelLength).CopyTo(data.AsSpan(o * kp));
        return new PackedWeights(data, rows, kernelLength, kp);
    }

    /// <summary>
    /// The bias with the input zero point folded in: <c>bias[o] − zp_x·Σ_k w[o, k]</c>, so that
    /// <c>bias[o] + Σ (x − zp_x)·w = folded[o] + Σ x·w</c>. Both sides are int32 with wraparound (the contract defines the
    /// accumulator modulo 2^32), so the fold is exact even where a sum would overflow. An empty bias is zeros. The array
    /// has <see cref="PaddingRows"/> zeros after the last row's value, for the padding rows.
    /// </summary>
    public int[] FoldBias(ReadOnlySpan<int> bias, int inputZeroPoint)
    {
        var folded = new int[Rows + PaddingRows];
        for (int o = 0; o < Rows; o++)
        {
            int sum = 0;
            foreach (var w in Data.AsSpan(o * RowLength, RowLength)) sum += w;
            folded[o] = unchecked((bias.IsEmpty ? 0 : bias[o]) - inputZeroPoint * sum);
        }
        return folded;
    }

    /// <summary>
    /// Rejects a weight of −128. The contract's weights are symmetric, [−127, 127], and the vector kernels rely on it:
    /// two products x·w with x in [−128, 127] then sum to at most 2·128·127 = 32512, exact in int16.
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
