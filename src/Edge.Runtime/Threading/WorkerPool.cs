using System.Runtime.ExceptionServices;

namespace Edge.Runtime.Threading;

/// <summary>What a <see cref="WorkerPool"/> runs: work items [<c>begin</c>, <c>end</c>) on worker <c>worker</c> (0 is the caller).</summary>
internal interface IWorkRanges
{
    void RunRange(int worker, int begin, int end);
}

/// <summary>
/// A fixed set of threads that run one job at a time with the calling thread: <see cref="Run"/> cuts work items
/// [0, items) into chunks of consecutive items, about <see cref="ChunksPerThread"/> per thread, which the caller and the
/// workers take in turn from a shared counter until none is left (a thread slowed down — another process on its core, a
/// costlier part of the tensor — takes fewer chunks instead of holding up the rest), and returns when all are done. Items
/// are independent, so any assignment gives the same bytes. Owned by one session (never shared), so jobs never
/// interleave.
/// <para>
/// No allocation per job: a job is published by bumping <see cref="_generation"/> (the body and item count sit in fields),
/// workers spin for a short while on it and then block on a monitor; the caller likewise spins on the count of parts
/// still running and then blocks. Waking a blocked thread and going to sleep follow the Dekker pattern: each side
/// publishes with an interlocked write (a full fence) and then reads the other side's flag, so at least one of them sees
/// the other and no wake-up is lost. An exception in a part is rethrown on the caller after every part has finished.
/// </para>
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    /// <summary>
    /// How long a waiting thread spins before it blocks: 5 ms, longer than any gap between two operators of a run and
    /// than the gap between back-to-back runs, shorter than the gap between camera frames (33 ms at 30 fps). Waking a
    /// blocked thread costs far more than a spin on a busy machine (measured: the MobileNet-Fashion run went from 0.3 ms to
    /// 2.5 ms at 2 threads when workers slept after ~1.5 ms).
    /// </summary>
    private static readonly long SpinTicks = System.Diagnostics.Stopwatch.Frequency / 200;

    private readonly Thread[] _threads;
    private readonly object _jobGate = new();
    private readonly object _doneGate = new();
    /// <summary>
    /// Chunks per thread: enough that a thread running at half speed for a while costs at most about a chunk, few enough
    /// that the per-call setup of a range (a convolution's row window, the depthwise pair rows) stays small.
    /// </summary>
    public const int ChunksPerThread = 4;

    private IWorkRanges? _body;
    private int _items, _chunk;
    private int _next;
    private int _generation;
    private int _pending;
    private int _sleepers;
    private int _callerSleeping;
    private volatile bool _disposed;
    private ExceptionDispatchInfo? _failure;
    private readonly long[] _allocated;

    /// <param name="threads">Threads that run a job, the caller included (at least 2: one thread needs no pool).</param>
    public WorkerPool(int threads)
    {
        if (threads < 2) throw new ArgumentOutOfRangeException(nameof(threads), threads, "a pool runs at least 2 threads (the caller and one worker)");
        Threads = threads;
        _threads = new Thread[threads - 1];
        _allocated = new long[threads];
        for (int i = 0; i < _threads.Length; i++)
        {
            int worker = i + 1;
            _threads[i] = new Thread(() => WorkerLoop(worker)) { IsBackground = true, Name = $"Edge worker {worker}" };
            _threads[i].Start();
        }
    }

    /// <summary>Threads that run a job, the caller included.</summary>
    public int Threads { get; }

    /// <summary>True while any worker thread is still alive (false after <see cref="Dispose"/> has returned).</summary>
    public bool AnyThreadAlive => _threads.Any(t => t.IsAlive);

    /// <summary>
    /// The managed bytes the worker threads had allocated when they last finished a job (for tests: unchanged across runs
    /// means the workers allocate nothing per run).
    /// </summary>
    public long WorkerAllocatedBytes
    {
        get
        {
            long sum = 0;
            for (int i = 1; i < _allocated.Length; i++) sum += Volatile.Read(ref _allocated[i]);
            return sum;
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> over [0, <paramref name="items"/>) on up to <see cref="Threads"/> threads, in about
    /// <paramref name="chunksPerThread"/> chunks per thread (1: one range per thread, for a body whose every range pays a
    /// setup — the depthwise kernels rebuild their input rows — more than a slow thread's share costs).
    /// </summary>
    public void Run(IWorkRanges body, int items, int chunksPerThread = ChunksPerThread)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (items <= 1)
        {
            if (items > 0) body.RunRange(0, 0, items);
            return;
        }
        _body = body;
        _items = items;
        int chunks = Threads * Math.Max(1, chunksPerThread);
        _chunk = Math.Max(1, (items + chunks - 1) / chunks);
        Volatile.Write(ref _next, 0);
        _failure = null;
        // Every worker acknowledges every job (those past the last part without running anything), so no field of this
        // job changes while any worker may still read it.
        Volatile.Write(ref _pending, Threads - 1);
        Interlocked.Increment(ref _generation);
        if (Volatile.Read(ref _sleepers) > 0)
            lock (_jobGate) Monitor.PulseAll(_jobGate);

        try
        {
            Drain(body, 0);
        }
        finally
        {
            WaitForWorkers();
            _body = null;
        }
        var failure = _failure;
        if (failure is not null)
        {
            _failure = null;
            failure.Throw();
        }
    }

    private void WaitForWorkers()
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        var spinner = new SpinWait();
        while (Volatile.Read(ref _pending) != 0)
        {
            if (System.Diagnostics.Stopwatch.GetTimestamp() - start < SpinTicks)
            {
                spinner.SpinOnce(sleep1Threshold: -1);   // spins, yielding now and then (never sleeps): a worker on this core can run
                continue;
            }
            lock (_doneGate)
            {
                Interlocked.Exchange(ref _callerSleeping, 1);
                while (Volatile.Read(ref _pending) != 0) Monitor.Wait(_doneGate);
                Interlocked.Exchange(ref _callerSleeping, 0);
            }
        }
    }

    private void WorkerLoop(int worker)
    {
        int seen = 0;
        while (true)
        {
            int generation;
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            var spinner = new SpinWait();
            while ((generation = Volatile.Read(ref _generation)) == seen && !_disposed)
            {
                if (System.Diagnostics.Stopwatch.GetTimestamp() - start < SpinTicks)
                {
                    spinner.SpinOnce(sleep1Threshold: -1);
                    continue;
                }
                lock (_jobGate)
                {
                    Interlocked.Increment(ref _sleepers);
                    while (Volatile.Read(ref _generation) == seen && !_disposed) Monitor.Wait(_jobGate);
                    Interlocked.Decrement(ref _sleepers);
                }
            }
            if (_disposed) return;
            seen = generation;
            {
                try
                {
                    Drain(_body!, worker);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
                }
            }
            Volatile.Write(ref _allocated[worker], GC.GetAllocatedBytesForCurrentThread());
            if (Interlocked.Decrement(ref _pending) == 0 && Volatile.Read(ref _callerSleeping) != 0)
                lock (_doneGate) Monitor.PulseAll(_doneGate);
        }
    }

    /// <summary>Runs chunks of the current job on <paramref name="worker"/> until the shared counter passes the last item.</summary>
    private void Drain(IWorkRanges body, int worker)
    {
        int items = _items, chunk = _chunk;
        while (true)
        {
            int begin = Interlocked.Add(ref _next, chunk) - chunk;
            if (begin >= items) return;
            body.RunRange(worker, begin, Math.Min(items, begin + chunk));
        }
    }

    /// <summary>Stops the workers and waits for them to end. Must not be called while a job runs.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        lock (_jobGate) Monitor.PulseAll(_jobGate);
        foreach (var t in _threads) t.Join();
    }
}
