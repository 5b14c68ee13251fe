using Edge.Core.Shapes;
using Edge.Runtime.Kernels;
using Edge.Runtime.Session;
using Edge.Runtime.Tests.Session.Support;
using Edge.Tests.Shared;

namespace Edge.Runtime.Tests.Session;

/// <summary>
/// Threads: every thread count gives the bytes of one thread (the shipped models on every kernel path this machine
/// offers), any split of an operator's work items equals its whole run, the workers allocate nothing per run, and
/// disposing a session ends them.
/// </summary>
public class SessionThreadTests
{
    /// <summary>The shipped .edge models (those the manifest names), and <see cref="Large"/>.</summary>
    public static TheoryData<string> EdgeFiles()
        => new(FirmwareModels.All.Where(m => m.Edge is not null).Select(m => m.EdgePath).Append(LargeName));

    private const string LargeName = "built: depthwise, add, pools on 2×61×59×24";

    /// <summary>
    /// A model whose depthwise convolutions, Add and pools are large enough to split (the shipped ones' 28×28 layers are
    /// mostly below the threshold): batch 2, odd planes, 24 channels (a partial 16-channel block).
    /// </summary>
    private static ModelBuilder Large()
    {
        var b = new ModelBuilder(41);
        int x = b.Input([2, 61, 59, 24]);
        int d = b.Conv(x, 24, new Window2d(3, 3, 1, 1, 1, 1, 1, 1), group: 24, relu: true);
        int a = b.Add(d, b.Lookup(d));
        int m = b.MaxPool(a, new Window2d(3, 3, 1, 1, 1, 1, 1, 1));
        int p = b.AveragePool(m, new Window2d(3, 3, 2, 2, 1, 0, 1, 1), true);
        int e = b.Conv(p, 24, new Window2d(5, 5, 2, 2, 2, 2, 1, 2), group: 24);
        b.Output(b.Gemm(b.Reshape(b.GlobalAveragePool(e)), 10));
        return b;
    }

    private static EdgeSession Open(string path, EdgeSessionOptions options)
        => path == LargeName ? EdgeSession.FromModel(Large().Model, options, LargeName) : EdgeSession.Load(path, options);

    /// <summary>Scalar, then every SIMD path this process accelerates.</summary>
    private static IEnumerable<KernelSelection> Selections()
    {
        yield return KernelSelection.Scalar;
        foreach (var p in new[] { KernelPath.Vector128, KernelPath.AdvSimd, KernelPath.Avx2, KernelPath.Avx512BW, KernelPath.Avx512Vnni })
            if (KernelPaths.Supported(p) == p) yield return (KernelSelection)p;
    }

