using System.Runtime.CompilerServices;
using Edge.Runtime.Planning;

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
            _input.WriteFloat(inputNchw, View, _inputTensor);
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
            _input.WriteFloat(inputNchw, View, _inputTensor);
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
            _input.WriteFloat(inputNchw, View, _inputTensor);
            var view = View;
            for (int i = 0; i < _ops.Length; i++)
            {
                _ops[i].Run(view);
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

    private ArenaView View => new(_arena.AsSpan(_arenaStart, (int)_memory.Plan.ArenaSize), _scratch, _memory.Slots);

    private void Execute()
    {
        var view = View;
        foreach (var op in _ops) op.Run(view);
    }

    private void Enter()
    {
        if (Interlocked.CompareExchange(ref _running, 1, 0) != 0) throw new SessionBusyException(Source);
        RunStarted?.Invoke();
    }

    private void Exit() => Volatile.Write(ref _running, 0);

    /// <summary>Test hook: a tensor's bytes in the arena (outside the run guard), to set an operator's inputs and read its output.</summary>
    internal Span<byte> TensorBytes(int tensor) => View.Bytes(tensor);

    /// <summary>Test hook: runs one operator on whatever its input tensors hold (per-layer comparisons).</summary>
    internal void RunOperator(int index) => _ops[index].Run(View);

    /// <summary>Test hook: called inside the guarded region of every run, so a test can hold a run open deterministically.</summary>
    internal Action? RunStarted { get; set; }

    private static unsafe int AlignedStart(byte[] pinned)
    {
        long address = (long)Unsafe.AsPointer(ref pinned[0]);
        return (int)((ArenaPlanner.DefaultAlignment - address % ArenaPlanner.DefaultAlignment) % ArenaPlanner.DefaultAlignment);
    }
}
