namespace Edge.Runtime.Kernels;

/// <summary>Index arithmetic of sliding windows: which taps of a window land inside a range.</summary>
internal static class WindowTaps
{
    /// <summary>
    /// The taps <c>t</c> in [0, <paramref name="taps"/>) whose position <c>start + t·step</c> lies in [0, <paramref name="limit"/>),
    /// as a half-open range [Lo, Hi) (Lo == Hi when none does). With <c>start = o·stride − padBegin</c> and
    /// <c>step = dilation</c> these are the taps of output position <c>o</c> that read real input.
    /// </summary>
    public static (int Lo, int Hi) Inside(int taps, int step, int start, int limit)
    {
        int lo = start >= 0 ? 0 : (-start + step - 1) / step;
        int hi = limit - start <= 0 ? 0 : (limit - start - 1) / step + 1;
        hi = Math.Min(hi, taps);
        return lo < hi ? (lo, hi) : (0, 0);
    }

    /// <summary>
    /// The output positions [Lo, Hi) (within [0, <paramref name="outputs"/>)) whose every tap reads real input: those with
    /// <c>o·stride − padBegin ≥ 0</c> and <c>o·stride − padBegin + (taps − 1)·step ≤ limit − 1</c>. For them
    /// <see cref="Inside"/> is (0, taps), so a kernel can skip it there (it divides, which costs more than the tap it clips).
    /// </summary>
    public static (int Lo, int Hi) Interior(int outputs, int taps, int stride, int padBegin, int step, int limit)
    {
        int lo = (padBegin + stride - 1) / stride;
        int last = limit - 1 - (taps - 1) * step + padBegin;   // the largest o·stride allowed
        int hi = last < 0 ? 0 : Math.Min(outputs, last / stride + 1);
        return lo < hi ? (lo, hi) : (0, 0);
    }
}
