using Edge.Runtime.Format;
using Edge.Runtime.Kernels;
using Edge.Runtime.Planning;
using Edge.Runtime.Session.Operators;
using Edge.Runtime.Threading;

namespace Edge.Runtime.Session;

/// <summary>Sees one tensor an operator wrote (see <see cref="EdgeSession.RunObserved"/>).</summary>
/// <param name="op">The operator that wrote it.</param>
/// <param name="tensor">The model tensor index.</param>
/// <param name="data">Its bytes in the arena: NHWC, int8 or float32 per the tensor's type; valid only during the call.</param>
public delegate void TensorObserver(SessionOperatorInfo op, int tensor, ReadOnlySpan<byte> data);

/// <summary>
/// A loaded int8 model, ready to run frame after frame. <see cref="Load(string, EdgeSessionOptions?)"/> reads the
/// <c>.edge</c> file, checks every operator against its tensors (docs/edge-format.md), prepares each kernel once (weights
/// packed), plans one arena for all tensors and allocates it with one shared scratch buffer. <c>Run</c> then works on
/// caller-owned spans and allocates nothing on the managed heap.
/// <para>
/// A session runs one inference at a time: a <c>Run</c> that starts while another is in progress on the same session
/// throws <see cref="SessionBusyException"/>. Use one session per thread.
/// </para>
/// <para>
/// Threads: with <see cref="EdgeSessionOptions.Threads"/> above 1 the session owns a pool of worker threads; each
/// operator that splits (<c>WorkItems</c> &gt; 1: output rows of convolutions and pools, blocks of element-wise ops) runs
/// its items across the caller and the workers, each with a scratch region of its own; every thread count gives the same
/// bytes. <see cref="Dispose"/> ends the workers (a session with one thread holds none).
/// </para>
/// <para>
/// Layouts: float inputs and outputs are in the float model's layout (NCHW for images); int8 inputs and outputs are the
/// runtime's tensors as they are (NHWC). An int8 output exists only when the model was converted with int8 outputs.
/// </para>
/// </summary>
public sealed partial class EdgeSession : IDisposable, IWorkRanges
{
    private readonly SessionOp[] _ops;
    private readonly SessionMemory _memory;
    private readonly byte[] _arena;
    private readonly int _arenaStart;
    private readonly byte[] _scratch;
    private readonly int _scratchStride;
    private readonly int _scratchStart;
    private readonly int _scratchRegion;
    private readonly WorkerPool? _pool;
    private readonly int _inputTensor;
    private readonly InputWriter _input;
    private readonly FloatInputJob _floatInputJob;
    private readonly OutputReader[] _outputs;
    private readonly int[] _outputTensors;
    private int _running;

    private EdgeSession(EdgeModel model, string source, EdgeSessionOptions options)
    {
        var path = options.ResolvePath();
        Model = model;
        Source = source;
        KernelPath = path;
        ModelValidation.CheckGraph(model, source);
        _ops = new SessionOp[model.Ops.Count];
        for (int i = 0; i < _ops.Length; i++) _ops[i] = OpFactory.Create(new OpReader(model, i, source), path);
        _memory = SessionMemory.Build(model, _ops, source, options.MaxArenaBytes);

        // The arena is pinned and its start aligned to 64 bytes, as the planner's offsets are.
        _arena = GC.AllocateArray<byte>((int)_memory.Plan.ArenaSize + ArenaPlanner.DefaultAlignment, pinned: true);
        _arenaStart = AlignedStart(_arena);
        // One scratch region per thread, each the largest any operator needs, 64-byte aligned strides.
        Threads = options.ResolveThreads();
        int scratch = _ops.Length == 0 ? 0 : _ops.Max(o => o.ScratchBytes);
        _scratchStride = (scratch + 63) & ~63;
        long scratchTotal = scratch + (long)_scratchStride * (Threads - 1);
        if (scratchTotal > Array.MaxLength - ArenaPlanner.DefaultAlignment)
            throw new EdgeModelFormatException(source, $"{Threads} threads × {scratch:N0} bytes of scratch is too large");
        // Pinned and aligned like the arena: the kernels' row windows, im2col blocks and pair rows are read in whole vectors,
        // and an unaligned start split those loads across cache lines in some processes and not others.
        _scratch = GC.AllocateArray<byte>((int)scratchTotal + ArenaPlanner.DefaultAlignment, pinned: true);
        _scratchStart = AlignedStart(_scratch);
        _scratchRegion = scratch;

        var input = model.Inputs[0];
        _inputTensor = input.Tensor;
        Normalization = new SessionNormalization(input.Mean, input.Std, input.ChannelOrder);
        Inputs = [SessionTensorInfo.From(model.Tensors[input.Tensor])];
        Outputs = model.Outputs.Select(o => SessionTensorInfo.From(model.Tensors[o])).ToArray();
        _input = new InputWriter(Inputs[0], Normalization, path);
        _floatInputJob = new FloatInputJob(this);
        _outputs = Outputs.Select(o => new OutputReader(o)).ToArray();
        _outputTensors = [.. model.Outputs];
        Labels = [.. model.Labels];
        if (Threads > 1) _pool = new WorkerPool(Threads);
        else GC.SuppressFinalize(this);
        Operators = _ops.Select(o => new SessionOperatorInfo(o.Index, o.Name, o.Type, o.Kernel, o.Path, o.Inputs, o.Outputs, o.WeightBytes,
            o.ScratchBytes, o.IsView || o.Inputs.Any(i => _memory.Slots[i].Offset == _memory.Slots[o.Outputs[0]].Offset))).ToArray();
    }

