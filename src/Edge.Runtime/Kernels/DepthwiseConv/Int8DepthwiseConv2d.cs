using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels.Conv;

namespace Edge.Runtime.Kernels.DepthwiseConv;

/// <summary>
/// Int8 depthwise 2-D convolution on NHWC tensors: one KH×KW filter per channel (Group == InChannels == OutChannels,
/// a channel multiplier of 1), any stride, dilation and asymmetric padding. A per-channel affine (a BatchNorm with
/// nothing to fold into, a Mul by a per-channel constant) is the 1×1 case. Per the contract:
/// <c>acc[c] = bias[c] + Σ (x[c] − zp_x)·w[c]</c> over the window's taps on real input, then the output stage.
/// <para>
/// Packing: the .edge weight [C][KH][KW][1] becomes <c>[KH][KW][C]</c>, so a tap's weights for consecutive channels
/// are contiguous, as the input's channels are (NHWC). The bias is used as given (no fold: the kernel subtracts zp_x).
/// </para>
/// </summary>
public sealed partial class Int8DepthwiseConv2d
{
    private Int8DepthwiseConv2d(Conv2dShape shape, sbyte[] weights, int[] bias, int inputZeroPoint, OutputStage output)
        => (Shape, Weights, Bias, InputZeroPoint, Output) = (shape, weights, bias, inputZeroPoint, output);

    public Conv2dShape Shape { get; }
    public int InputZeroPoint { get; }
    public OutputStage Output { get; }

    /// <summary>The kernel needs no scratch.</summary>
    public int ScratchLength => 0;

    /// <summary>[KH][KW][C].</summary>
    internal sbyte[] Weights { get; }
    internal int[] Bias { get; }

    public int Channels => Shape.InChannels;

    /// <summary>
    /// Prepares a depthwise convolution. <paramref name="shape"/> must be depthwise (<see cref="Conv2dShape.IsDepthwise"/>);
    /// <paramref name="weights"/> is [C][KH][KW][1] (the .edge layout) in [−127, 127]; <paramref name="bias"/> is [C] or empty.
    /// </summary>
    public static Int8DepthwiseConv2d Prepare(Conv2dShape shape, ReadOnlySpan<sbyte> weights, ReadOnlySpan<int> bias, int inputZeroPoint, OutputStage output)
    {
        if (!shape.IsDepthwise) throw new ArgumentException($"{shape} is not depthwise (group must equal the input and output channels)");
        Int8Conv2d.CheckZeroPoint(inputZeroPoint);
        int c = shape.InChannels, taps = shape.Window.KernelH * shape.Window.KernelW;
        if (output.Channels != c) throw new ArgumentException($"the output stage has {output.Channels} channels, {shape} has {c}");
        Guard.SameLength(weights.Length, c * taps, $"depthwise weights for {c} channels of {taps} taps");
        PackedWeights.CheckSymmetric(weights);
        var packed = new sbyte[taps * c];
        for (int ch = 0; ch < c; ch++)
            for (int t = 0; t < taps; t++)
                packed[t * c + ch] = weights[ch * taps + t];
        return new Int8DepthwiseConv2d(shape, packed, PackedWeights.CopyBias(bias, c), inputZeroPoint, output);
    }

    /// <summary>Runs <paramref name="path"/> (falling back to the next narrower path where it is not accelerated).</summary>
    public static void Run(Int8DepthwiseConv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch, KernelPath path)
    {
        switch (KernelPaths.AtMost(path, KernelPath.Avx2))
        {
            case KernelPath.Avx2: RunAvx2(op, input, output, scratch); break;
            case KernelPath.Vector128: RunVector128(op, input, output, scratch); break;
            default: RunScalar(op, input, output, scratch); break;
        }
    }

    /// <summary>The scalar reference, the contract written out. <paramref name="scratch"/> is unused.</summary>
    public static void RunScalar(Int8DepthwiseConv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch)
    {
        var s = op.Shape;
        var win = s.Window;
        Guard.Length(input.Length, s.InputLength, "input");
        Guard.Length(output.Length, s.OutputLength, "output");
        int channels = op.Channels;
        for (int n = 0; n < s.Batch; n++)
            for (int oh = 0; oh < s.OutH; oh++)
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

    public override string ToString() => $"Int8DepthwiseConv2d {Shape} zp_x {InputZeroPoint}, {Output}";
}
