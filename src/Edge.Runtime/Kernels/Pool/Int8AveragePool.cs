using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.Pool;

/// <summary>
/// Int8 2-D average pooling on NHWC tensors, per the contract: <c>sum = Σ (x − zp)</c> over the window's taps on real
/// input, <c>q = clamp(div_round(sum, count) + zp, −128, 127)</c>; the output has the input's parameters.
/// <para>
/// <c>count</c> follows the float op: with count_include_pad, the taps inside the padded input (a window clipped to
/// [−padBegin, in + padEnd) along each axis: padding counts, but the part of a ceil-mode window past the end padding
/// does not); without it, the taps on real input only. Padded taps add 0 to the sum either way. A window with a count of 0
/// (no real tap, possible only with dilation) yields the zero point (real 0; the float path gives NaN).
/// </para>
/// </summary>
public sealed partial class Int8AveragePool
{
    private Int8AveragePool(Pool2dShape shape, bool countIncludePad, int zeroPoint)
        => (Shape, CountIncludePad, ZeroPoint) = (shape, countIncludePad, zeroPoint);

    public Pool2dShape Shape { get; }
    public bool CountIncludePad { get; }

    /// <summary>The zero point of the input, and so of the output.</summary>
    public int ZeroPoint { get; }

    public static Int8AveragePool Prepare(Pool2dShape shape, bool countIncludePad, int zeroPoint)
    {
        if (zeroPoint < sbyte.MinValue || zeroPoint > sbyte.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(zeroPoint), zeroPoint, "the zero point must be in [−128, 127]");
        return new Int8AveragePool(shape, countIncludePad, zeroPoint);
    }

    /// <summary>
    /// Runs <paramref name="path"/> (falling back to the scalar reference where it is not accelerated); the wider paths,
    /// which this kernel has no version of, run its Vector128 path.
    /// </summary>
    public static void Run(Int8AveragePool op, ReadOnlySpan<sbyte> input, Span<sbyte> output, KernelPath path)
    {
        if (path >= KernelPath.Vector128) RunVector128(op, input, output);
        else RunScalar(op, input, output);
    }

    /// <summary>The scalar reference.</summary>
    public static void RunScalar(Int8AveragePool op, ReadOnlySpan<sbyte> input, Span<sbyte> output)
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
                int ih0 = oh * win.StrideH - win.PadTop;
                int countH = op.CountIncludePad ? Taps(win.KernelH, win.DilationH, oh * win.StrideH, paddedH) : i1 - i0;
                for (int ow = 0; ow < s.OutW; ow++)
                {
                    var (j0, j1) = s.RealTapsW(ow);
                    int iw0 = ow * win.StrideW - win.PadLeft;
                    int countW = op.CountIncludePad ? Taps(win.KernelW, win.DilationW, ow * win.StrideW, paddedW) : j1 - j0;
                    int count = countH * countW;
                    int outPixel = (n * s.OutH + oh) * s.OutW + ow;
                    for (int c = 0; c < s.Channels; c++)
                    {
                        int sum = 0;
                        for (int i = i0; i < i1; i++)
                            for (int j = j0; j < j1; j++)
                            {
                                int pixel = (n * s.InH + ih0 + i * win.DilationH) * s.InW + iw0 + j * win.DilationW;
                                sum += input[pixel * s.Channels + c] - op.ZeroPoint;
                            }
                        int mean = count == 0 ? 0 : Rounding.DivRound(sum, count);
                        output[outPixel * s.Channels + c] = (sbyte)Math.Clamp(mean + op.ZeroPoint, sbyte.MinValue, sbyte.MaxValue);
                    }
                }
            }
    }

    /// <summary>Taps of a window starting at <paramref name="start"/> (padded coordinates) that lie before <paramref name="paddedLength"/>.</summary>
    private static int Taps(int kernel, int dilation, int start, int paddedLength)
    {
        var (lo, hi) = WindowTaps.Inside(kernel, dilation, start, paddedLength);
        return hi - lo;
    }

    public override string ToString() => $"Int8AveragePool {Shape}{(CountIncludePad ? " incl-pad" : "")} zp {ZeroPoint}";
}
