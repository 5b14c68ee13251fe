using System.Runtime.InteropServices;

namespace Edge.Runtime.Kernels.DepthwiseConv;

/// <summary>
/// The depthwise filter on AVX-512 VNNI: the quad rows of DepthwiseQuadRows.cs and the generated kernels of
/// DepthwiseVnniCode.cs, one call per output row over all its 16-channel blocks (the rows it brings in built first). Exact: <c>vpdpbusd</c> adds the four u8·s8 products of a
/// quad to its int32 lane without saturation (each at most 255·127), so a pixel's lane ends with
/// <c>Σ_t (x_t + 128)·w_t = Σ_t x_t·w_t + 128·Σ_t w_t</c> modulo 2^32 — the taps past KW in a quad meet weight 0 — and
/// <see cref="VnniBias"/> (<c>bias − zp_x·Σw − 128·Σw</c>) makes it the contract's accumulator, as the other SIMD paths'
/// folded bias does (padding taps read zp_x + 128). The stage is the short one where every multiplier is below 1/4, else
/// the long one where every multiplier is below 1/2 (<see cref="VnniStageTables"/>); layers with a larger one take the
/// AVX2 path.
/// </summary>
public sealed partial class Int8DepthwiseConv2d
{
    /// <summary>The VNNI path's quad rows, where this process runs the generated kernels and the layer suits them; else null.</summary>
    internal DepthwiseQuadRows? QuadRows { get; private set; }

    /// <summary>With <see cref="QuadRows"/>: <c>[BlockChannels / 16][KH][Q][16 channels][4 taps]</c>, zeros past KW and C.</summary>
    internal sbyte[] QuadWeights { get; private set; } = [];

    /// <summary>With <see cref="QuadRows"/>: <see cref="FoldedBias"/> less 128·Σw per channel (wrapping).</summary>
    internal int[] VnniBias { get; private set; } = [];

    /// <summary>
    /// With <see cref="QuadRows"/>: the output stage's tables in the layout of the generated kernel (<see cref="VnniStageTables"/>):
    /// M per channel (padded by 18: the odd lanes read from the next channel), the rounding add with the zero point folded
    /// in, and the shift.
    /// </summary>
    internal VnniStageTables? VnniTables { get; private set; }

    /// <summary>With <see cref="QuadRows"/>: the generated kernel, and its pixels per group (<see cref="VnniGroup"/>).</summary>
    private unsafe delegate* unmanaged[SuppressGCTransition]<DepthwiseVnniArgs*, void> _vnniKernel;
    private int _vnniGroup;

    /// <summary>
    /// Pixels per group for rows of <paramref name="outW"/> pixels: the row itself up to 8; else the largest P in 8..4 that
    /// divides it (7 for 14, 28; 8 for 56, 112), or 8 with the last group shifted back.
    /// </summary>
    internal static int VnniGroup(int outW)
    {
        if (outW <= DepthwiseVnniCode.MaxGroup) return outW;
        for (int p = DepthwiseVnniCode.MaxGroup; p >= 4; p--)
            if (outW % p == 0) return p;
        return DepthwiseVnniCode.MaxGroup;
    }

    /// <summary>
    /// Builds the VNNI path's layout where it applies (called once from the constructor): this process runs the generated
    /// kernels and has AVX-512 VBMI (the quad rows' <c>vpermt2b</c>), the filter fits a kernel, and the output stage fits
    /// one of the kernel's two (<see cref="VnniStageTables.For"/>).
    /// </summary>
    private unsafe void PrepareVnni()
    {
        if (!DepthwiseVnniCode.IsSupported || !System.Runtime.Intrinsics.X86.Avx512Vbmi.IsSupported || !DepthwiseQuadRows.Fits(Shape)) return;
        bool allShort = Array.TrueForAll(Output.Multipliers, Arithmetic.OutputStage.FitsShort);
        var tables = VnniStageTables.For(Output, BlockChannels, allShort);
        if (tables is null) return;
        var clamp = Output.Clamp;
        bool low = clamp.Min > sbyte.MinValue, high = clamp.Max < sbyte.MaxValue;
        int group = VnniGroup(Shape.OutW);
        var kernel = DepthwiseVnniCode.Kernel(new DepthwiseVnniKernel(Shape.Window.KernelH, (Shape.Window.KernelW + 3) / 4, group, low, high, tables.Long));
        if (kernel == null) return;
        _vnniKernel = kernel;
        _vnniGroup = group;
        VnniTables = tables;
        var win = Shape.Window;
        int c = Channels, kh = win.KernelH, kw = win.KernelW, q = (kw + 3) / 4;
        var weights = new sbyte[BlockChannels * kh * q * 4];
        var bias = new int[BlockChannels];
        for (int ch = 0; ch < c; ch++)
        {
            int sum = 0;
            for (int r = 0; r < kh; r++)
                for (int t = 0; t < kw; t++)
                {
                    sbyte w = Weights[(r * kw + t) * c + ch];
                    sum += w;
                    weights[(((ch / Block * kh + r) * q + t / 4) * Block + ch % Block) * 4 + t % 4] = w;
                }
            bias[ch] = unchecked(FoldedBias[ch] - 128 * sum);
        }
        (QuadWeights, VnniBias, QuadRows) = (weights, bias, new DepthwiseQuadRows(Shape, BlockChannels, InputZeroPoint));
        _vnniMasks = new ushort[BlockChannels / Block];
        for (int b = 0; b < _vnniMasks.Length; b++) _vnniMasks[b] = (ushort)((1 << Math.Min(Block, c - b * Block)) - 1);
    }

