using Edge.Runtime.Format;
using Edge.Runtime.Planning;
using Edge.Runtime.Session.Operators;

namespace Edge.Runtime.Session;

/// <summary>
/// The memory plan of a session: every tensor the operators touch gets a slot in one arena.
/// <para>
/// Lifetimes come from the execution order: operator i runs at step i; a tensor lives from the step that writes it (the
/// model input: step 0) to the last step that reads it (a model output: the last step). Tensors that must share bytes are
/// merged into one buffer first, then <see cref="ArenaPlanner"/> places the buffers (largest first, first fit between live
/// buffers).
/// </para>
/// <para>
/// Aliasing rules — the two ways tensors share a buffer:
/// <list type="number">
/// <item>A view (Reshape): its output is its input's bytes under another shape. The two are one buffer whose lifetime is
/// the union of theirs.</item>
/// <item>In place: an element-wise operator (<see cref="SessionOp.CanRunInPlace"/>: Add, Lookup, Rescale, a float
/// activation) whose input buffer dies at that operator, and has the output's size, writes its output over it. The
/// kernels read element i of every input before they write element i, so the overlap is harmless. The merged buffer
/// lives from the input's first step to the output's last.</item>
/// </list>
/// </para>
/// <code>
///  step  operator          arena bytes →
///     0  conv1   x → a     [ x ][ a            ]
///     1  relu    a → a'    [ . ][ a = a'       ]       in place: a dies at step 1, a' takes its bytes
///     2  pool    a' → b    [ b ][ a'           ]       b reuses x's bytes: x died at step 0
///     3  flatten b → b'    [ b = b' ]                  a view: b' is b
///     4  gemm    b' → y    [ b'][ y ]
/// </code>
/// </summary>
internal sealed class SessionMemory
{
    private SessionMemory(TensorSlot[] slots, BufferLifetime[] buffers, int[][] members, ArenaPlan plan)
        => (Slots, Buffers, BufferTensors, Plan) = (slots, buffers, members, plan);

    /// <summary>Per tensor of the model: its offset and length in the arena (offset −1 when no operator uses it).</summary>
    public TensorSlot[] Slots { get; }

    /// <summary>The buffers given to the planner, in the order of <see cref="ArenaPlan.Offsets"/>.</summary>
    public BufferLifetime[] Buffers { get; }

    /// <summary>The tensors sharing each buffer.</summary>
    public int[][] BufferTensors { get; }

    public ArenaPlan Plan { get; }

    public static SessionMemory Build(EdgeModel model, IReadOnlyList<SessionOp> ops, string source, long maxArenaBytes)
    {
        int tensors = model.Tensors.Count, lastStep = Math.Max(0, ops.Count - 1);
        var first = new int[tensors];
        var last = new int[tensors];
        Array.Fill(first, -1);
        Array.Fill(last, -1);
        foreach (var input in model.Inputs) (first[input.Tensor], last[input.Tensor]) = (0, 0);
        for (int step = 0; step < ops.Count; step++)
        {
            foreach (var t in ops[step].Outputs) (first[t], last[t]) = (step, step);
            foreach (var t in ops[step].Inputs) last[t] = Math.Max(last[t], step);
        }
        foreach (var t in model.Outputs) last[t] = lastStep;

        var groups = new UnionFind(first, last);
        foreach (var op in ops.Where(o => o.IsView)) groups.Union(op.Inputs[0], op.Outputs[0]);
        for (int step = 0; step < ops.Count; step++)
        {
            var op = ops[step];
            if (!op.CanRunInPlace) continue;
            int output = groups.Find(op.Outputs[0]);
            foreach (var input in op.Inputs)
            {
                int g = groups.Find(input);
                if (g == output || groups.Last(g) != step || Bytes(model, input) != Bytes(model, op.Outputs[0])) continue;
                groups.Union(g, output);
                break;
            }
        }

        // One buffer per group of used tensors, sized for its largest member.
        var bufferOf = new Dictionary<int, int>();
        var buffers = new List<BufferLifetime>();
        var members = new List<List<int>>();
        for (int t = 0; t < tensors; t++)
        {
            if (first[t] < 0) continue;
            long bytes = Bytes(model, t);
            if (bytes > int.MaxValue) throw new EdgeModelFormatException(source, $"tensor '{model.Tensors[t].Name}' of {bytes} bytes is too large");
            int g = groups.Find(t);
            if (!bufferOf.TryGetValue(g, out int b))
            {
                bufferOf[g] = b = buffers.Count;
                buffers.Add(new BufferLifetime(0, groups.First(g), groups.Last(g)));
                members.Add([]);
            }
            buffers[b] = buffers[b] with { Size = Math.Max(buffers[b].Size, bytes) };
            members[b].Add(t);
        }

        var plan = ArenaPlanner.Plan(buffers);
        long limit = Math.Min(maxArenaBytes, Array.MaxLength - ArenaPlanner.DefaultAlignment);
        if (plan.ArenaSize > limit)
            throw new EdgeModelFormatException(source, $"the model needs an arena of {plan.ArenaSize:N0} bytes, more than the limit of {limit:N0} (EdgeSessionOptions.MaxArenaBytes)");
        var slots = new TensorSlot[tensors];
        Array.Fill(slots, new TensorSlot(-1, 0));
        for (int b = 0; b < buffers.Count; b++)
            foreach (var t in members[b]) slots[t] = new TensorSlot((int)plan.Offsets[b], (int)Bytes(model, t));
        return new SessionMemory(slots, buffers.ToArray(), members.Select(m => m.ToArray()).ToArray(), plan);
    }

    private static long Bytes(EdgeModel model, int tensor) => model.Tensors[tensor].ByteCount;

    /// <summary>Groups of tensors that share a buffer, with the union of their lifetimes.</summary>
    private sealed class UnionFind
    {
        private readonly int[] _parent;
        private readonly (int First, int Last)[] _span;

        public UnionFind(int[] first, int[] last)
        {
            _parent = new int[first.Length];
            _span = new (int, int)[first.Length];
            for (int i = 0; i < first.Length; i++) (_parent[i], _span[i]) = (i, (first[i], last[i]));
        }

        public int Find(int t)
        {
            while (_parent[t] != t) t = _parent[t] = _parent[_parent[t]];
            return t;
        }

        public int First(int g) => _span[g].First;
        public int Last(int g) => _span[g].Last;

        /// <summary>Merges the groups of <paramref name="a"/> and <paramref name="b"/>; the group lives as long as both did.</summary>
        public void Union(int a, int b)
        {
            int ga = Find(a), gb = Find(b);
            if (ga == gb) return;
            var (sa, sb) = (_span[ga], _span[gb]);
            _parent[gb] = ga;
            _span[ga] = (Math.Min(sa.First, sb.First), Math.Max(sa.Last, sb.Last));
        }
    }
}
