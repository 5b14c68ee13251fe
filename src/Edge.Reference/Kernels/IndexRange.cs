namespace Edge.Reference.Kernels;

/// <summary>Index arithmetic shared by the sliding-window kernels.</summary>
internal static class IndexRange
{
    /// <summary>
    /// The indices <c>i</c> in [0, <paramref name="count"/>) for which <c>i·step + offset</c> lies in [0, <paramref name="limit"/>),
    /// as a half-open range [Lo, Hi) (empty when Lo == Hi). Used both for "which outputs read a real input column
    /// through this kernel tap" and for "which taps of this window land on real input".
    /// </summary>
    public static (int Lo, int Hi) Inside(int count, int step, int offset, int limit)
    {
        int lo = offset >= 0 ? 0 : (-offset + step - 1) / step;
        int hi = limit - offset <= 0 ? 0 : (limit - offset - 1) / step + 1;
        hi = Math.Min(hi, count);
        return lo < hi ? (lo, hi) : (0, 0);
    }
}
