namespace Edge.Tests.Shared;

/// <summary>
/// The zero-allocation check every test project uses: warm up, then count the managed bytes this thread allocates over
/// many runs. The JIT may still allocate on the calling thread while it moves a method through its tiers (type loads,
/// call-counting stubs) in the first batches; that happens once, so the check repeats the batch up to
/// <see cref="Batches"/> times and passes when one batch allocates nothing. Code that allocates per call allocates in
/// every batch (at least 24 bytes × runs) and fails; the message gives the smallest batch total.
/// </summary>
internal static class ZeroAllocation
{
    public const int Batches = 5;

    /// <summary>Fails unless some batch of <paramref name="runs"/> calls of <paramref name="run"/> allocates 0 bytes on this thread.</summary>
    public static void Assert(string what, Action run, int runs = 1000, int warmup = 20)
    {
        for (int i = 0; i < warmup; i++) run();
        long least = long.MaxValue;
        for (int b = 0; b < Batches; b++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < runs; i++) run();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated == 0) return;
            least = Math.Min(least, allocated);
        }
        Xunit.Assert.Fail($"{what}: every one of {Batches} batches of {runs:N0} runs allocated managed memory (the least: {least:N0} bytes)");
    }
}
