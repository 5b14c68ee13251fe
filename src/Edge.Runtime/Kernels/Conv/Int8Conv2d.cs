using System.Runtime.InteropServices;
using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels.Gemm;

namespace Edge.Runtime.Kernels.Conv;

/// <summary>
/// Int8 2-D convolution on NHWC tensors, any kernel size, stride, dilation, asymmetric padding and group count
/// (depthwise convolutions with one filter per channel have a faster kernel, <see cref="DepthwiseConv.Int8DepthwiseConv2d"/>,
/// but run correctly here too). Per the contract:
/// <c>acc[o] = bias[o] + Σ (x − zp_x)·w[o]</c> over the window and the group's input channels, padding contributing
/// nothing; <c>y[o] = clamp(requantize(acc[o], M[o], n[o]) + zp_out, q_min, q_max)</c>.
/// <para>
/// An instance holds the prepared parameters (built once, at load, by <see cref="Prepare"/>): the shape, the weights packed
/// into the GEMM engine's panels with <c>−zp_x·Σw</c> folded into the bias (<see cref="GemmPanels"/>), the bias as given,
/// and the output stage. The SIMD paths are one GEMM per group, <c>[output pixels][K] · [channels][K]ᵀ</c>, on the register
/// tiles of <see cref="Int8GemmTile"/>: a 1×1, stride-1, unpadded, ungrouped convolution reads its pixels in place; any
/// other gathers each tile's windows into an im2col block in scratch (Int8Conv2d.Im2col.cs), except that on x86 a shallow
/// input (first layers on 1–4 channels) runs the direct kernel of <see cref="DirectPairs"/> (or with one input channel and
/// few output channels <see cref="DirectPixelLanesAvx2"/>), a 3×3 stride-1 convolution on 16–2048 channels on the AVX2
/// path runs Winograd's F(2×2, 3×3) in exact integers (<see cref="WinogradF2x3Avx2"/>), and on the AVX-512 VNNI path
/// the direct kernels of <see cref="DirectVnni"/> or, for few output channels, <see cref="DirectPixelLanes"/>. The static <c>Run</c>
/// methods allocate nothing.
/// </para>
/// </summary>
public sealed partial class Int8Conv2d
{
    private Int8Conv2d(Conv2dShape shape, GemmPanels panels, int[] bias, int inputZeroPoint, OutputStage output)
    {
        (Shape, Panels, Bias, InputZeroPoint, Output) = (shape, panels, bias, inputZeroPoint, output);
        var w = shape.Window;
        ReadsPixelsInPlace = shape.Group == 1 && w.KernelH == 1 && w.KernelW == 1 && w.StrideH == 1 && w.StrideW == 1
            && w.PadTop == 0 && w.PadLeft == 0 && w.PadBottom == 0 && w.PadRight == 0;
        GatherLength = (shape.KernelLength + 15) & ~15;
        if (!ReadsPixelsInPlace)
        {
            BlockRows = BlockRowsFor(shape, RowStride);
            RowWindow = new ConvRowWindow(shape, (BlockRows * RowStride + 63) & ~63, BlockRows);
            int rowStep = w.DilationH * RowWindow.RowStride;
            Shuffles = ShufflePlan.For(shape, GatherLength, rowStep);
            bool contiguous = shape.Group == 1 && w.DilationW == 1;
            Copies = contiguous
                ? new WindowCopies(w.KernelH, rowStep, 1, w.KernelW * shape.InChannels, 0)
                : new WindowCopies(w.KernelH, rowStep, w.KernelW, shape.InChannelsPerGroup, w.DilationW * shape.InChannels);
            // The VNNI path runs one direct kernel: pixels in the lanes where they suit, else DirectVnni (whose repacked
            // weights are then not built for nothing). The pixel lanes run many output rows per call where the window holds
            // the whole padded image (a small one: LeNet's 32 rows of 64 bytes), so the window is made that large for them.
            PixelLanes = DirectPixelLanes.For(shape, panels, output, RowWindow);
            if (PixelLanes is not null && PixelLanes.WantsImageWindow(RowWindow))
            {
                RowWindow = new ConvRowWindow(shape, RowWindow.Offset, shape.OutH * shape.OutW);
                PixelLanes = DirectPixelLanes.For(shape, panels, output, RowWindow);
            }
            Vnni = PixelLanes is null ? DirectVnni.For(shape, panels, bias, inputZeroPoint, RowWindow) : null;
            // The same for the VNNI direct convolution's tiles (one call per tile column of a run of rows).
            if (Vnni is not null && DirectVnni.WantsImageWindow(RowWindow))
                RowWindow = new ConvRowWindow(shape, RowWindow.Offset, shape.OutH * shape.OutW);
            Direct = DirectPairs.For(shape, panels, RowWindow);
            PixelLanesAvx2 = DirectPixelLanesAvx2.For(shape, panels, output, RowWindow);
            Winograd = WinogradF2x3Avx2.For(shape, panels, RowWindow.End);
        }
        // The shapes the Winograd kernel takes split by tile rows (on every machine, so the split depends on the shape only).
        Work = GemmWork.For(shape.Batch * shape.OutH * shape.OutW, panels.PanelsPerGroup, splitPanels: true,
            WinogradF2x3Avx2.Suits(shape) ? WinogradF2x3Avx2.RowsPerItem(shape) : GemmWork.DefaultRowsPerItem);
    }

