using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.DepthwiseConv;

/// <summary>
/// Int8 depthwise 2-D convolution on NHWC tensors: one KH×KW filter per channel (Group == InChannels == OutChannels,
/// a channel multiplier of 1), any stride, dilation and asymmetric padding. A per-channel affine (a BatchNorm with
/// nothing to fold into, a Mul by a per-channel constant) is the 1×1 case. Per the contract:
/// <c>acc[c] = bias[c] + Σ (x[c] − zp_x)·w[c]</c> over the window's taps on real input, then the output stage.
/// <para>
/// Packing, once at load. The reference reads <see cref="Weights"/>, the .edge weight [C][KH][KW][1] as <c>[KH·KW][C]</c>.
/// The SIMD paths (DepthwiseRows.cs) work on channels padded to <see cref="BlockChannels"/> (a multiple of 16, the extra
/// weights 0) and read the input through zero-point-padded rows, so every tap of every pixel is a real load and the
/// zero point folds into the bias: <see cref="FoldedBias"/><c>[c] = bias[c] − zp_x·Σ_t w[t][c]</c>. Then
/// <c>Σ_t (x_t − zp_x)·w_t = Σ_t x_t·w_t − zp_x·Σ_t w_t</c>, and a padding tap reads x = zp_x, adding
/// <c>zp_x·w − zp_x·w = 0</c>: the same accumulator as the contract's, modulo 2^32 (int32 addition wraps, and both sides are
/// sums of the same exact products). <see cref="PaddedWeights"/> is <c>[KH·KW][BlockChannels]</c> (Vector128, AdvSimd);
/// <see cref="PairWeights"/> holds taps in pairs for x86's <c>vpmaddwd</c>: per block of 16 channels and pair p (taps 2p,
/// 2p+1; a lone last tap pairs with weight 0), 32 int16 <c>[w_2p[c], w_2p+1[c]]</c> for c = 0..15 of the block.
/// </para>
/// </summary>
public sealed partial class Int8DepthwiseConv2d
{
    /// <summary>The SIMD paths' channel block: channels are padded to a multiple of it.</summary>
    internal const int Block = 16;