    /// <summary>
    /// Whether the layer keeps the AVX2 path on the VNNI path too: strided, below 64 channels, every multiplier on the AVX2
    /// short stage. There the generated kernels' per-row work outweighs their gain: 28²×16 s2 ran 2.3–2.7 µs on AVX2
    /// against 3.0–3.7 on the quad rows and 1.0–1.1 against 1.4 on the column kernels, where with a longer multiplier
    /// (the MobileNet-style model's first depthwise) the quad rows had gained (3.0 → 2.3 µs) and the column kernels gain
    /// (1.97 → 1.52), bench/RESULTS.md.
    /// </summary>
    private bool KeepsAvx2OnVnni => Shape.Window.StrideH > 1 && Channels < 64 && Array.TrueForAll(Output.Multipliers, Arithmetic.OutputStage.FitsShort);

    /// <summary>With <see cref="QuadRows"/>: per block, the channels it stores (all 16 but in a last partial block).</summary>
    private ushort[] _vnniMasks = [];

    private static unsafe void VnniRows(Int8DepthwiseConv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch, int begin, int end)
    {
        var rows = op.QuadRows!;
        rows.Reset(scratch);
        var win = op.Shape.Window;
        int c = op.Channels, outW = op.Shape.OutW, kh = win.KernelH, pixelBytes = rows.Quads * DepthwiseQuadRows.QuadBytes;
        var kernel = op._vnniKernel;
        int group = op._vnniGroup, tail = outW % group == 0 ? -1 : outW - group;
        Span<int> offsets = stackalloc int[DepthwiseVnniCode.MaxRows];
        var tables = op.VnniTables!;
        var stage = op.Output;
        fixed (byte* window = scratch)
        fixed (sbyte* y = output, w = op.QuadWeights)
        fixed (int* bias = op.VnniBias, pM = tables.Multiplier, pAdd = tables.Add, pShift = tables.Shift, pIndex = tables.Index)
        fixed (ushort* masks = op._vnniMasks)
        {
            // Block 0's pointers and the call's constants; the kernel advances its copy's pointers block by block.
            DepthwiseVnniArgs start = default;
            start.Index = pIndex;
            start.ClampMin = stage.Clamp.Min;
            start.ClampMax = stage.Clamp.Max;
            start.Ldc = c;
            start.BlockStride = rows.BlockStride;
            start.Weights = w;
            start.Bias = bias;
            start.Multiplier = pM;
            start.Add = pAdd;
            start.Shift = pShift;
            start.Masks = masks;
            start.Blocks = rows.Blocks;
            for (int row = begin; row < end; row++)
            {
                int pending = rows.Prepare(input, scratch, row, offsets);
                rows.Build(scratch, pending, offsets);
                sbyte* yr = y + (nint)row * outW * c;
                var args = start;
                Point(&args, window, offsets, kh, yr);
                args.Groups = outW / group;
                kernel(&args);
                if (tail >= 0)
                {
                    // The last group shifted back to end at the row's end: it recomputes pixels already stored, with the same bytes.
                    args = start;
                    Point(&args, window + (nint)tail * pixelBytes, offsets, kh, yr + (nint)tail * c);
                    args.Groups = 1;
                    kernel(&args);
                }
            }
        }
    }

