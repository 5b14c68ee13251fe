using Edge.Core.Graph;

namespace Edge.Reference.Kernels;

/// <summary>
/// 2-D convolution (cross-correlation, as PyTorch computes it) of an NCHW batch, with bias and a fused clamp.
/// <para>
/// Depthwise convolutions go to <see cref="DepthwiseConv2dFloat"/>. Everything else is a matrix product per batch item
/// and group, <c>Y[outC, H·W] = W[outC, K] · X[K, H·W]</c> with K = (inChannels / group)·kH·kW, done by
/// <see cref="MatMulFloat"/>. For a 1×1 convolution with stride 1 and no padding the NCHW input already is X; otherwise
/// X is built by im2col: row (c, i, j) of X holds, for every output position, the input value that kernel tap (i, j) of
/// channel c sees there (zero in the padding). Tall outputs are processed in bands of output rows so X stays within
/// <see cref="ColumnBudget"/> floats (a VGG layer at 224×224 would otherwise need 115 MB); banding splits columns,
/// never the k sum, so it does not change any result.
/// </para>
/// </summary>
public static class Conv2dFloat
{
    /// <summary>The largest im2col matrix built at once, in floats (4 MB).</summary>
    public const int ColumnBudget = 1 << 20;

    /// <summary>Scratch floats <see cref="Run"/> needs for <paramref name="s"/> (0 when it needs none).</summary>
    public static int ScratchLength(in ConvShape s) => s.IsDepthwise ? 0 : GroupedScratchLength(s);

    /// <summary>Scratch floats <see cref="RunGrouped"/> needs: one band of image columns, none for a pointwise convolution.</summary>
    public static int GroupedScratchLength(in ConvShape s) => s.IsPointwise ? 0 : s.ReductionLength * BandRows(s) * s.OutW;

    /// <summary>
    /// <c>output = clamp(conv(input, weight) + bias)</c>. <paramref name="bias"/> is [OutChannels] or empty;
    /// <paramref name="scratch"/> holds at least <see cref="ScratchLength"/> floats.
    /// </summary>
    public static void Run(in ConvShape s, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        FusedClamp clamp, Span<float> output, Span<float> scratch)
    {
        if (s.IsDepthwise) DepthwiseConv2dFloat.Run(s, input, weight, bias, clamp, output);
        else RunGrouped(s, input, weight, bias, clamp, output, scratch);
    }

    /// <summary>
    /// The matrix-product path for any group count, depthwise included (<see cref="Run"/> sends depthwise elsewhere;
    /// the tests hold the two paths equal). <paramref name="scratch"/> holds at least <see cref="GroupedScratchLength"/> floats.
    /// </summary>
    public static void RunGrouped(in ConvShape s, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        FusedClamp clamp, Span<float> output, Span<float> scratch)
    {
        Check(s, input.Length, weight.Length, bias.Length, output.Length);
        if (scratch.Length < GroupedScratchLength(s)) throw new ArgumentException($"scratch holds {scratch.Length} floats, {GroupedScratchLength(s)} needed");
        int k = s.ReductionLength, outPerGroup = s.OutChannelsPerGroup, inPerGroup = s.InChannelsPerGroup;
        int inPlane = s.InH * s.InW, outPlane = s.OutH * s.OutW, band = BandRows(s);
        for (int n = 0; n < s.Batch; n++)
        {
            for (int g = 0; g < s.Group; g++)
            {
                var x = input.Slice((n * s.InChannels + g * inPerGroup) * inPlane, inPerGroup * inPlane);
                var w = weight.Slice(g * outPerGroup * k, outPerGroup * k);
                var b = bias.IsEmpty ? bias : bias.Slice(g * outPerGroup, outPerGroup);
                var y = output.Slice((n * s.OutChannels + g * outPerGroup) * outPlane, outPerGroup * outPlane);
                if (s.IsPointwise)
                {
                    MatMulFloat.Multiply(outPerGroup, outPlane, k, w, k, x, inPlane, y, outPlane, b, clamp);
                    continue;
                }
                for (int oh0 = 0; oh0 < s.OutH; oh0 += band)
                {
                    int columns = Math.Min(band, s.OutH - oh0) * s.OutW;
                    var cols = scratch[..(k * columns)];
                    Im2col(x, s, oh0, columns / s.OutW, cols);
                    MatMulFloat.Multiply(outPerGroup, columns, k, w, k, cols, columns, y[(oh0 * s.OutW)..], outPlane, b, clamp);
                }
            }
        }
    }

    /// <summary>Output rows per im2col band.</summary>
    private static int BandRows(in ConvShape s)
        => Math.Clamp(ColumnBudget / Math.Max(1, s.ReductionLength * s.OutW), 1, s.OutH);

    /// <summary>
    /// Image columns of one group's channels <paramref name="x"/> for output rows [oh0, oh0 + rows):
    /// <c>cols[(c·kH + i)·kW + j, (oh − oh0)·OutW + ow] = x[c, oh·sH − padTop + i·dH, ow·sW − padLeft + j·dW]</c>, 0 outside.
    /// </summary>
    private static void Im2col(ReadOnlySpan<float> x, in ConvShape s, int oh0, int rows, Span<float> cols)
    {
        var win = s.Window;
        int columns = rows * s.OutW, row = 0;
        for (int c = 0; c < s.InChannelsPerGroup; c++)
        {
            for (int i = 0; i < win.KernelH; i++)
            {
                for (int j = 0; j < win.KernelW; j++, row++)
                {
                    var dst = cols.Slice(row * columns, columns);
                    int offW = j * win.DilationW - win.PadLeft;
                    var (lo, hi) = IndexRange.Inside(s.OutW, win.StrideW, offW, s.InW);
                    for (int r = 0; r < rows; r++)
                    {
                        var seg = dst.Slice(r * s.OutW, s.OutW);
                        int ih = (oh0 + r) * win.StrideH - win.PadTop + i * win.DilationH;
                        if (ih < 0 || ih >= s.InH || lo == hi)
                        {
                            seg.Clear();
                            continue;
                        }
                        var src = x.Slice((c * s.InH + ih) * s.InW, s.InW);
                        seg[..lo].Clear();
                        seg[hi..].Clear();
                        if (win.StrideW == 1) src.Slice(lo + offW, hi - lo).CopyTo(seg[lo..hi]);
                        else for (int ow = lo; ow < hi; ow++) seg[ow] = src[ow * win.StrideW + offW];
                    }
                }
            }
        }
    }

    internal static void Check(in ConvShape s, int inputLength, int weightLength, int biasLength, int outputLength)
    {
        if (s.Group <= 0 || s.InChannels % s.Group != 0 || s.OutChannels % s.Group != 0)
            throw new ArgumentException($"group {s.Group} must divide {s.InChannels} input and {s.OutChannels} output channels");
        if (inputLength < s.InputLength) throw new ArgumentException($"input holds {inputLength} values, {s} needs {s.InputLength}");
        if (outputLength < s.OutputLength) throw new ArgumentException($"output holds {outputLength} values, {s} needs {s.OutputLength}");
        if (weightLength != s.OutChannels * s.ReductionLength) throw new ArgumentException($"weight holds {weightLength} values, {s} needs {s.OutChannels * s.ReductionLength}");
        if (biasLength != 0 && biasLength != s.OutChannels) throw new ArgumentException($"bias holds {biasLength} values for {s.OutChannels} channels");
    }
}