    private Int8DepthwiseConv2d(Conv2dShape shape, sbyte[] weights, int[] bias, int inputZeroPoint, OutputStage output)
    {
        (Shape, Weights, Bias, InputZeroPoint, Output) = (shape, weights, bias, inputZeroPoint, output);
        int c = shape.InChannels, taps = Taps;
        BlockChannels = (c + Block - 1) / Block * Block;
        Pairs = (taps + 1) / 2;
        PaddedWeights = new sbyte[taps * BlockChannels];
        PaddedWeights16 = new short[taps * BlockChannels];
        FoldedBias = new int[BlockChannels];
        PairWeights = new short[BlockChannels / Block * Pairs * 2 * Block];
        for (int ch = 0; ch < c; ch++)
        {
            int sum = 0;
            for (int t = 0; t < taps; t++)
            {
                sbyte w = weights[t * c + ch];
                sum += w;
                PaddedWeights[t * BlockChannels + ch] = w;
                PaddedWeights16[t * BlockChannels + ch] = w;
                int b = ch / Block, p = t / 2;
                PairWeights[((b * Pairs + p) * Block + ch % Block) * 2 + t % 2] = w;
            }
            FoldedBias[ch] = unchecked(bias[ch] - inputZeroPoint * sum);
        }
        Rows = new DepthwiseRows(shape, BlockChannels);
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported && DepthwisePairRows.Fits(shape))
        {
            PairRows = new DepthwisePairRows(shape, BlockChannels, inputZeroPoint);
            RowPairWeights = new short[BlockChannels * 3 * 2 * 2];
            for (int ch = 0; ch < c; ch++)
                for (int kh = 0; kh < 3; kh++)
                    for (int kw = 0; kw < 3; kw++)
                        RowPairWeights[((ch / Block * 3 + kh) * 2 + kw / 2) * 2 * Block + ch % Block * 2 + kw % 2] = weights[(kh * 3 + kw) * c + ch];
            ShortStage = new DepthwiseShortStage(output, BlockChannels);
        }
        if (!KeepsAvx2OnVnni)
        {
            PrepareColumns();
            if (Columns is null) PrepareVnni();
        }
    }

    /// <summary>
    /// The AVX2 paths' output stage: <see cref="OutputStage"/>'s eight-lane stage, whose short form (shifts ≥ 33, what
    /// depthwise multipliers below 1/4 have) was first written here; blocks start at even channels below C.
    /// </summary>
    internal OutputStage Avx2Stage => Output;

    public Conv2dShape Shape { get; }
    public int InputZeroPoint { get; }
    public OutputStage Output { get; }

    /// <summary>
    /// Bytes of scratch the SIMD paths need per call: the larger of the zero-point-padded row window (DepthwiseRows.cs) and,
    /// where built, the x86 3×3 paths' widened pair rows (DepthwisePairRows.cs, about 4× the bytes); the reference needs none.
    /// </summary>
    public int ScratchLength => Math.Max(Math.Max(Rows.ScratchLength, PairRows?.ScratchLength ?? 0), QuadRows?.ScratchLength ?? 0);

    /// <summary>[KH·KW][C]: the reference's weights.</summary>
    internal sbyte[] Weights { get; }
    internal int[] Bias { get; }

    public int Channels => Shape.InChannels;

    /// <summary>Taps per filter, KH·KW.</summary>
    internal int Taps => Shape.Window.KernelH * Shape.Window.KernelW;

    /// <summary>C rounded up to a multiple of <see cref="Block"/>.</summary>
    internal int BlockChannels { get; }

    /// <summary>⌈Taps / 2⌉.</summary>
    internal int Pairs { get; }

    /// <summary>[Taps][BlockChannels], zeros past C.</summary>
    internal sbyte[] PaddedWeights { get; }

    /// <summary>[Taps][BlockChannels] as int16 (the Vector128 path's products).</summary>
    internal short[] PaddedWeights16 { get; }

    /// <summary>[BlockChannels / 16][Pairs][16 channels][2 taps] int16.</summary>
    internal short[] PairWeights { get; }

    /// <summary>[BlockChannels]: <c>bias − zp_x·Σw</c> (wrapping), zeros past C.</summary>
    internal int[] FoldedBias { get; }

    internal DepthwiseRows Rows { get; }

    /// <summary>The x86 3×3 paths' widened pair rows (DepthwisePairRows.cs), where the shape fits them; else null.</summary>
    internal DepthwisePairRows? PairRows { get; }

    /// <summary>
    /// With <see cref="PairRows"/>: [BlockChannels / 16][kh 3][pair 2][16 channels][2] int16, pair 0 = <c>[w_kh,0, w_kh,1]</c>,
    /// pair 1 = <c>[w_kh,2, 0]</c> (tap kw = 2 meets its position's first half; the second gets weight 0). Else empty.
    /// </summary>
    internal short[] RowPairWeights { get; } = [];

    /// <summary>With <see cref="PairRows"/>: the output stage's short form in the tables the 3×3 pair path holds in registers.</summary>
    internal DepthwiseShortStage? ShortStage { get; }

    /// <summary>Work items for threads: one per output row, Batch·OutH.</summary>
    public int RowCount => Shape.Batch * Shape.OutH;

    /// <summary>
    /// Prepares a depthwise convolution. <paramref name="shape"/> must be depthwise (<see cref="Conv2dShape.IsDepthwise"/>);
    /// <paramref name="weights"/> is [C][KH][KW][1] (the .edge layout) in [−127, 127]; <paramref name="bias"/> is [C] or empty.
    /// </summary>
    public static Int8DepthwiseConv2d Prepare(Conv2dShape shape, ReadOnlySpan<sbyte> weights, ReadOnlySpan<int> bias, int inputZeroPoint, OutputStage output)
    {
        if (!shape.IsDepthwise) throw new ArgumentException($"{shape} is not depthwise (group must equal the input and output channels)");
        if (inputZeroPoint < sbyte.MinValue || inputZeroPoint > sbyte.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(inputZeroPoint), inputZeroPoint, "the input zero point must be in [−128, 127]");
        int c = shape.InChannels, taps = shape.Window.KernelH * shape.Window.KernelW;
        if (output.Channels != c) throw new ArgumentException($"the output stage has {output.Channels} channels, {shape} has {c}");
        Guard.SameLength(weights.Length, c * taps, $"depthwise weights for {c} channels of {taps} taps");
        // Weights are symmetric, [−127, 127]: the SIMD paths' int16 pair sums (|x·w| ≤ 128·127, two of them ≤ 32512) rely on it.
        int at = weights.IndexOf(sbyte.MinValue);
        if (at >= 0) throw new ArgumentException($"weight {at} is −128; int8 weights are symmetric, in [−127, 127]");
        if (!bias.IsEmpty) Guard.SameLength(bias.Length, c, "bias");
        var packed = new sbyte[taps * c];
        for (int ch = 0; ch < c; ch++)
            for (int t = 0; t < taps; t++)
                packed[t * c + ch] = weights[ch * taps + t];
        return new Int8DepthwiseConv2d(shape, packed, bias.IsEmpty ? new int[c] : bias.ToArray(), inputZeroPoint, output);
    }

    /// <summary>The path <see cref="Run"/> takes for <paramref name="path"/> on this machine.</summary>
    public static KernelPath PathFor(KernelPath path) => KernelPaths.Supported(KernelPaths.BelowVnni(path)) switch
    {
        KernelPath.Avx512BW => KernelPath.Avx512BW,
        KernelPath.AvxVnni or KernelPath.Avx2 => KernelPath.Avx2,
        KernelPath.AdvSimd or KernelPath.AdvSimdDp => KernelPath.AdvSimd,
        var p => p,
    };

    /// <summary>
    /// The path <see cref="Run"/> takes for <paramref name="op"/> on <paramref name="path"/>: the generated VNNI kernels where
    /// <paramref name="path"/> allows them and the layer has their layout (<see cref="Columns"/> or <see cref="QuadRows"/>), else <see cref="PathFor(KernelPath)"/>.
    /// </summary>
    public static KernelPath PathFor(Int8DepthwiseConv2d op, KernelPath path)
        => (op.Columns is not null || op.QuadRows is not null) && KernelPaths.Supported(path) == KernelPath.Avx512Vnni ? KernelPath.Avx512Vnni : PathFor(path);

    /// <summary>Runs <paramref name="path"/> (falling back to the next narrower path where it is not accelerated).</summary>
    public static void Run(Int8DepthwiseConv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch, KernelPath path)
        => RunRows(op, input, output, scratch, path, 0, op.RowCount);

    /// <summary>
    /// Output rows [<paramref name="begin"/>, <paramref name="end"/>) of the whole batch (row r is image r / OutH, row
    /// r % OutH) on <paramref name="path"/>: what one thread runs. Rows are independent, so any split gives the bytes of
    /// <see cref="Run"/>. <paramref name="scratch"/> (<see cref="ScratchLength"/> bytes) is this call's own.
    /// </summary>
    public static void RunRows(Int8DepthwiseConv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch, KernelPath path, int begin, int end)
    {
        var s = op.Shape;
        Guard.Length(input.Length, s.InputLength, "input");
        Guard.Length(output.Length, s.OutputLength, "output");
        if (begin < 0 || end > op.RowCount || begin > end)
            throw new ArgumentOutOfRangeException(nameof(begin), $"rows [{begin}, {end}) of [0, {op.RowCount})");
        var runs = PathFor(op, path);
        if (runs != KernelPath.Scalar) Guard.Length(scratch.Length, op.ScratchLength, "depthwise scratch");
        switch (runs)
        {
            case KernelPath.Avx512Vnni when op.Columns is not null: ColumnRows(op, input, output, scratch, begin, end); break;
            case KernelPath.Avx512Vnni: VnniRows(op, input, output, scratch, begin, end); break;
            case KernelPath.Avx512BW: Avx512Rows(op, input, output, scratch, begin, end); break;
            case KernelPath.Avx2: Avx2Rows(op, input, output, scratch, begin, end); break;
            case KernelPath.AdvSimd: AdvSimdRows(op, input, output, scratch, begin, end); break;
            case KernelPath.Vector128: Vector128Rows(op, input, output, scratch, begin, end); break;
            default: ScalarRows(op, input, output, begin, end); break;
        }
    }

    /// <summary>The scalar reference, the contract written out. <paramref name="scratch"/> is unused.</summary>
    public static void RunScalar(Int8DepthwiseConv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch)
    {
        var s = op.Shape;
        Guard.Length(input.Length, s.InputLength, "input");
        Guard.Length(output.Length, s.OutputLength, "output");
        ScalarRows(op, input, output, 0, op.RowCount);
    }

    private static void ScalarRows(Int8DepthwiseConv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, int begin, int end)
    {
        var s = op.Shape;
        var win = s.Window;
        int channels = op.Channels;
        for (int row = begin; row < end; row++)
        {
            int n = row / s.OutH, oh = row % s.OutH;
            for (int ow = 0; ow < s.OutW; ow++)
                for (int c = 0; c < channels; c++)
                {
                    int acc = op.Bias[c];
                    for (int kh = 0; kh < win.KernelH; kh++)
                    {
                        int ih = oh * win.StrideH - win.PadTop + kh * win.DilationH;
                        if (ih < 0 || ih >= s.InH) continue;
                        for (int kw = 0; kw < win.KernelW; kw++)
                        {
                            int iw = ow * win.StrideW - win.PadLeft + kw * win.DilationW;
                            if (iw < 0 || iw >= s.InW) continue;
                            int x = input[((n * s.InH + ih) * s.InW + iw) * channels + c];
                            acc += (x - op.InputZeroPoint) * op.Weights[(kh * win.KernelW + kw) * channels + c];
                        }
                    }
                    output[((n * s.OutH + oh) * s.OutW + ow) * channels + c] = op.Output.Apply(acc, c);
                }
        }
    }

    public override string ToString() => $"Int8DepthwiseConv2d {Shape} zp_x {InputZeroPoint}, {Output}";
}