    // ── Loading ─────────────────────────────────────────────────────────────────────────────────────────────────────

    /// <summary>Loads a <c>.edge</c> file. Any problem with it is an <see cref="EdgeModelFormatException"/> naming the file and where.</summary>
    public static EdgeSession Load(string path, EdgeSessionOptions? options = null)
    {
        options ??= new EdgeSessionOptions();
        return new EdgeSession(EdgeModelReader.Read(path, options.VerifyChecksum), path, options);
    }

    /// <summary>Loads a model from a stream (read to its end); <paramref name="source"/> names it in errors.</summary>
    public static EdgeSession Load(Stream stream, EdgeSessionOptions? options = null, string source = "stream")
    {
        options ??= new EdgeSessionOptions();
        return new EdgeSession(EdgeModelReader.Read(stream, source, options.VerifyChecksum), source, options);
    }

    /// <summary>Loads a model held in memory; <paramref name="source"/> names it in errors.</summary>
    public static EdgeSession Load(ReadOnlyMemory<byte> file, EdgeSessionOptions? options = null, string source = "memory")
    {
        options ??= new EdgeSessionOptions();
        return new EdgeSession(EdgeModelReader.Read(file.Span, source, options.VerifyChecksum), source, options);
    }

    /// <summary>Prepares a model already in memory (e.g. the converter's output), with the same checks as a file.</summary>
    public static EdgeSession FromModel(EdgeModel model, EdgeSessionOptions? options = null, string source = "model")
        => new(model, source, options ?? new EdgeSessionOptions());

    // ── Metadata ────────────────────────────────────────────────────────────────────────────────────────────────────

    /// <summary>The model as read (for reports; the session keeps its own prepared copy of everything it runs).</summary>
    public EdgeModel Model { get; }

    /// <summary>The file or stream name the model came from.</summary>
    public string Source { get; }

    /// <summary>The path the kernels with SIMD versions run (resolved from <see cref="EdgeSessionOptions.Kernels"/>).</summary>
    public KernelPath KernelPath { get; }

    /// <summary>The model input (a session runs models with one input).</summary>
    public IReadOnlyList<SessionTensorInfo> Inputs { get; }

    public IReadOnlyList<SessionTensorInfo> Outputs { get; }

    /// <summary>The input's preprocessing as recorded in the model.</summary>
    public SessionNormalization Normalization { get; }

    /// <summary>Class labels of the first output; empty when the model has none.</summary>
    public IReadOnlyList<string> Labels { get; }

    public IReadOnlyList<SessionOperatorInfo> Operators { get; }

    /// <summary>Where every buffer lives in the arena; offsets in the order of <see cref="ArenaBuffers"/>.</summary>
    internal ArenaPlan ArenaPlan => _memory.Plan;

    /// <summary>The buffers given to the planner (tensors that share bytes — views, in-place outputs — are one buffer).</summary>
    internal IReadOnlyList<BufferLifetime> ArenaBuffers => _memory.Buffers;

    /// <summary>Model tensor indices held by each of <see cref="ArenaBuffers"/>.</summary>
    internal IReadOnlyList<int[]> ArenaBufferTensors => _memory.BufferTensors;

    /// <summary>Bytes of the one arena that holds every tensor.</summary>
    public long ArenaBytes => _memory.Plan.ArenaSize;

    /// <summary>The largest sum of buffers alive at one step: no arena can be smaller.</summary>
    public long LowerBoundBytes => _memory.Plan.LowerBound;

    /// <summary>One buffer per planned buffer, nothing shared in time.</summary>
    public long NaiveBytes => _memory.Plan.NaiveSize;

    /// <summary>Bytes of scratch one thread needs (the largest any operator needs); the session holds one such region per thread.</summary>
    public int ScratchBytes => _ops.Length == 0 ? 0 : _ops.Max(o => o.ScratchBytes);

    /// <summary>Threads that run one <c>Run</c>, the caller included (<see cref="EdgeSessionOptions.Threads"/> resolved).</summary>
    public int Threads { get; }

    /// <summary>Bytes of constants (weights, biases, multipliers, tables) over all operators, as stored in the model.</summary>
    public long WeightBytes => _ops.Sum(o => o.WeightBytes);

    /// <summary>The height and width of an image input (0, 0 when the input is not an image).</summary>
    public (int Height, int Width) ImageSize => _input.IsImage ? _input.ImageSize : (0, 0);

    public override string ToString() => $"EdgeSession {Source}: {_ops.Length} operators, arena {ArenaBytes} bytes, {KernelPath}";
}
