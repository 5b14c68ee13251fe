using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.DepthwiseConv;

/// <summary>
/// The depthwise filter of up to four rows on AVX-512 VNNI: the generated column kernels of DepthwiseColumnCode.cs over
/// the zero-point-padded rows of DepthwiseRows.cs, one call per output row over all its groups of 64 channels. Against
/// the quad rows (Int8DepthwiseConv2d.Avx512Vnni.cs, which keeps the taller filters) nothing is built between the
/// input's copy and the kernel: the kernel interleaves a column's rows into quads in registers. The layout here is the
/// kernel's channel order (<see cref="DepthwiseColumnCode.Channel"/>); the accumulator is the quad path's, bias
/// <c>bias − zp_x·Σw − 128·Σw</c>, and so is the stage (<see cref="VnniStageTables"/>, short or long).
/// </summary>
public sealed partial class Int8DepthwiseConv2d
{
    /// <summary>Where this process runs the column kernels and the layer suits them: their tables; else null.</summary>
    internal ColumnTables? Columns { get; private set; }

    /// <summary>The column kernel's weights, biases, stage tables, clamp bytes and masks, in the kernel's channel order.</summary>
    internal sealed unsafe class ColumnTables
    {
        public required sbyte[] Weights { get; init; }
        public required int[] Bias { get; init; }
        public required VnniStageTables Stage { get; init; }
        public required sbyte[] ClampLow { get; init; }
        public required sbyte[] ClampHigh { get; init; }
        public required ulong[] Masks { get; init; }

        /// <summary>One mask: the bytes of a row's last set of pixels that are in the row (<see cref="DepthwiseColumnKernel.TailPartial"/>).</summary>
        public required ulong[] TailMask { get; init; }

        /// <summary>Groups of <see cref="DepthwiseColumnKernel.Pixels"/> sets per output row.</summary>
        public required int PixelGroups { get; init; }
        public required DepthwiseColumnKernel Kernel { get; init; }
        public required delegate* unmanaged[SuppressGCTransition]<DepthwiseColumnArgs*, void> Entry { get; init; }

        /// <summary>Groups of 64 channels.</summary>
        public int Groups => Masks.Length;
    }

