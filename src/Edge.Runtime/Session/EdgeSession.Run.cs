using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Edge.Runtime.Planning;
using Edge.Runtime.Session.Operators;
using Edge.Runtime.Threading;

namespace Edge.Runtime.Session;

/// <summary>The running half of <see cref="EdgeSession"/>: the Run overloads over caller-owned spans, the one-run-at-a-time guard, top-k.</summary>
public sealed partial class EdgeSession
{
    // ── Running ─────────────────────────────────────────────────────────────────────────────────────────────────────

    /// <summary>Runs on a float input in NCHW (normalized, as the float model takes it), quantized into the int8 input tensor; writes output 0 as float.</summary>
    public void Run(ReadOnlySpan<float> inputNchw, Span<float> output)
    {
        Enter();
        try
        {
            WriteFloatInput(inputNchw);
            Execute();
            _outputs[0].ReadFloat(View, _outputTensors[0], output);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Runs on the int8 NHWC input tensor as it is; writes output 0 as float.</summary>
    public void Run(ReadOnlySpan<sbyte> inputNhwc, Span<float> output)
    {
        Enter();
        try
        {
            _input.WriteInt8(inputNhwc, View, _inputTensor);
            Execute();
            _outputs[0].ReadFloat(View, _outputTensors[0], output);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Runs on a float NCHW input; writes output 0's raw int8 (NHWC). Throws <see cref="InvalidOperationException"/> when that output is float.</summary>
    public void Run(ReadOnlySpan<float> inputNchw, Span<sbyte> output)
    {
        Enter();
        try
        {
            WriteFloatInput(inputNchw);
            Execute();
            _outputs[0].ReadInt8(View, _outputTensors[0], output);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Runs on the int8 NHWC input tensor; writes output 0's raw int8 (NHWC). Throws <see cref="InvalidOperationException"/> when that output is float.</summary>
    public void Run(ReadOnlySpan<sbyte> inputNhwc, Span<sbyte> output)
    {
        Enter();
        try
        {
            _input.WriteInt8(inputNhwc, View, _inputTensor);
            Execute();
            _outputs[0].ReadInt8(View, _outputTensors[0], output);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Runs on an 8-bit image, row-major HWC, gray (1 channel) or RGB (3), of the input's <see cref="ImageSize"/>: each
    /// pixel is normalized as the model records and quantized straight into the input tensor through per-channel tables.
    /// (Edge.Vision's <c>ImageInput</c> resizes images of other sizes first.)
    /// </summary>
    public void RunImage(ReadOnlySpan<byte> pixels, int height, int width, int channels, Span<float> output)
    {
        Enter();
        try
        {
            _input.WriteImage(pixels, height, width, channels, View, _inputTensor);
            Execute();
            _outputs[0].ReadFloat(View, _outputTensors[0], output);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// A diagnostic run: as <see cref="Run(ReadOnlySpan{float}, Span{float})"/>, and after each operator
    /// <paramref name="observer"/> sees the tensor it wrote, as the bytes it has in the arena (NHWC; int8 or float32 per
    /// the tensor's type), valid only during the call: a later operator may reuse them. For per-layer comparisons.
    /// </summary>
    public void RunObserved(ReadOnlySpan<float> inputNchw, Span<float> output, TensorObserver observer)
    {
        Enter();
        try
        {
            WriteFloatInput(inputNchw);
            for (int i = 0; i < _ops.Length; i++)
            {
                RunOp(_ops[i]);
                var view = View;
                foreach (var t in _ops[i].Outputs) observer(Operators[i], t, view.Bytes(t));
            }
            _outputs[0].ReadFloat(View, _outputTensors[0], output);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Reads output <paramref name="index"/> of the last run as float (NCHW for images), for models with several outputs.</summary>
    public void ReadOutput(int index, Span<float> destination)
    {
        if ((uint)index >= (uint)_outputs.Length) throw new ArgumentOutOfRangeException(nameof(index), index, $"the model has {_outputs.Length} output(s)");
        Enter();
        try
        {
            _outputs[index].ReadFloat(View, _outputTensors[index], destination);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// The indices of the <c>indices.Length</c> largest scores, largest first (ties: the lower index first; NaN ranks
    /// below every number). Allocates nothing.
    /// </summary>
    public static void TopK(ReadOnlySpan<float> scores, Span<int> indices)
    {
        if (indices.Length > scores.Length) throw new ArgumentException($"top {indices.Length} of {scores.Length} scores");
        int k = indices.Length, filled = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            // Insertion into the sorted prefix; a score enters only if it beats the current k-th.
            int pos = filled;
            while (pos > 0 && Before(scores, i, indices[pos - 1])) pos--;
            if (pos >= k) continue;
            int end = Math.Min(filled, k - 1);
            for (int j = end; j > pos; j--) indices[j] = indices[j - 1];
            indices[pos] = i;
            if (filled < k) filled++;
        }
    }

    /// <summary>True when score <paramref name="a"/> ranks before score <paramref name="b"/> (a &gt; b, NaN last, ties by index).</summary>
    private static bool Before(ReadOnlySpan<float> scores, int a, int b)
    {
        float x = scores[a], y = scores[b];
        if (float.IsNaN(x)) return false;
        if (float.IsNaN(y)) return true;
        return x > y || (x == y && a < b);
    }

    private ArenaView View => WorkerView(0);

    /// <summary>The arena with worker <paramref name="worker"/>'s own scratch region.</summary>
    private ArenaView WorkerView(int worker)
        => new(_arena.AsSpan(_arenaStart, (int)_memory.Plan.ArenaSize), _scratch.AsSpan(_scratchStart + worker * _scratchStride, _scratchRegion), _memory.Slots);

    private void Execute()
    {
        foreach (var op in _ops) RunOp(op);
    }

    /// <summary>Runs one operator: whole on the caller, or its work items split across the pool's threads.</summary>
    private void RunOp(SessionOp op)
    {
        int items = _pool is null ? 1 : op.WorkItems;
        if (items <= 1)
        {
            op.Run(View);
            return;
        }
        _current = op;
        try
        {
            _pool!.Run(this, items, op.ChunksPerThread);
        }
        finally
        {
            _current = null;
        }
    }

    private SessionOp? _current;

    /// <summary>
    /// Quantizes a float NCHW input into the input tensor, its work items (<see cref="InputWriter.FloatWorkItems"/>) split
    /// across the pool's threads when there is one: the caller's span is pinned for the job, the workers read it through
    /// <see cref="FloatInputJob"/>. Without a pool, or for one item, the caller writes it alone.
    /// </summary>
    private unsafe void WriteFloatInput(ReadOnlySpan<float> nchw)
    {
        _input.CheckLength(nchw.Length, "float input");
        int items = _input.FloatWorkItems;
        if (_pool is null || items <= 1)
        {
            _input.WriteFloatRange(nchw, View, _inputTensor, 0, items);
            return;
        }
        fixed (float* p = nchw)
        {
            _floatInputJob.Begin(p, nchw.Length);
            try
            {
                _pool.Run(_floatInputJob, items);
            }
            finally
            {
                _floatInputJob.End();
            }
        }
    }

    /// <summary>The float input's quantization as a pool job: the pinned span it reads, valid between Begin and End.</summary>
    private sealed unsafe class FloatInputJob(EdgeSession session) : IWorkRanges
    {
        private float* _input;
        private int _length;

        public void Begin(float* input, int length)
        {
            _input = input;
            _length = length;
        }

        public void End()
        {
            _input = null;
            _length = 0;
        }

        public void RunRange(int worker, int begin, int end)
            => session._input.WriteFloatRange(new ReadOnlySpan<float>(_input, _length), session.WorkerView(worker), session._inputTensor, begin, end);
    }

    void IWorkRanges.RunRange(int worker, int begin, int end) => _current!.RunRange(WorkerView(worker), begin, end);

    private void Enter()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.CompareExchange(ref _running, 1, 0) != 0) throw new SessionBusyException(Source);
        RunStarted?.Invoke();
    }

    private bool _disposed;

    /// <summary>
    /// Ends the session's worker threads (a session with <see cref="Threads"/> = 1 has none). A disposed session throws
    /// <see cref="ObjectDisposedException"/> from every <c>Run</c>; its metadata stays readable. Must not be called while a
    /// run is in progress (throws <see cref="SessionBusyException"/>).
    /// </summary>
    public void Dispose()
    {
        if (_disposed) return;
        if (Interlocked.CompareExchange(ref _running, 1, 0) != 0) throw new SessionBusyException(Source);
        _disposed = true;
        _pool?.Dispose();
        Volatile.Write(ref _running, 0);
        GC.SuppressFinalize(this);
    }

    /// <summary>A session with workers that was never disposed ends them when it is collected.</summary>
    ~EdgeSession() => _pool?.Dispose();

    /// <summary>Test hook: bytes the worker threads had allocated after their last job (0 without workers).</summary>
    internal long WorkerAllocatedBytes => _pool?.WorkerAllocatedBytes ?? 0;

    /// <summary>Test hook: the pool's threads are still running.</summary>
    internal bool WorkersAlive => _pool?.AnyThreadAlive ?? false;

    private void Exit() => Volatile.Write(ref _running, 0);

    /// <summary>Test hook: a tensor's bytes in the arena (outside the run guard), to set an operator's inputs and read its output.</summary>
    internal Span<byte> TensorBytes(int tensor) => View.Bytes(tensor);

    /// <summary>Test hook: runs one operator on whatever its input tensors hold (per-layer comparisons).</summary>
    internal void RunOperator(int index) => RunOp(_ops[index]);

    /// <summary>Test hook: runs work items [begin, end) of one operator on worker 0's scratch.</summary>
    internal void RunOperatorRange(int index, int begin, int end) => _ops[index].RunRange(View, begin, end);

    /// <summary>Test hook: the address of worker <paramref name="worker"/>'s scratch region and its length (both arena and scratch are pinned).</summary>
    internal unsafe (long Address, int Length) ScratchRegionOf(int worker)
    {
        var region = WorkerView(worker).Scratch;
        return ((long)Unsafe.AsPointer(ref MemoryMarshal.GetReference(region)), region.Length);
    }

    /// <summary>Test hook: the operator's work-item count.</summary>
    internal int OperatorWorkItems(int index) => _ops[index].WorkItems;

    /// <summary>Test hook: called inside the guarded region of every run, so a test can hold a run open deterministically.</summary>
    internal Action? RunStarted { get; set; }

    private static unsafe int AlignedStart(byte[] pinned)
    {
        long address = (long)Unsafe.AsPointer(ref pinned[0]);
        return (int)((ArenaPlanner.DefaultAlignment - address % ArenaPlanner.DefaultAlignment) % ArenaPlanner.DefaultAlignment);
    }
}
