using System.Numerics;

namespace Edge.Runtime.Kernels.Pool;

/// <summary>
/// The max-pooling loop shared by <see cref="Int8MaxPool"/> and <see cref="Float.FloatMaxPool"/>: NHWC, only taps on
/// real input compete (padding never wins), a window with no real tap keeps the lowest value given.
/// <c>T.Max</c> propagates NaN for floats, as <c>MathF.Max</c> does.
/// </summary>
internal static class MaxPoolLoop
{
    public static void Run<T>(Pool2dShape s, ReadOnlySpan<T> input, Span<T> output, T lowest) where T : INumber<T>
        => Run(s, input, output, lowest, 0, s.Batch * s.OutH);

    /// <summary>Output rows [<paramref name="begin"/>, <paramref name="end"/>), counted across the batch.</summary>
    public static void Run<T>(Pool2dShape s, ReadOnlySpan<T> input, Span<T> output, T lowest, int begin, int end) where T : INumber<T>
    {
        var win = s.Window;
        Guard.Length(input.Length, s.InputLength, "input");
        Guard.Length(output.Length, s.OutputLength, "output");
        for (int r = begin; r < end; r++)
            {
                int n = r / s.OutH, oh = r % s.OutH;
                var (i0, i1) = s.RealTapsH(oh);
                int ih0 = oh * win.StrideH - win.PadTop;
                for (int ow = 0; ow < s.OutW; ow++)
                {
                    var (j0, j1) = s.RealTapsW(ow);
                    int iw0 = ow * win.StrideW - win.PadLeft;
                    var y = output.Slice(((n * s.OutH + oh) * s.OutW + ow) * s.Channels, s.Channels);
                    y.Fill(lowest);
                    for (int i = i0; i < i1; i++)
                        for (int j = j0; j < j1; j++)
                        {
                            int pixel = (n * s.InH + ih0 + i * win.DilationH) * s.InW + iw0 + j * win.DilationW;
                            var x = input.Slice(pixel * s.Channels, s.Channels);
                            for (int c = 0; c < s.Channels; c++) y[c] = T.Max(y[c], x[c]);
                        }
                }
            }
    }
}
