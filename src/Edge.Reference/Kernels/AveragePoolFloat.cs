namespace Edge.Reference.Kernels;

/// <summary>
/// 2-D average pooling of each plane: the sum over the taps that land on real input, divided by PyTorch's divisor.
/// <para>
/// Divisor rule (PyTorch's <c>avg_pool2d</c>, generalized to ONNX's asymmetric pads and dilation by counting taps):
/// with <c>countIncludePad</c>, the taps inside the <em>padded</em> input, i.e. the window clipped to
/// [−padBegin, in + padEnd) — zero padding counts, but the part of a ceil-mode window hanging past the end padding
/// does not; without it, only the taps on real input. Along each axis that is a count of taps, and the divisor is
/// the product of the two counts. Example: input width 6, kernel 3, stride 2, pad 1, ceil mode: the last window covers
/// columns 5, 6, 7 — column 5 is real, 6 is padding, 7 is past the padding — so it divides by 2 with
/// count_include_pad and by 1 without.
/// </para>
/// </summary>
public static class AveragePoolFloat
{
    public static void Run(in PoolShape s, bool countIncludePad, ReadOnlySpan<float> input, Span<float> output)
    {
        s.Check(input.Length, output.Length);
        var win = s.Window;
        for (int p = 0; p < s.Planes; p++)
        {
            var x = input.Slice(p * s.InH * s.InW, s.InH * s.InW);
            var y = output.Slice(p * s.OutH * s.OutW, s.OutH * s.OutW);
            for (int oh = 0; oh < s.OutH; oh++)
            {
                var (i0, i1) = s.RealTapsH(oh);
                int h0 = oh * win.StrideH - win.PadTop;
                int countH = countIncludePad ? PaddedTaps(win.KernelH, win.DilationH, oh * win.StrideH, win.PadTop + s.InH + win.PadBottom) : i1 - i0;
                for (int ow = 0; ow < s.OutW; ow++)
                {
                    var (j0, j1) = s.RealTapsW(ow);
                    int w0 = ow * win.StrideW - win.PadLeft;
                    int countW = countIncludePad ? PaddedTaps(win.KernelW, win.DilationW, ow * win.StrideW, win.PadLeft + s.InW + win.PadRight) : j1 - j0;
                    float sum = 0f;
                    for (int i = i0; i < i1; i++)
                    {
                        var row = x.Slice((h0 + i * win.DilationH) * s.InW, s.InW);
                        for (int j = j0; j < j1; j++) sum += row[w0 + j * win.DilationW];
                    }
                    y[oh * s.OutW + ow] = sum / (countH * countW);
                }
            }
        }
    }

    /// <summary>Taps of a window starting at <paramref name="start"/> (in padded coordinates) that lie before <paramref name="paddedLength"/>.</summary>
    private static int PaddedTaps(int kernel, int dilation, int start, int paddedLength)
    {
        var (lo, hi) = IndexRange.Inside(kernel, dilation, start, paddedLength);
        return hi - lo;
    }
}
