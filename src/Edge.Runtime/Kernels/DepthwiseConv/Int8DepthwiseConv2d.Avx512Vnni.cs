namespace Edge.Runtime.Kernels.DepthwiseConv;

/// <summary>
/// The depthwise filter on AVX-512 VNNI: the quad rows of DepthwiseQuadRows.cs and the generated kernels of
/// DepthwiseVnniCode.cs, per output row and 16-channel block. Exact: <c>vpdpbusd</c> adds the four u8·s8 products of a
/// quad to its int32 lane without saturation (each at most 255·127), so a pixel's lane ends with
/// <c>Σ_t (x_t + 128)·w_t = Σ_t x_t·w_t + 128·Σ_t w_t</c> modulo 2^32 — the taps past KW in a quad meet weight 0 — and
/// <see cref="VnniBias"/> (<c>bias − zp_x·Σw − 128·Σw</c>) makes it the contract's accumulator, as the other SIMD paths'
/// folded bias does (padding taps read zp_x + 128). The stage is the short one (every block's multipliers below 1/4 or
/// zero, <see cref="DepthwiseShortStage.Fits"/>): layers with a larger multiplier take the AVX2 path.
/// </summary>
public sealed partial class Int8DepthwiseConv2d
{
    /// <summary>The VNNI path's vpermt2d index of the short stage: the high dwords of the even (0–15) and odd (16–31) products.</summary>
    private static readonly int[] HighDwords = [1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31];

    /// <summary>The VNNI path's quad rows, where this process runs the generated kernels and the layer suits them; else null.</summary>
    internal DepthwiseQuadRows? QuadRows { get; private set; }

    /// <summary>With <see cref="QuadRows"/>: <c>[BlockChannels / 16][KH][Q][16 channels][4 taps]</c>, zeros past KW and C.</summary>
    internal sbyte[] QuadWeights { get; private set; } = [];

    /// <summary>With <see cref="QuadRows"/>: <see cref="FoldedBias"/> less 128·Σw per channel (wrapping).</summary>
    internal int[] VnniBias { get; private set; } = [];

    /// <summary>With <see cref="QuadRows"/>: per channel (padded as the short tables), the rounding add with the zero point folded in, <c>2^(s−1) + zp·2^s</c>.</summary>
    internal int[] VnniAdd { get; private set; } = [];

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
    /// kernels and has AVX-512 VBMI (the quad rows' <c>vpermt2b</c>), the filter fits a kernel, every block takes the short
    /// stage, and the zero point folds into the rounding add without leaving int32.
    /// </summary>
    private unsafe void PrepareVnni(DepthwiseShortStage stage)
    {
        if (!DepthwiseVnniCode.IsSupported || !System.Runtime.Intrinsics.X86.Avx512Vbmi.IsSupported || !DepthwiseQuadRows.Fits(Shape)) return;
        if (Array.IndexOf(stage.Fits, false) >= 0) return;
        var (_, add, shift) = Output.ShortTables;
        var vnniAdd = new int[add.Length];
        for (int ch = 0; ch < add.Length; ch++)
        {
            // |h| ≤ 2^30 for the high dword h of acc·M (|acc| ≤ 2^31, 0 ≤ M < 2^31): h + add stays in int32 when |add| < 2^30.
            long folded = add[ch] + ((long)Output.OutputZeroPoint << shift[ch]);
            if (ch < Channels && Math.Abs(folded) >= 1L << 30) return;
            vnniAdd[ch] = (int)Math.Clamp(folded, int.MinValue, int.MaxValue);
        }
        var clamp = Output.Clamp;
        bool low = clamp.Min > sbyte.MinValue, high = clamp.Max < sbyte.MaxValue;
        int group = VnniGroup(Shape.OutW);
        var kernel = DepthwiseVnniCode.Kernel(new DepthwiseVnniKernel(Shape.Window.KernelH, (Shape.Window.KernelW + 3) / 4, group, low, high));
        if (kernel == null) return;
        _vnniKernel = kernel;
        _vnniGroup = group;
        VnniAdd = vnniAdd;
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
    }

    private static unsafe void VnniRows(Int8DepthwiseConv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch, int begin, int end)
    {
        var rows = op.QuadRows!;
        rows.Reset(scratch);
        var win = op.Shape.Window;
        int c = op.Channels, outW = op.Shape.OutW, kh = win.KernelH, q = rows.Quads, pixelBytes = q * DepthwiseQuadRows.QuadBytes;
        var kernel = op._vnniKernel;
        int group = op._vnniGroup;
        Span<int> offsets = stackalloc int[DepthwiseVnniCode.MaxRows];
        var (multiplier, _, shift) = op.Output.ShortTables;
        var stage = op.Output;
        fixed (byte* window = scratch)
        fixed (sbyte* y = output, w = op.QuadWeights)
        fixed (int* bias = op.VnniBias, pM = multiplier, pAdd = op.VnniAdd, pShift = shift, pIndex = HighDwords)
        {
            DepthwiseVnniArgs args;
            args.Index = pIndex;
            args.ClampMin = stage.Clamp.Min;
            args.ClampMax = stage.Clamp.Max;
            args.Ldc = c;
            for (int row = begin; row < end; row++)
            {
                int pending = rows.Prepare(input, scratch, row, offsets);
                sbyte* yr = y + (nint)row * outW * c;
                for (int b = 0; b < c; b += Block)
                {
                    int block = b / Block;
                    if (pending != 0) rows.BuildBlock(scratch, pending, offsets, block);
                    args.Weights = w + block * kh * pixelBytes;
                    args.Bias = bias + b;
                    args.Multiplier = pM + b;
                    args.Add = pAdd + b;
                    args.Shift = pShift + b;
                    args.Mask = (ushort)((1 << Math.Min(Block, c - b)) - 1);
                    byte* first = window + block * rows.BlockStride;
                    Point(&args, first, offsets, kh, yr + b);
                    args.Groups = outW / group;
                    kernel(&args);
                    if (outW % group != 0)
                    {
                        // The last group shifted back to end at the row's end: it recomputes pixels already stored, with the same bytes.
                        int start = outW - group;
                        Point(&args, first + (nint)start * pixelBytes, offsets, kh, yr + (nint)start * c + b);
                        args.Groups = 1;
                        kernel(&args);
                    }
                }
            }
        }
    }

    /// <summary>Points the kernel's rows at the quads of its first pixel (<paramref name="first"/> + each row's offset) and its output at <paramref name="y"/>.</summary>
    private static unsafe void Point(DepthwiseVnniArgs* args, byte* first, ReadOnlySpan<int> offsets, int kernelH, sbyte* y)
    {
        for (int r = 0; r < kernelH; r++) args->Rows[r] = (long)(first + offsets[r]);
        args->Y = y;
    }
}
