namespace Edge.Runtime.Kernels.Float;

/// <summary>
/// Float32 2-D average pooling on NHWC tensors: the sum of the real taps over the count the float op divides by (the same
/// count_include_pad rule as <see cref="Pool.Int8AveragePool"/>: padded taps count but add nothing, the part of a
/// ceil-mode window past the end padding does not count). A count of 0 gives NaN, as the float graph does.
/// </summary>
public sealed class FloatAveragePool
{
    private FloatAveragePool(Pool2dShape shape, bool countIncludePad) => (Shape, CountIncludePad) = (shape, countIncludePad);

    public Pool2dShape Shape { get; }
    public bool CountIncludePad { get; }

    public static FloatAveragePool Prepare(Pool2dShape shape, bool countIncludePad) => new(shape, countIncludePad);

    public static void Run(FloatAveragePool op, ReadOnlySpan<float> input, Span<float> output)
    {
        var s = op.Shape;
        var win = s.Window;
        Guard.Length(input.Length, s.InputLength, "input");
        Guard.Length(output.Length, s.OutputLength, "output");
        int paddedH = win.PadTop + s.InH + win.PadBottom, paddedW = win.PadLeft + s.InW + win.PadRight;
        for (int n = 0; n < s.Batch; n++)
            for (int oh = 0; oh < s.OutH; oh++)
            {
                var (i0, i1) = s.RealTapsH(oh);
                int countH = op.CountIncludePad ? Taps(win.KernelH, win.DilationH, oh * win.StrideH, paddedH) : i1 - i0;
                for (int ow = 0; ow < s.OutW; ow++)
                {
                    var (j0, j1) = s.RealTapsW(ow);
                    int countW = op.CountIncludePad ? Taps(win.KernelW, win.DilationW, ow * win.StrideW, paddedW) : j1 - j0;
                    float count = countH * countW;
                    var y = output.Slice(((n * s.OutH + oh) * s.OutW + ow) * s.Channels, s.Channels);
                    for (int c = 0; c < s.Channels; c++)
                    {
                        float sum = 0f;
                        for (int i = i0; i < i1; i++)
                            for (int j = j0; j < j1; j++)
                            {
                                int pixel = (n * s.InH + oh * win.StrideH - win.PadTop + i * win.DilationH) * s.InW + ow * win.StrideW - win.PadLeft + j * win.DilationW;
                                sum += input[pixel * s.Channels + c];
                            }
                        y[c] = sum / count;
                    }
                }
            }
    }

    private static int Taps(int kernel, int dilation, int start, int paddedLength)
    {
        var (lo, hi) = WindowTaps.Inside(kernel, dilation, start, paddedLength);
        return hi - lo;
    }

    public override string ToString() => $"FloatAveragePool {Shape}{(CountIncludePad ? " incl-pad" : "")}";
}