    public Conv2dShape Shape { get; }
    public int InputZeroPoint { get; }
    public OutputStage Output { get; }

    /// <summary>
    /// Scratch bytes the SIMD paths need (per worker, for <see cref="RunRange"/>): an im2col block of up to eight windows
    /// (each K rounded up to 16, plus 16 bytes of slack for whole-vector copies) and the padded row window
    /// (<see cref="ConvRowWindow"/>), and for a shallow input the widened rows of <see cref="DirectPairs"/>; or for an
    /// in-place convolution up to eight pixels copied where a tile's reads would pass the end of the input; for the
    /// Winograd kernel its transformed input and sums (<see cref="WinogradF2x3Avx2.End"/>). The scalar
    /// reference needs none.
    /// </summary>
    public int ScratchLength => Math.Max(Math.Max(Math.Max(Direct?.End ?? RowWindow?.End ?? Int8GemmTile.MaxRows * RowStride, PixelLanes?.End ?? 0),
        PixelLanesAvx2?.End ?? 0), Winograd?.End ?? 0);

    /// <summary>Work items for <see cref="RunRange"/>: blocks of output pixels × blocks of 16-channel panels (<see cref="GemmWork"/>).</summary>
    public int WorkItems => Work.Items;

    internal GemmPanels Panels { get; }
    internal int[] Bias { get; }
    internal bool ReadsPixelsInPlace { get; }

    /// <summary>Pixels per im2col block (<see cref="BlockRowsFor"/>): up to 64 for an ungrouped convolution, 8 for a grouped one.</summary>
    internal int BlockRows { get; } = Int8GemmTile.MaxRows;
    internal GemmWork Work { get; }

    /// <summary>The padded input rows the im2col windows are read from; null for an in-place convolution.</summary>
    internal ConvRowWindow? RowWindow { get; }

    /// <summary>The direct kernel of shallow inputs (1–4 channels, KW·C ≤ 16) on the x86 paths, or null.</summary>
    internal DirectPairs? Direct { get; }

    /// <summary>The direct convolution with pixels in the lanes on AVX2 (one input channel, few output channels, <see cref="DirectPixelLanesAvx2.For"/>), or null.</summary>
    internal DirectPixelLanesAvx2? PixelLanesAvx2 { get; }

    /// <summary>The 3×3 stride-1 convolution by Winograd's F(2×2, 3×3), exact, on AVX2 (<see cref="WinogradF2x3Avx2.For"/>), or null.</summary>
    internal WinogradF2x3Avx2? Winograd { get; }

    /// <summary>The direct convolution on the AVX-512 VNNI tiles, where this process runs them and the shape suits (<see cref="DirectVnni.For"/>).</summary>
    internal DirectVnni? Vnni { get; }

    /// <summary>The direct convolution with pixels in the lanes (few output channels, <see cref="DirectPixelLanes.For"/>) on the VNNI path, or null.</summary>
    internal DirectPixelLanes? PixelLanes { get; }

