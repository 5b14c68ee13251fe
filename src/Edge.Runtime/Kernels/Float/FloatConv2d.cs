namespace Edge.Runtime.Kernels.Float;

/// <summary>
/// Float32 2-D convolution on NHWC tensors, for nodes the converter keeps in float: any kernel, stride, dilation, padding
/// (zeros) and group count, then the fused clamp. Weights in the .edge layout [OC][KH][KW][IC/group]. Written for
/// clarity: these run only at --keep-float borders.
/// </summary>
public sealed class FloatConv2d
{
    private readonly float[] _weights;
    private readonly float[] _bias;
    private readonly FloatClamp _clamp;

    private FloatConv2d(Conv2dShape shape, float[] weights, float[] bias, FloatClamp clamp)
        => (Shape, _weights, _bias, _clamp) = (shape, weights, bias, clamp);

    public Conv2dShape Shape { get; }

    /// <summary><paramref name="weights"/> is [OC][KH][KW][IC/group], <paramref name="bias"/> [OC] (or empty); the clamp is [min, max].</summary>
    public static FloatConv2d Prepare(Conv2dShape shape, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, float min, float max)
    {
        Guard.SameLength(weights.Length, shape.OutChannels * shape.KernelLength, $"weights for {shape}");
        var b = bias.IsEmpty ? new float[shape.OutChannels] : bias.ToArray();
        Guard.SameLength(b.Length, shape.OutChannels, "bias");
        return new FloatConv2d(shape, weights.ToArray(), b, new FloatClamp(min, max));
    }

    /// <summary><c>y = clamp(bias + Σ x·w)</c> over the window's taps on real input, summed in (kh, kw, ic) order.</summary>
    public static void Run(FloatConv2d op, ReadOnlySpan<float> input, Span<float> output)
    {
        var s = op.Shape;
        var win = s.Window;
        Guard.Length(input.Length, s.InputLength, "input");
        Guard.Length(output.Length, s.OutputLength, "output");
        int icg = s.InChannelsPerGroup, ocg = s.OutChannelsPerGroup, k = s.KernelLength;
        for (int n = 0; n < s.Batch; n++)
            for (int oh = 0; oh < s.OutH; oh++)
                for (int ow = 0; ow < s.OutW; ow++)
                    for (int oc = 0; oc < s.OutChannels; oc++)
                    {
                        int g = oc / ocg;
                        float acc = op._bias[oc];
                        for (int kh = 0; kh < win.KernelH; kh++)
                        {
                            int ih = oh * win.StrideH - win.PadTop + kh * win.DilationH;
                            if (ih < 0 || ih >= s.InH) continue;
                            for (int kw = 0; kw < win.KernelW; kw++)
                            {
                                int iw = ow * win.StrideW - win.PadLeft + kw * win.DilationW;
                                if (iw < 0 || iw >= s.InW) continue;
                                int x0 = ((n * s.InH + ih) * s.InW + iw) * s.InChannels + g * icg;
                                int w0 = oc * k + (kh * win.KernelW + kw) * icg;
                                for (int ic = 0; ic < icg; ic++) acc += input[x0 + ic] * op._weights[w0 + ic];
                            }
                        }
                        output[((n * s.OutH + oh) * s.OutW + ow) * s.OutChannels + oc] = op._clamp.Apply(acc);
                    }
    }

    public override string ToString() => $"FloatConv2d {Shape} clamp {_clamp}";
}
