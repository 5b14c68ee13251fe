namespace Edge.Runtime.Tests.Support;

internal static class Allocations
{
    /// <summary>
    /// Runs <paramref name="run"/> once to warm up, then 1,000 times, and fails unless the managed bytes allocated on this
    /// thread are unchanged across the 1,000 runs.
    /// </summary>
    public static void AssertNone(string what, Action run)
    {
        run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) run();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"{what}: 1,000 runs allocated {allocated} bytes");
    }
}