    /// <summary>How a window is assembled in registers (short window rows), or null: by <see cref="Copies"/>.</summary>
    internal ShufflePlan? Shuffles { get; }

    internal WindowCopies Copies { get; }

    /// <summary>Bytes of one gathered window: K rounded up to 16 (the shuffled assembly writes whole 16-byte chunks).</summary>
    internal int GatherLength { get; }

    /// <summary>The stride of the im2col block's rows: <see cref="GatherLength"/> and the gather's slack.</summary>
    internal int RowStride => ReadsPixelsInPlace ? Panels.KPadded : GatherLength + GatherSlack;

    /// <summary>
    /// Prepares a convolution. <paramref name="weights"/> is the quantized weight in the .edge layout
    /// [OutChannels][KernelH][KernelW][InChannelsPerGroup] (docs/edge-format.md; the float graph's OIHW permuted), every
    /// value in [−127, 127]; <paramref name="bias"/> is [OutChannels] int32 (or empty for none); <paramref name="output"/>
    /// has one multiplier per output channel.
    /// </summary>
    public static Int8Conv2d Prepare(Conv2dShape shape, ReadOnlySpan<sbyte> weights, ReadOnlySpan<int> bias, int inputZeroPoint, OutputStage output)
    {
        CheckZeroPoint(inputZeroPoint);
        if (output.Channels != shape.OutChannels)
            throw new ArgumentException($"the output stage has {output.Channels} channels, {shape} has {shape.OutChannels}");
        var panels = GemmPanels.Pack(weights, shape.Group, shape.OutChannelsPerGroup, shape.KernelLength, bias, inputZeroPoint);
        return new Int8Conv2d(shape, panels, PackedWeights.CopyBias(bias, shape.OutChannels), inputZeroPoint, output);
    }

    /// <summary>The output pixels (rows) one register tile of <paramref name="path"/> computes at once on this machine (MR).</summary>
    public static int TileRows(KernelPath path) => Int8GemmTile.RowsPerTile(Int8GemmTile.Resolve(path));

    /// <summary>The path <see cref="Run"/> runs for <paramref name="path"/> on this machine.</summary>
    public static KernelPath PathFor(KernelPath path) => Int8GemmTile.Resolve(path);

    /// <summary>
    /// Runs <paramref name="path"/>, or the widest path below it that this machine accelerates (<see cref="PathFor"/>):
    /// Scalar, Vector128, Avx2, Avx512BW, Avx512Vnni (generated tiles), AdvSimd, AdvSimdDp (AvxVnni runs Avx2).
    /// </summary>
    public static void Run(Int8Conv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch, KernelPath path)
    {
        RunRange(op, input, output, scratch, path, 0, op.WorkItems);
    }

    /// <summary>
    /// Work items [<paramref name="begin"/>, <paramref name="end"/>) of <see cref="WorkItems"/> on <paramref name="path"/>
    /// (resolved as in <see cref="Run"/>; the scalar reference runs only all items at once). <paramref name="scratch"/> is
    /// this caller's own, <see cref="ScratchLength"/> bytes.
    /// </summary>
    public static void RunRange(Int8Conv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch, KernelPath path, int begin, int end)
    {
        var s = op.Shape;
        Guard.Length(input.Length, s.InputLength, "input");
        Guard.Length(output.Length, s.OutputLength, "output");
        var resolved = op.Work.BeginRange(path, begin, end, scratch.Length, op.ScratchLength);
        if (resolved == KernelPath.Scalar)
        {
            RunScalar(op, input, output, scratch);
            return;
        }
        var own = scratch[..op.ScratchLength];
        Span<int> tile = stackalloc int[Int8GemmTile.TileInts];
        // The VNNI direct convolution reads its row window as u = x + 128 (what its tiles multiply), written so once per row.
        op.RowWindow?.Reset(own, op.InputZeroPoint, unsigned: resolved == KernelPath.Avx512Vnni && (op.Vnni is not null || op.PixelLanes is not null));
        // One call per row block (GemmWork.Next): with whole panels per item that is one call over all the items' pixel
        // blocks, so output rows are not cut into partial tiles (nor widened again) at the items' boundaries, and the VNNI
        // path runs the call's full tiles in one call of its generated kernel.
        for (int item = begin; item < end;)
        {
            var (m0, m1, p0, p1) = op.Work.Next(ref item, end);
            RunPixels(op, resolved, input[..s.InputLength], output, own, tile, m0, m1, p0, p1);
        }
    }

