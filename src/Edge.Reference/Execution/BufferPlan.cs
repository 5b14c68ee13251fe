using Edge.Core.Graph;
using Edge.Core.Tensors;

namespace Edge.Reference.Execution;

/// <summary>
/// Which buffer ("slot") holds each tensor of a sorted graph. Tensors whose lifetimes do not overlap share a slot, so
/// a deep network needs about two or three activation-sized buffers instead of one per tensor.
/// <para>
/// A tensor lives from the step that produces it (graph inputs: before the first node) to the last node that reads it
/// (graph outputs: to the end of the run). Walking the nodes in order, each output takes a free slot — the smallest
/// one that is large enough, else the largest free one, grown, else a new one — and after the node, the slots of the
/// tensors it read for the last time (and of outputs nobody reads) are freed. A node's inputs are freed only after its
/// outputs have their slots, so a kernel never writes over its own input.
/// </para>
/// </summary>
internal sealed class BufferPlan
{
    private BufferPlan(Dictionary<string, int> slotOf, List<long> capacities)
    {
        SlotOf = slotOf;
        Capacities = capacities;
    }

    public IReadOnlyDictionary<string, int> SlotOf { get; }

    /// <summary>Floats each slot must hold for the shapes the plan was built with.</summary>
    public IReadOnlyList<long> Capacities { get; }

    public static BufferPlan Build(IReadOnlyList<Node> nodes, IEnumerable<string> inputs, IEnumerable<string> outputs,
        IReadOnlyDictionary<string, TensorShape> shapes)
    {
        var lastUse = new Dictionary<string, int>();
        for (int i = 0; i < nodes.Count; i++)
        {
            foreach (var t in nodes[i].Inputs) lastUse[t] = i;
        }
        foreach (var t in outputs) lastUse[t] = nodes.Count;

        var slotOf = new Dictionary<string, int>();
        var capacities = new List<long>();
        var free = new List<int>();
        void Assign(string tensor)
        {
            long need = shapes[tensor].ElementCount;
            int best = -1;
            foreach (var s in free)
            {
                if (best < 0 || Better(capacities[s], capacities[best], need)) best = s;
            }
            if (best < 0)
            {
                best = capacities.Count;
                capacities.Add(0);
            }
            else
            {
                free.Remove(best);
            }
            capacities[best] = Math.Max(capacities[best], need);
            slotOf[tensor] = best;
        }
        // A slot that fits beats one that does not; among those that fit the smallest wins, among the others the largest.
        static bool Better(long candidate, long current, long need)
            => (candidate >= need) != (current >= need) ? candidate >= need
             : candidate >= need ? candidate < current : candidate > current;
        void Release(string tensor, int step)
        {
            if (lastUse.GetValueOrDefault(tensor, step) == step && !free.Contains(slotOf[tensor])) free.Add(slotOf[tensor]);
        }

        foreach (var t in inputs) Assign(t);
        for (int i = 0; i < nodes.Count; i++)
        {
            foreach (var t in nodes[i].Outputs) Assign(t);
            foreach (var t in nodes[i].Inputs) Release(t, i);
            foreach (var t in nodes[i].Outputs) Release(t, i);
        }
        return new BufferPlan(slotOf, capacities);
    }
}