    /// <summary>Points the kernel's rows at block 0's quads of its first pixel (<paramref name="first"/> + each row's offset) and its output at <paramref name="y"/>.</summary>
    private static unsafe void Point(DepthwiseVnniArgs* args, byte* first, ReadOnlySpan<int> offsets, int kernelH, sbyte* y)
    {
        for (int r = 0; r < kernelH; r++) args->Rows[r] = (long)(first + offsets[r]);
        args->Y = y;
    }
}

/// <summary>
/// The VNNI depthwise kernels' output stage tables (<see cref="DepthwiseVnniCode"/>), per channel padded to whole blocks.
/// The short stage (every multiplier below 1/4, n ≥ 33: <c>OutputStage</c>'s short form) as int32 lanes: M, the rounding
/// add <c>2^(s−1) + zp·2^s</c> and s = n − 32. The long stage (n ≥ 32: multipliers below 1/2) as the contract's int64
/// arithmetic on the products: per block, the even channels' <c>2^(n−1) + zp·2^n</c> then the odd ones', and n likewise.
/// Folding the zero point in is exact while the sums stay in range, which <see cref="For"/> checks: with <c>|acc| ≤ 2^31</c>
/// and <c>M &lt; 2^31</c>, the short stage's high dword h has <c>|h| ≤ 2^30</c>, so <c>|add| &lt; 2^30</c> keeps h + add in
/// int32; the long stage's product has <c>|P| ≤ 2^62</c>, so n ≤ 54 keeps <c>P + 2^(n−1) + zp·2^n</c> in int64. Either way the
/// requantized value is at most about 2^30 in magnitude (r &lt; 1/2), so adding the zero point cannot wrap int32, as the
/// contract's int64 sum does not.
/// </summary>
internal sealed class VnniStageTables
{
    private static readonly int[] LowDwords = [0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30];

    private VnniStageTables(bool isLong, int[] multiplier, int[] add, int[] shift)
        => (Long, Multiplier, Add, Shift, Index) = (isLong, multiplier, add, shift, isLong ? LowDwords : Gemm.VnniTileCode.HighDwords);

    /// <summary>Whether the tables are the long stage's.</summary>
    public bool Long { get; }

    public int[] Multiplier { get; }

    /// <summary>Short: int32 per channel. Long: int64 per channel as pairs of int32, per block even channels then odd.</summary>
    public int[] Add { get; }

    /// <summary>As <see cref="Add"/>.</summary>
    public int[] Shift { get; }

    /// <summary>The vpermt2d index: the high dwords of the products (short) or the low dwords of the shifted sums (long).</summary>
    public int[] Index { get; }

    /// <summary>
    /// The tables for <paramref name="stage"/> over <paramref name="blockChannels"/> channels: the short stage's where
    /// <paramref name="allShort"/> and the sums fit, else the long stage's where every multiplier is below 1/2 and n ≤ 54, else null.
    /// </summary>
    public static VnniStageTables? For(Arithmetic.OutputStage stage, int blockChannels, bool allShort)
    {
        int channels = stage.Channels, zp = stage.OutputZeroPoint;
        var multiplier = new int[blockChannels + 18];
        for (int c = 0; c < channels; c++) multiplier[c] = stage.Multipliers[c].Multiplier;
        if (allShort)
        {
            var (add, shift) = (new int[blockChannels], new int[blockChannels]);
            bool fits = true;
            for (int c = 0; c < blockChannels && fits; c++)
            {
                var q = c < channels ? stage.Multipliers[c] : default;
                int s = q.Multiplier == 0 ? 1 : q.Shift - 32;
                long folded = (1L << (s - 1)) + ((long)zp << s);
                fits = Math.Abs(folded) < 1L << 30;
                (add[c], shift[c]) = ((int)folded, s);
            }
            if (fits) return new VnniStageTables(false, multiplier, add, shift);
        }
        var (add64, shift64) = (new long[blockChannels], new long[blockChannels]);
        for (int c = 0; c < blockChannels; c++)
        {
            var q = c < channels ? stage.Multipliers[c] : default;
            int n = q.Multiplier == 0 ? 1 : q.Shift;
            if (n is < 32 or > 54 && q.Multiplier != 0) return null;
            // Block b's 16 channels: the even ones' int64 at [b·16, b·16 + 8), the odd ones' at [b·16 + 8, b·16 + 16).
            int at = c / 16 * 16 + c % 2 * 8 + c % 16 / 2;
            (add64[at], shift64[at]) = ((1L << (n - 1)) + ((long)zp << n), n);
        }
        return new VnniStageTables(true, multiplier, MemoryMarshal.Cast<long, int>(add64).ToArray(), MemoryMarshal.Cast<long, int>(shift64).ToArray());
    }
}