    /// <summary>
    /// Builds the column path where it applies (called once from the constructor): this process runs the generated kernels,
    /// the filter has at most four rows, and the output stage fits one of the kernel's two (<see cref="VnniStageTables.For"/>).
    /// </summary>
    private unsafe void PrepareColumns()
    {
        var win = Shape.Window;
        if (!DepthwiseColumnCode.IsSupported || win.KernelH > DepthwiseColumnCode.MaxRows) return;
        int c = Channels, kh = win.KernelH, kw = win.KernelW, outW = Shape.OutW;
        // 16 or 32 channels share a zmm among 4 or 2 pixels; else groups of 64 channels, one pixel per zmm.
        int lanePixels = (c is 16 or 32) && win.StrideW <= 2 && outW >= 64 / c ? 64 / c : 1;
        // A stride-1 layer whose last group would be half empty or worse keeps the quad rows: 14²×96 ran 3.3 µs there and
        // 3.8 here in the MobileNet-style model, 56²×144 the same either way; strided layers gain here whatever the
        // channels (14²×96 s2 2.0 → 1.4 µs), and so do full groups (7²×128 1.55 → 1.13), bench/RESULTS.md.
        if (lanePixels == 1 && win.StrideW == 1 && c % 64 is > 0 and <= 32) return;
        int groups = (c + 63) / 64, positions = 64 * groups;
        var multipliers = new QuantizedMultiplier[positions];
        var none = new QuantizedMultiplier(0, QuantizedMultiplier.MaxShift);
        for (int p = 0; p < positions; p++)
        {
            int ch = DepthwiseColumnCode.Channel(p, lanePixels);
            multipliers[p] = ch < c ? Output.Multipliers[ch] : none;
        }
        bool allShort = Array.TrueForAll(Output.Multipliers, OutputStage.FitsShort);
        var tables = VnniStageTables.For(new OutputStage(multipliers, Output.OutputZeroPoint, Output.Clamp), positions, allShort);
        if (tables is null) return;
        int pixels = Math.Min(DepthwiseColumnCode.MaxPixels, outW / lanePixels), span = pixels * lanePixels;
        int pixelGroups = outW / span, rest = outW - pixelGroups * span, partial = rest % lanePixels;
        var clamp = Output.Clamp;
        var kernel = new DepthwiseColumnKernel(kh, kw, win.StrideW, win.DilationW, BlockChannels, c, pixels, (rest + lanePixels - 1) / lanePixels,
            clamp.Min > sbyte.MinValue, clamp.Max < sbyte.MaxValue, tables.Long, lanePixels, partial != 0);
        var entry = DepthwiseColumnCode.Kernel(kernel);
        if (entry == null) return;
        var weights = new sbyte[groups * kw * 4 * 64];
        var bias = new int[positions];
        for (int p = 0; p < positions; p++)
        {
            int ch = DepthwiseColumnCode.Channel(p, lanePixels);
            if (ch >= c) continue;
            int g = p / 64, j = p % 64 / 16, lane = p % 16, sum = 0;
            for (int r = 0; r < kh; r++)
                for (int t = 0; t < kw; t++)
                {
                    sbyte w = Weights[(r * kw + t) * c + ch];
                    sum += w;
                    weights[(((g * kw + t) * 4 + j) * 16 + lane) * 4 + r] = w;
                }
            bias[p] = unchecked(FoldedBias[ch] - 128 * sum);
        }
        var masks = new ulong[groups];
        for (int g = 0; g < groups; g++)
        {
            int n = lanePixels > 1 ? 64 : Math.Min(64, c - 64 * g);   // several pixels per zmm: every byte is a channel of one
            masks[g] = n == 64 ? ulong.MaxValue : (1UL << n) - 1;
        }
        Columns = new ColumnTables
        {
            Weights = weights, Bias = bias, Stage = tables, Masks = masks, Kernel = kernel, Entry = entry, PixelGroups = pixelGroups,
            TailMask = [partial == 0 ? 0 : (1UL << (partial * c)) - 1],
            ClampLow = Enumerable.Repeat((sbyte)clamp.Min, 64).ToArray(),
            ClampHigh = Enumerable.Repeat((sbyte)clamp.Max, 64).ToArray(),
        };
    }

    private static unsafe void ColumnRows(Int8DepthwiseConv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch, int begin, int end)
    {
        var rows = op.Rows;
        var t = op.Columns!;
        rows.Reset(scratch, op.InputZeroPoint);
        var win = op.Shape.Window;
        int c = op.Channels, outW = op.Shape.OutW, kh = win.KernelH, kw = win.KernelW;
        fixed (byte* window = scratch)
        fixed (sbyte* y = output, w = t.Weights, lo = t.ClampLow, hi = t.ClampHigh)
        fixed (int* bias = t.Bias, pM = t.Stage.Multiplier, pAdd = t.Stage.Add, pShift = t.Stage.Shift, pIndex = t.Stage.Index)
        fixed (ulong* masks = t.Masks, tailMask = t.TailMask)
        {
            // Group 0's pointers and the call's constants; the kernel advances its copy's pointers group by group.
            DepthwiseColumnArgs start = default;
            start.Weights = w;
            start.Bias = bias;
            start.Multiplier = pM;
            start.Add = pAdd;
            start.Shift = pShift;
            start.Index = pIndex;
            start.ClampLow = lo;
            start.ClampHigh = hi;
            start.Masks = masks;
            start.TailMask = tailMask;
            start.Groups = t.PixelGroups;
            start.Blocks = t.Groups;
            start.Flip = unchecked((int)0x80808080);
            for (int row = begin; row < end; row++)
            {
                var taps = rows.Prepare(input, scratch, row);
                var args = start;
                for (int r = 0; r < kh; r++) args.Rows[r] = (long)(window + taps[r * kw]);
                args.Y = y + (nint)row * outW * c;
                t.Entry(&args);
            }
        }
    }
}
