using Edge.Tests.Shared;

namespace Edge.Runtime.Tests.Support;

internal static class Allocations
{
    /// <summary>Fails unless 1,000 runs of <paramref name="run"/> allocate nothing on this thread (<see cref="ZeroAllocation"/>).</summary>
    public static void AssertNone(string what, Action run) => ZeroAllocation.Assert(what, run);
}
