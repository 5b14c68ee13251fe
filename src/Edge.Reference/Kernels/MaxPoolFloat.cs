namespace Edge.Reference.Kernels;

/// <summary>
/// 2-D max pooling of each plane, with PyTorch's semantics: padding never wins (only taps on real input are
/// compared), dilation spaces the taps, ceil mode only changes the output size (computed by the IR), and a NaN
/// in the window propagates to the output.
/// </summary>
public static class MaxPoolFloat
{
    public static void Run(in PoolShape s, ReadOnlySpan<float> input, Span<float> output)
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
                for (int ow = 0; ow < s.OutW; ow++)
                {
                    var (j0, j1) = s.RealTapsW(ow);
                    int w0 = ow * win.StrideW - win.PadLeft;
                    float max = float.NegativeInfinity;
                    for (int i = i0; i < i1; i++)
                    {
                        var row = x.Slice((h0 + i * win.DilationH) * s.InW, s.InW);
                        for (int j = j0; j < j1; j++)
                        {
                            float v = row[w0 + j * win.DilationW];
                            if (v > max || float.IsNaN(v)) max = v;
                        }
                    }
                    y[oh * s.OutW + ow] = max;
                }
            }
        }
    }
}