    /// <summary>Pixels [<paramref name="m0"/>, <paramref name="m1"/>) × panels [<paramref name="p0"/>, <paramref name="p1"/>) on the kernel that suits the shape and the resolved path.</summary>
    private static void RunPixels(Int8Conv2d op, KernelPath resolved, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> own,
        Span<int> tile, int m0, int m1, int p0, int p1)
    {
        var s = op.Shape;
        if (resolved == KernelPath.Avx512Vnni && op.PixelLanes is { } lanes)
            lanes.Run(op, input, output, own, tile, m0, m1);
        else if (resolved == KernelPath.Avx512Vnni && op.Vnni is { } vnni)
            vnni.Run(op, input, output, own, tile, m0, m1, p0, p1);
        else if (op.Winograd is { } winograd && WinogradF2x3Avx2.Runs(resolved))
            winograd.Run(op, input, output, own, m0, m1, p0, p1);
        else if (op.ReadsPixelsInPlace)
            Int8GemmTile.RunInPlaceRows(resolved, op.Panels, op.Output, input, s.InChannels, m0, m1, p0, p1, output, s.OutChannels,
                MemoryMarshal.Cast<byte, sbyte>(own), tile);
        else if (op.PixelLanesAvx2 is { } pairs && DirectPixelLanesAvx2.Runs(resolved))
            pairs.Run(op, input, output, own, m0, m1);
        else if (op.Direct is { } direct && DirectPairs.Runs(resolved))
            direct.Run(op, input, output, own, tile, m0, m1, p0, p1);
        else
            RunIm2col(op, resolved, input, output, own, tile, m0, m1, p0, p1);
    }

    /// <summary>
    /// The scalar reference, the contract written out: for every output element, the sum over the window's taps that land
    /// on real input (padding adds nothing) of <c>(x − zp_x)·w</c>, then the output stage. <paramref name="scratch"/> is unused.
    /// </summary>
    public static void RunScalar(Int8Conv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch)
    {
        var s = op.Shape;
        var win = s.Window;
        Guard.Length(input.Length, s.InputLength, "input");
        Guard.Length(output.Length, s.OutputLength, "output");
        int icg = s.InChannelsPerGroup, ocg = s.OutChannelsPerGroup;
        for (int n = 0; n < s.Batch; n++)
            for (int oh = 0; oh < s.OutH; oh++)
                for (int ow = 0; ow < s.OutW; ow++)
                    for (int oc = 0; oc < s.OutChannels; oc++)
                    {
                        int g = oc / ocg;
                        int acc = op.Bias[oc];
                        for (int kh = 0; kh < win.KernelH; kh++)
                        {
                            int ih = oh * win.StrideH - win.PadTop + kh * win.DilationH;
                            if (ih < 0 || ih >= s.InH) continue;
                            for (int kw = 0; kw < win.KernelW; kw++)
                            {
                                int iw = ow * win.StrideW - win.PadLeft + kw * win.DilationW;
                                if (iw < 0 || iw >= s.InW) continue;
                                int x0 = ((n * s.InH + ih) * s.InW + iw) * s.InChannels + g * icg;
                                int k0 = (kh * win.KernelW + kw) * icg;
                                for (int ic = 0; ic < icg; ic++)
                                    acc += (input[x0 + ic] - op.InputZeroPoint) * op.Panels.Weight(oc, k0 + ic);
                            }
                        }
                        output[((n * s.OutH + oh) * s.OutW + ow) * s.OutChannels + oc] = op.Output.Apply(acc, oc);
                    }
    }

    internal static void CheckZeroPoint(int zeroPoint)
    {
        if (zeroPoint < sbyte.MinValue || zeroPoint > sbyte.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(zeroPoint), zeroPoint, "the input zero point must be in [−128, 127]");
    }

    public override string ToString() => $"Int8Conv2d {Shape} zp_x {InputZeroPoint}, {Output}";
}
