namespace Edge.Runtime.Kernels.Gemm;

/// <summary>
/// The weights of a convolution or GEMM packed once, at load, into the layout the register-tile microkernels
/// (<see cref="Int8GemmTile"/>) read, with the input zero point folded into the bias.
/// <para>
/// The GEMM is <c>C[M][N] = A[M][K]·Bᵀ</c> per group: A's rows are output pixels (an im2col window, or an NHWC pixel read
/// in place), B's rows the group's output channels. B is cut into panels of <see cref="Width"/> = 16 channels; a panel
/// holds K, padded with zeros to <see cref="KPadded"/> (a multiple of <see cref="KStep"/> = 8), as quads of 4
/// consecutive k per channel, channel after channel — 64 bytes per quad, one AVX-512 vector, two AVX2 vectors, four
/// NEON vectors:
/// <code>
///   panel p of group g, Kp = KPadded:             byte offset ((g·PanelsPerGroup + p)·Kp/4 + q)·64 + n·4 + j
///   ┌──── quad q = 0 (k 0..3) ─────┬──── quad 1 (k 4..7) ──────┬── …  Kp/4 quads
///   │ c0:k0 k1 k2 k3 │ c1:k0..k3 │… │ c15:k0..k3 │ c0:k4..k7 │ …  │
///   └──────────────── 64 bytes ────────────────────┴───────────┘
///   channel c = g·ChannelsPerGroup + 16p + n, weight w[c][4q + j] (0 where 16p + n ≥ ChannelsPerGroup or 4q + j ≥ K)
/// </code>
/// A microkernel broadcasts one quad of an A row (4 bytes) against a quad of B and gets 16 channels' partial sums with
/// no shuffle; the padding channels and the padding k are zero weights, so a tile may run past N and K on any input
/// bytes there and still add exactly 0. <see cref="FoldedBias"/> is laid out like the panels' channels:
/// <c>[Groups][PanelsPerGroup·16]</c>, zero past each group's channels.
/// </para>
/// </summary>
internal sealed class GemmPanels
{
    /// <summary>Output channels per panel: the N of one register tile.</summary>
    public const int Width = 16;

    /// <summary>K is padded to a multiple of this: two quads, the step of the kernels that pair quads (NEON smull/smlal).</summary>
    public const int KStep = 8;

    /// <summary>Bytes of one quad of a panel (16 channels × 4 k).</summary>
    public const int QuadBytes = Width * 4;

    private GemmPanels(AlignedArray<sbyte> data, int[] foldedBias, int[] vnniBias, int groups, int channelsPerGroup, int k)
    {
        (_data, FoldedBias, VnniBias, Groups, ChannelsPerGroup, K) = (data, foldedBias, vnniBias, groups, channelsPerGroup, k);
        KPadded = Pad(k);
        PanelsPerGroup = (channelsPerGroup + Width - 1) / Width;
    }

    private readonly AlignedArray<sbyte> _data;

    /// <summary>
    /// [Groups][PanelsPerGroup][KPadded/4][16][4] int8, see the type's summary; pinned, from a 64-byte boundary, so every
    /// quad is one cache line (<see cref="AlignedArray{T}"/>).
    /// </summary>
    public Span<sbyte> Data => _data.Span;

    /// <summary><c>bias[c] − zp_x·Σ_k w[c][k]</c> (wrapping in int32, as the contract's accumulator), [Groups][PanelsPerGroup·16].</summary>
    public int[] FoldedBias { get; }

    /// <summary>
    /// <c>FoldedBias[c] − 128·Σ_k w[c][k]</c> (wrapping), laid out as <see cref="FoldedBias"/>: the bias of the VNNI tiles
    /// (<see cref="VnniTileCode"/>), whose sums are <c>Σ (x + 128)·w</c>.
    /// </summary>
    public int[] VnniBias { get; }

    public int Groups { get; }
    public int ChannelsPerGroup { get; }
    public int PanelsPerGroup { get; }

    /// <summary>K, the weights of one output channel.</summary>
    public int K { get; }

    /// <summary>K rounded up to <see cref="KStep"/>: the bytes of an A row a microkernel reads.</summary>
    public int KPadded { get; }

    /// <summary>Bytes of one panel.</summary>
    public int PanelLength => Width * KPadded;

    /// <summary>Channels of one group rounded up to whole panels: the stride of <see cref="FoldedBias"/> per group.</summary>
    public int PaddedChannelsPerGroup => PanelsPerGroup * Width;

    public static int Pad(int k) => (k + KStep - 1) / KStep * KStep;

    /// <summary>
    /// Packs <paramref name="weights"/> [Groups·ChannelsPerGroup][K] (a convolution's [OC][KH][KW][ICg], the .edge layout,
    /// or a GEMM's [OC][K]), every value in [−127, 127], and folds <paramref name="inputZeroPoint"/> into
    /// <paramref name="bias"/> ([OC] or empty for zeros).
    /// </summary>
    public static GemmPanels Pack(ReadOnlySpan<sbyte> weights, int groups, int channelsPerGroup, int k, ReadOnlySpan<int> bias, int inputZeroPoint)
    {
        int channels = groups * channelsPerGroup;
        Guard.SameLength(weights.Length, channels * k, $"weights for {channels} rows of {k}");
        PackedWeights.CheckSymmetric(weights);
        if (!bias.IsEmpty) Guard.SameLength(bias.Length, channels, "bias");
        int kp = Pad(k), panels = (channelsPerGroup + Width - 1) / Width;
        var data = new AlignedArray<sbyte>(groups * panels * Width * kp);
        var packed = data.Span;
        var folded = new int[groups * panels * Width];
        var vnni = new int[groups * panels * Width];
        for (int g = 0; g < groups; g++)
            for (int n = 0; n < channelsPerGroup; n++)
            {
                int c = g * channelsPerGroup + n, p = n / Width, lane = n % Width;
                int sum = 0;
                for (int i = 0; i < k; i++)
                {
                    sbyte w = weights[c * k + i];
                    sum += w;
                    packed[((g * panels + p) * (kp / 4) + i / 4) * QuadBytes + lane * 4 + i % 4] = w;
                }
                folded[g * panels * Width + n] = unchecked((bias.IsEmpty ? 0 : bias[c]) - inputZeroPoint * sum);
                vnni[g * panels * Width + n] = unchecked(folded[g * panels * Width + n] - 128 * sum);
            }
        return new GemmPanels(data, folded, vnni, groups, channelsPerGroup, k);
    }

    /// <summary>The weight <c>w[channel][k]</c> as given to <see cref="Pack"/> (for the scalar references).</summary>
    public sbyte Weight(int channel, int k)
    {
        int g = channel / ChannelsPerGroup, n = channel % ChannelsPerGroup;
        return Data[((g * PanelsPerGroup + n / Width) * (KPadded / 4) + k / 4) * QuadBytes + n % Width * 4 + k % 4];
    }

    /// <summary>The offset in <see cref="Data"/> of panel <paramref name="panel"/> of group <paramref name="group"/>.</summary>
    public int PanelOffset(int group, int panel) => (group * PanelsPerGroup + panel) * PanelLength;
}