    private static float[] SeededInput(EdgeSession s, int seed)
    {
        var rng = new Random(seed);
        var x = new float[s.Inputs[0].ElementCount];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 4 - 2);
        return x;
    }

    [Theory]
    [MemberData(nameof(EdgeFiles))]
    public void Shipped_models_give_the_same_bytes_at_every_thread_count_and_path(string path)
    {
        sbyte[]? first = null;
        foreach (var kernels in Selections())
        {
            using var one = Open(path, new EdgeSessionOptions { Kernels = kernels, Threads = 1 });
            var input = SeededInput(one, 7);
            var expected = Outputs(one, input);
            first ??= expected;
            Assert.Equal(first, expected);   // every path gives the scalar reference's bytes
            for (int threads = 2; threads <= 4; threads++)
            {
                using var many = Open(path, new EdgeSessionOptions { Kernels = kernels, Threads = threads });
                Assert.Equal(threads, many.Threads);
                for (int run = 0; run < 3; run++)
                {
                    var actual = Outputs(many, input);
                    Assert.True(expected.AsSpan().SequenceEqual(actual), $"{Path.GetFileName(path)} {kernels} at {threads} threads, run {run}: "
                        + global::Edge.Conformance.Compare.FirstDifference<sbyte>(expected, actual));
                }
            }
        }
    }

    /// <summary>Every operator's own output tensor (int8 or float bytes), after a run: all the bytes a thread count could change.</summary>
    private static sbyte[] Outputs(EdgeSession s, float[] input)
    {
        var scores = new float[s.Outputs[0].ElementCount];
        var all = new List<sbyte>();
        s.RunObserved(input, scores, (op, tensor, data) => all.AddRange(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(data).ToArray()));
        var plain = new float[scores.Length];
        s.Run(input, plain);
        Assert.Equal(scores, plain);
        return [.. all];
    }

    [Theory]
    [MemberData(nameof(EdgeFiles))]
    public void Random_splits_of_work_items_equal_the_whole_operator(string path)
    {
        foreach (var kernels in Selections())
        {
            using var s = Open(path, new EdgeSessionOptions { Kernels = kernels });
            var input = SeededInput(s, 11);
            s.Run(input, new float[s.Outputs[0].ElementCount]);
            var rng = new Random(5);
            int split = 0;
            for (int i = 0; i < s.Operators.Count; i++)
            {
                int items = s.OperatorWorkItems(i);
                if (items <= 1) continue;
                split++;
                // The arena as the operator found it: a fresh run, then every operator before it again (a later operator
                // may have reused its inputs' bytes). Then the operator whole, and in random pieces in random order over
                // garbage (not for an in-place operator: its output bytes are its input).
                int output = s.Operators[i].Outputs[0];
                void Before()
                {
                    s.Run(input, new float[s.Outputs[0].ElementCount]);
                    for (int j = 0; j < i; j++) s.RunOperator(j);
                }
                Before();
                s.RunOperator(i);
                var whole = s.TensorBytes(output).ToArray();
                for (int trial = 0; trial < 3; trial++)
                {
                    Before();
                    if (!s.Operators[i].InPlace) rng.NextBytes(s.TensorBytes(output));
                    var cuts = Enumerable.Range(0, rng.Next(1, 5)).Select(_ => rng.Next(0, items + 1)).Append(0).Append(items).Distinct().Order().ToArray();
                    var pieces = cuts.Zip(cuts.Skip(1)).OrderBy(_ => rng.Next()).ToArray();
                    foreach (var (b, e) in pieces) s.RunOperatorRange(i, b, e);
                    Assert.True(whole.AsSpan().SequenceEqual(s.TensorBytes(output)),
                        $"{Path.GetFileName(path)} {kernels} {s.Operators[i]}: pieces {string.Join(", ", pieces.Select(p => $"[{p.First}, {p.Second})"))} of {items}");
                }
            }
            if (path == LargeName) Assert.True(split >= 5, $"{path}: only {split} operators split");
        }
    }

    [Fact]
    public void Runs_with_threads_allocate_nothing_on_any_thread()
    {
        using var s = Open(LargeName, new EdgeSessionOptions { Threads = 2 });
        Assert.Contains(Enumerable.Range(0, s.Operators.Count), i => s.OperatorWorkItems(i) > 1);
        var input = SeededInput(s, 3);
        var scores = new float[s.Outputs[0].ElementCount];
        s.Run(input, scores);
        s.Run(input, scores);
        long caller = GC.GetAllocatedBytesForCurrentThread(), workers = s.WorkerAllocatedBytes;
        for (int i = 0; i < 1000; i++) s.Run(input, scores);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - caller);
        Assert.Equal(0, s.WorkerAllocatedBytes - workers);
    }

    [Fact]
    public void Dispose_ends_the_workers_and_later_runs_throw()
    {
        var s = Open(LargeName, new EdgeSessionOptions { Threads = 3 });
        var input = SeededInput(s, 3);
        var scores = new float[s.Outputs[0].ElementCount];
        s.Run(input, scores);
        Assert.True(s.WorkersAlive);
        s.Dispose();
        Assert.False(s.WorkersAlive);
        Assert.Throws<ObjectDisposedException>(() => s.Run(input, scores));
        s.Dispose();   // twice is harmless
        Assert.Equal(3, s.Threads);   // metadata stays readable
    }

    [Fact]
    public void Thread_counts_resolve_and_bad_ones_are_refused()
    {
        Assert.Equal(Math.Clamp(Environment.ProcessorCount, 1, 4), new EdgeSessionOptions { Threads = 0 }.ResolveThreads());
        Assert.Equal(1, new EdgeSessionOptions().ResolveThreads());
        Assert.Throws<ArgumentOutOfRangeException>(() => new EdgeSessionOptions { Threads = -1 }.ResolveThreads());
        var path = FirmwareModels.Get("lenet5-fashion").EdgePath;
        using var one = EdgeSession.Load(path);
        Assert.Equal(1, one.Threads);
        Assert.False(one.WorkersAlive);
    }
}
