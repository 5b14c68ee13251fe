namespace Edge.Runtime.Planning;

/// <summary>
/// A buffer to place in the arena: its size in bytes and the first and last execution steps (inclusive) at which it
/// is alive. A graph input is alive from step 0, a graph output until the last step.
/// </summary>
internal readonly record struct BufferLifetime(long Size, int FirstStep, int LastStep)
{
    public bool OverlapsInTime(BufferLifetime other) => FirstStep <= other.LastStep && other.FirstStep <= LastStep;
}

/// <summary>Where each buffer lives in one arena, the arena's size, and what it is compared against.</summary>
/// <param name="Offsets">Byte offset of each buffer, in the order given to the planner.</param>
/// <param name="ArenaSize">Bytes the arena needs.</param>
/// <param name="LowerBound">The largest sum of (aligned) buffer sizes alive at one step: no plan can be smaller.</param>
/// <param name="NaiveSize">The sum of all (aligned) buffer sizes: one buffer per tensor, nothing shared.</param>
internal sealed record ArenaPlan(long[] Offsets, long ArenaSize, long LowerBound, long NaiveSize);

/// <summary>
/// Plans one arena for all intermediate tensors, the way tflite-micro's greedy planner does.
/// <para>
/// Buffers are placed largest first (ties: earlier first step, then lower index, so the plan is deterministic). Each goes
/// at the lowest aligned offset where it overlaps, in memory, no already placed buffer whose lifetime overlaps its own:
/// the planner walks the gaps between those live buffers, sorted by offset, and takes the first gap that fits
/// (first fit). Buffers whose lifetimes are disjoint share memory freely.
/// </para>
/// <code>
///  offset →  0          256        512         768
///  step 0    [ input    ]
///  step 1    [ input    ][ conv1 out          ]
///  step 2    [ pool out ][ conv1 out          ]     pool reuses input's bytes: input is dead after step 1
/// </code>
/// </summary>
internal static class ArenaPlanner
{
    public const int DefaultAlignment = 64;

    public static ArenaPlan Plan(IReadOnlyList<BufferLifetime> buffers, int alignment = DefaultAlignment)
    {
        if (alignment <= 0 || (alignment & (alignment - 1)) != 0) throw new ArgumentOutOfRangeException(nameof(alignment), "alignment must be a power of two");
        var sizes = new long[buffers.Count];
        for (int i = 0; i < buffers.Count; i++)
        {
            var b = buffers[i];
            if (b.Size < 0 || b.FirstStep > b.LastStep) throw new ArgumentException($"buffer {i}: size {b.Size}, steps {b.FirstStep}..{b.LastStep} are invalid");
            sizes[i] = Align(b.Size, alignment);
        }

        var order = Enumerable.Range(0, buffers.Count)
            .OrderByDescending(i => sizes[i]).ThenBy(i => buffers[i].FirstStep).ThenBy(i => i).ToArray();
        var offsets = new long[buffers.Count];
        var placed = new List<int>(buffers.Count);
        var live = new List<int>();
        long arena = 0;
        foreach (int i in order)
        {
            live.Clear();
            foreach (int p in placed)
            {
                if (buffers[p].OverlapsInTime(buffers[i])) live.Add(p);
            }
            live.Sort((a, b) => offsets[a].CompareTo(offsets[b]));
            long candidate = 0;
            foreach (int p in live)
            {
                if (offsets[p] - candidate >= sizes[i]) break; // the gap before p fits
                candidate = Math.Max(candidate, offsets[p] + sizes[p]);
            }
            offsets[i] = candidate;
            arena = Math.Max(arena, candidate + sizes[i]);
            placed.Add(i);
        }
        return new ArenaPlan(offsets, arena, LowerBound(buffers, sizes), sizes.Sum());
    }

    /// <summary>
    /// Pairs of buffers alive at the same step whose byte ranges intersect — empty for a correct plan. Tests run it on
    /// every plan; it is the planner's independent check.
    /// </summary>
    public static IReadOnlyList<(int A, int B)> FindOverlaps(IReadOnlyList<BufferLifetime> buffers, IReadOnlyList<long> offsets)
    {
        var conflicts = new List<(int, int)>();
        for (int a = 0; a < buffers.Count; a++)
        {
            for (int b = a + 1; b < buffers.Count; b++)
            {
                if (buffers[a].Size == 0 || buffers[b].Size == 0 || !buffers[a].OverlapsInTime(buffers[b])) continue;
                if (offsets[a] < offsets[b] + buffers[b].Size && offsets[b] < offsets[a] + buffers[a].Size) conflicts.Add((a, b));
            }
        }
        return conflicts;
    }

    private static long LowerBound(IReadOnlyList<BufferLifetime> buffers, long[] sizes)
    {
        if (buffers.Count == 0) return 0;
        int steps = buffers.Max(b => b.LastStep) + 1;
        var alive = new long[steps + 1];
        for (int i = 0; i < buffers.Count; i++)
        {
            alive[Math.Max(0, buffers[i].FirstStep)] += sizes[i];
            alive[buffers[i].LastStep + 1] -= sizes[i];
        }
        long running = 0, max = 0;
        for (int s = 0; s < steps; s++)
        {
            running += alive[s];
            max = Math.Max(max, running);
        }
        return max;
    }

    private static long Align(long size, int alignment) => (size + alignment - 1) & ~(long)(alignment - 1);
}
