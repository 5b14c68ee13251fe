using Edge.Runtime.Format;
using Edge.Runtime.Kernels;

namespace Edge.Runtime.Session.Operators;

/// <summary>
/// One prepared operator of a session: validated against its tensors at load, its kernel prepared (weights packed), and
/// run on spans of the session's arena. Subclasses are small adapters from the format to a kernel.
/// </summary>
internal abstract class SessionOp
{
    protected SessionOp(OpReader r)
    {
        Index = r.Index;
        Name = r.Op.Name;
        Type = r.Op.Type;
        Inputs = [.. r.Op.Inputs];
        Outputs = [.. r.Op.Outputs];
        WeightBytes = r.Op.Blobs.Sum(b => (long)b.Data.Length);
    }

    public int Index { get; }
    public string Name { get; }
    public EdgeOpType Type { get; }
    public int[] Inputs { get; }
    public int[] Outputs { get; }

    /// <summary>Bytes of constant data (weights, bias, multipliers, tables) the model stores for the operator.</summary>
    public long WeightBytes { get; }

    /// <summary>The kernel that runs, e.g. <c>Int8DepthwiseConv2d</c>.</summary>
    public abstract string Kernel { get; }

    /// <summary>The path the kernel runs (Scalar for kernels that have only their reference).</summary>
    public virtual KernelPath Path => KernelPath.Scalar;

    /// <summary>Bytes of the session's shared scratch buffer the operator needs.</summary>
    public virtual int ScratchBytes => 0;

    /// <summary>
    /// True for an element-wise operator whose inputs and output have one element size and which reads element i of every
    /// input before it writes element i of the output: its output may take over the buffer of an input that dies at this
    /// operator (the memory plan decides).
    /// </summary>
    public virtual bool CanRunInPlace => false;

    /// <summary>A view: the output is the input's bytes under another shape, so the two share one buffer and Run does nothing.</summary>
    public virtual bool IsView => false;

    public abstract void Run(in ArenaView arena);

    /// <summary>
    /// For threads: how many independent work items <see cref="Run"/> splits into (output rows, or tiles of output pixels
    /// and channels); 1 means the operator runs whole, on one thread. Work items write disjoint output bytes and read only
    /// inputs, so any split of [0, WorkItems) into ranges, run on any threads in any order, gives the same bytes as
    /// <see cref="Run"/>.
    /// </summary>
    public virtual int WorkItems => 1;

    /// <summary>
    /// Ranges per thread the pool cuts <see cref="WorkItems"/> into (<see cref="Threading.WorkerPool.Run"/>): several by
    /// default, so that a thread slowed down takes fewer; 1 for an operator whose every range pays a setup.
    /// </summary>
    public virtual int ChunksPerThread => Threading.WorkerPool.ChunksPerThread;

    /// <summary>
    /// The least work (multiply-adds, or window taps for pools) an operator splits across threads for: 2^18, about 5 µs
    /// of a fast kernel on one core. Below it, handing out the parts costs about what it saves (measured: LeNet-5 at 2
    /// threads took 0.044–0.092 ms against 0.032–0.048 ms at 1 when its 10^4–10^5-MAC layers were split).
    /// </summary>
    public const long MinWorkToSplit = 1 << 18;

    /// <summary>
    /// Runs work items [<paramref name="begin"/>, <paramref name="end"/>). <paramref name="arena"/>'s scratch is this
    /// worker's own (<see cref="ScratchBytes"/> long), never shared with another worker. Operators that do not split
    /// (<see cref="WorkItems"/> = 1) run whole.
    /// </summary>
    public virtual void RunRange(in ArenaView arena, int begin, int end)
    {
        if (begin != 0 || end != WorkItems)
            throw new ArgumentOutOfRangeException(nameof(begin), $"{this} runs whole: work items [0, {WorkItems}), not [{begin}, {end})");
        Run(arena);
    }

    public override string ToString() => $"operator {Index} '{Name}' ({Type}) → {Kernel}/{Path}";
}
