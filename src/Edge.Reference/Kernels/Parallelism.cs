namespace Edge.Reference.Kernels;

/// <summary>
/// Splits a loop over independent items (output channels, planes, row blocks) across cores when the work is large
/// enough to repay the hand-off. Every item is computed by exactly one thread with the same code as in the serial
/// loop, so results never depend on the thread count.
/// </summary>
internal static class Parallelism
{
    /// <summary>Below this many multiply-adds (about 0.1 ms of work) the loop runs on the calling thread.</summary>
    public const long MinParallelWork = 1 << 20;

    /// <summary>
    /// Runs <paramref name="body"/>(start, end) over [0, <paramref name="count"/>) — in one call when
    /// <paramref name="totalWork"/> is small, otherwise in one contiguous range per core. Range boundaries are
    /// multiples of <paramref name="align"/> (kernels that work in blocks of rows keep whole blocks together).
    /// </summary>
    public static void ForRanges(int count, long totalWork, Action<int, int> body, int align = 1)
    {
        int cores = Environment.ProcessorCount;
        int blocks = (count + align - 1) / align;
        if (totalWork < MinParallelWork || cores == 1 || blocks < 2)
        {
            body(0, count);
            return;
        }
        int ranges = Math.Min(cores, blocks);
        int perRange = (blocks + ranges - 1) / ranges * align;
        Parallel.For(0, ranges, r =>
        {
            int start = r * perRange, end = Math.Min(count, start + perRange);
            if (start < end) body(start, end);
        });
    }
}
