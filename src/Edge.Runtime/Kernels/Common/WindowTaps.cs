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
}
