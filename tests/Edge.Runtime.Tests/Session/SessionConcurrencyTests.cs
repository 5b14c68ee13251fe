using Edge.Runtime.Session;
using Edge.Runtime.Tests.Session.Support;
using Edge.Runtime.Tests.Support;

namespace Edge.Runtime.Tests.Session;

/// <summary>One session runs one inference at a time (a second concurrent Run is rejected); one session per thread works.</summary>
public class SessionConcurrencyTests
{
    [Fact]
    public async Task A_second_run_while_one_is_in_progress_is_rejected_and_the_first_completes()
    {
        var b = SessionCases.Everything(23);
        var s = EdgeSession.FromModel(b.Model);
        var input = TestData.Activations(new Random(1), 192);
        var expected = new float[10];
        s.Run(input, expected);

        using var inside = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        s.RunStarted = () =>
        {
            s.RunStarted = null; // only the first run waits
            inside.Set();
            release.Wait();
        };
        var first = new float[10];
        var runner = Task.Run(() => s.Run(input, first));
        Assert.True(inside.Wait(TimeSpan.FromSeconds(10)));
        var e = Assert.Throws<SessionBusyException>(() => s.Run(input, new float[10]));
        Assert.IsAssignableFrom<InvalidOperationException>(e);
        Assert.Contains("one session per thread", e.Message);
        release.Set();
        await runner.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(expected, first);

        var again = new float[10];
        s.Run(input, again); // the guard is released
        Assert.Equal(expected, again);
    }

    [Fact]
    public async Task Racing_threads_on_one_session_are_rejected_never_corrupted()
    {
        var s = EdgeSession.FromModel(SessionCases.All["conv 3x3 pad 1 relu"]().Model);
        var input = TestData.Activations(new Random(2), s.Inputs[0].ElementCount);
        var expected = new sbyte[s.Outputs[0].ElementCount];
        s.Run(input, expected);
        // Overlap is up to the scheduler: on a loaded 2-core machine the two threads can run thousands of times
        // back to back. So race until a rejection has been seen (and at least 2,000 runs each), bounded by a deadline.
        int rejected = 0, wrong = 0, runs = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        using var start = new Barrier(2);
        void Race()
        {
            var y = new sbyte[expected.Length];
            start.SignalAndWait();
            for (int i = 0; i < 2000 || (Volatile.Read(ref rejected) == 0 && DateTime.UtcNow < deadline); i++)
            {
                try
                {
                    s.Run(input, y);
                    Interlocked.Increment(ref runs);
                    if (!y.AsSpan().SequenceEqual(expected)) Interlocked.Increment(ref wrong);
                }
                catch (SessionBusyException)
                {
                    Interlocked.Increment(ref rejected);
                }
            }
        }
        await Task.WhenAll(Task.Run(Race), Task.Run(Race));
        Assert.Equal(0, wrong);
        Assert.True(rejected > 0, $"{runs:N0} runs from two racing threads over up to 60 s were never rejected");
    }

    [Fact]
    public async Task Separate_sessions_on_separate_threads_all_compute_correctly()
    {
        var b = SessionCases.Everything(23);
        var bytes = Edge.Runtime.Format.EdgeModelWriter.ToBytes(b.Model);
        var inputs = Enumerable.Range(0, 4).Select(i => TestData.Activations(new Random(10 + i), 192)).ToArray();
        var expected = inputs.Select(x => b.Reference(x)).ToArray();
        int failures = 0;
        var threads = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            var s = EdgeSession.Load(bytes.AsMemory());
            for (int i = 0; i < 200; i++)
            {
                var x = inputs[(t + i) % 4];
                if (!SessionConformanceTests.RunRaw(s, x).AsSpan().SequenceEqual(expected[(t + i) % 4])) Interlocked.Increment(ref failures);
            }
        })).ToArray();
        await Task.WhenAll(threads);
        Assert.Equal(0, failures);
    }
}
