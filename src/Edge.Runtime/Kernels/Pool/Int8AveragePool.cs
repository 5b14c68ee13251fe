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
        => RunRows(op, input, output, path, 0, op.RowCount);

    /// <summary>Work items for threads: output rows, Batch·OutH.</summary>
    public int RowCount => Shape.Batch * Shape.OutH;

    /// <summary>
    /// Output rows [<paramref name="begin"/>, <paramref name="end"/>) (counted across the batch) on <paramref name="path"/>:
    /// what one thread runs. Rows write disjoint bytes, so any split gives the bytes of <see cref="Run"/>.
    /// </summary>
    public static void RunRows(Int8AveragePool op, ReadOnlySpan<sbyte> input, Span<sbyte> output, KernelPath path, int begin, int end)
    {
        if (begin < 0 || end > op.RowCount || begin > end)
            throw new ArgumentOutOfRangeException(nameof(begin), $"rows [{begin}, {end}) of [0, {op.RowCount})");
        if (path >= KernelPath.Vector128) Vector128Rows(op, input, output, begin, end);
        else
        {
            Guard.Length(input.Length, op.Shape.InputLength, "input");
            Guard.Length(output.Length, op.Shape.OutputLength, "output");
            ScalarRows(op, input, output, begin, end);
        }
    }

    /// <summary>The scalar reference.</summary>
    public static void RunScalar(Int8AveragePool op, ReadOnlySpan<sbyte> input, Span<sbyte> output)
    {
        var s = op.Shape;
        var win = s.Window;
        Guard.Length(input.Length, s.InputLength, "input");
        Guard.Length(output.Length, s.OutputLength, "output");
        ScalarRows(op, input, output, 0, op.RowCount);
    }

    /// <summary>The reference on output rows [begin, end), counted across the batch.</summary>
    private static void ScalarRows(Int8AveragePool op, ReadOnlySpan<sbyte> input, Span<sbyte> output, int begin, int end)
    {
        var s = op.Shape;
        var win = s.Window;
        int paddedH = win.PadTop + s.InH + win.PadBottom, paddedW = win.PadLeft + s.InW + win.PadRight;
        for (int r = begin; r < end; r++)
            {
                int n = r / s.OutH, oh = r % s.OutH;
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
