using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.Conv;

/// <summary>
/// Int8 2-D convolution on NHWC tensors, any kernel size, stride, dilation, asymmetric padding and group count
/// (depthwise convolutions with one filter per channel have a faster kernel, <see cref="DepthwiseConv.Int8DepthwiseConv2d"/>,
/// but run correctly here too). Per the contract:
/// <c>acc[o] = bias[o] + Σ (x − zp_x)·w[o]</c> over the window and the group's input channels, padding contributing
/// nothing; <c>y[o] = clamp(requantize(acc[o], M[o], n[o]) + zp_out, q_min, q_max)</c>.
/// <para>
/// An instance holds the prepared parameters (built once, at load, by <see cref="Prepare"/>): the shape, the weights packed
/// [OC][Kp] (see <see cref="PackedWeights"/>), the bias as given and with <c>−zp_x·Σw</c> folded in, and the output stage.
/// The static <c>Run</c> methods allocate nothing.
/// </para>
/// </summary>
public sealed partial class Int8Conv2d
{
    private Int8Conv2d(Conv2dShape shape, PackedWeights weights, int[] bias, int[] foldedBias, int inputZeroPoint, OutputStage output)
    {
        (Shape, Weights, Bias, FoldedBias, InputZeroPoint, Output) = (shape, weights, bias, foldedBias, inputZeroPoint, output);
        var w = shape.Window;
        // A 1×1, unpadded, ungrouped convolution whose channel count fills whole vectors reads each input pixel in place.
        ReadsPixelsInPlace = shape.Group == 1 && w.KernelH == 1 && w.KernelW == 1 && weights.RowLength == shape.InChannels
            && w.PadTop == 0 && w.PadLeft == 0 && w.PadBottom == 0 && w.PadRight == 0;
        if (!ReadsPixelsInPlace) RowShuffles = BuildRowShuffles(shape, weights.RowLength);
    }

    public Conv2dShape Shape { get; }
    public int InputZeroPoint { get; }
    public OutputStage Output { get; }

    /// <summary>
    /// Scratch bytes <see cref="RunVector128"/> and <see cref="RunAvx2"/> need: one gathered window (Kp int8) and 16 bytes
    /// of slack for its whole-vector copies, or none.
    /// </summary>
    public int ScratchLength => ReadsPixelsInPlace ? 0 : Weights.RowLength + GatherSlack;

    internal PackedWeights Weights { get; }
    internal int[] Bias { get; }
    internal int[] FoldedBias { get; }
    internal bool ReadsPixelsInPlace { get; }

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
        var w = PackedWeights.FromRows(weights, shape.OutChannels, shape.KernelLength);
        return new Int8Conv2d(shape, w, PackedWeights.CopyBias(bias, shape.OutChannels), w.FoldBias(bias, inputZeroPoint), inputZeroPoint, output);
    }

    /// <summary>Runs <paramref name="path"/> (falling back to the next narrower path where it is not accelerated).</summary>
    public static void Run(Int8Conv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch, KernelPath path)
    {
        switch (KernelPaths.AtMost(path, KernelPath.Avx2))
        {
            case KernelPath.Avx2: RunAvx2(op, input, output, scratch); break;
            case KernelPath.Vector128: RunVector128(op, input, output, scratch); break;
            default: RunScalar(op, input, output, scratch); break;
        }
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
        int icg = s.InChannelsPerGroup, ocg = s.OutChannelsPerGroup, kp = op.Weights.RowLength;
        var w = op.Weights.Data;
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
                                int w0 = oc * kp + (kh * win.KernelW + kw) * icg;
                                for (int ic = 0; ic < icg; ic++)
                                    acc += (input[x0 + ic] - op.InputZeroPoint) * w[w0 + ic];
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
