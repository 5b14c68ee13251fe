using Edge.Core.Shapes;
using Edge.Runtime.Format;
using Edge.Runtime.Planning;
using Edge.Runtime.Session;
using Edge.Runtime.Tests.Session.Support;

namespace Edge.Runtime.Tests.Session;

/// <summary>The session's arena: one buffer per group of tensors that share bytes, no live overlap, views and in-place aliasing.</summary>
public class SessionMemoryTests
{
    [Theory]
    [MemberData(nameof(SessionConformanceTests.Cases), MemberType = typeof(SessionConformanceTests))]
    public void No_two_live_buffers_overlap_and_the_arena_is_between_the_bounds(string name)
    {
        var s = EdgeSession.FromModel(SessionCases.All[name]().Model);
        Assert.Empty(ArenaPlanner.FindOverlaps(s.ArenaBuffers, s.ArenaPlan.Offsets));
        Assert.InRange(s.ArenaBytes, s.LowerBoundBytes, s.NaiveBytes);
        Assert.Equal(s.ArenaBuffers.Count, s.ArenaBufferTensors.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Every_workers_scratch_region_starts_on_64_bytes_and_none_overlaps_another(int threads)
    {
        // The kernels read row windows, im2col blocks and pair rows from the scratch in whole vectors, planned from its start.
        var s = EdgeSession.FromModel(SessionCases.Everything(29).Model, new EdgeSessionOptions { Threads = threads });
        var regions = Enumerable.Range(0, threads).Select(s.ScratchRegionOf).ToArray();
        Assert.All(regions, r => Assert.Equal(0, r.Address % 64));
        Assert.All(regions, r => Assert.True(r.Length > 0));
        for (int i = 1; i < regions.Length; i++) Assert.True(regions[i].Address >= regions[i - 1].Address + regions[i - 1].Length);
        s.Dispose();
    }

    [Fact]
    public void Every_tensor_an_operator_touches_lies_inside_the_arena_and_live_tensors_never_share_bytes()
    {
        var b = SessionCases.Everything(23);
        var s = EdgeSession.FromModel(b.Model);
        var model = b.Model;
        // Per step, the tensors alive then, by the execution order; no two of different buffers may intersect.
        var (first, last) = Lifetimes(model);
        var slot = new Dictionary<int, (long Offset, long Length)>();
        for (int buffer = 0; buffer < s.ArenaBuffers.Count; buffer++)
            foreach (var t in s.ArenaBufferTensors[buffer])
            {
                slot[t] = (s.ArenaPlan.Offsets[buffer], model.Tensors[t].ByteCount);
                Assert.InRange(slot[t].Offset + slot[t].Length, 0, s.ArenaBytes);
            }
        var bufferOf = s.ArenaBufferTensors.SelectMany((ts, i) => ts.Select(t => (t, i))).ToDictionary(p => p.t, p => p.i);
        foreach (var a in slot.Keys)
            foreach (var c in slot.Keys)
            {
                if (a >= c || bufferOf[a] == bufferOf[c] || first[a] > last[c] || first[c] > last[a]) continue;
                bool intersect = slot[a].Offset < slot[c].Offset + slot[c].Length && slot[c].Offset < slot[a].Offset + slot[a].Length;
                Assert.False(intersect, $"tensors '{model.Tensors[a].Name}' and '{model.Tensors[c].Name}' are alive together and share bytes");
            }
    }

    [Fact]
    public void A_reshape_output_is_its_input_under_another_shape()
    {
        var b = SessionCases.All["flatten then gemm"]();
        var s = EdgeSession.FromModel(b.Model);
        var reshape = b.Model.Ops.Single(o => o.Type == EdgeOpType.Reshape);
        Assert.Contains(s.ArenaBufferTensors, ts => ts.Contains(reshape.Inputs[0]) && ts.Contains(reshape.Outputs[0]));
        Assert.True(s.Operators.Single(o => o.Type == EdgeOpType.Reshape).InPlace);
    }

    [Fact]
    public void An_element_wise_operator_writes_over_an_input_that_dies_there()
    {
        // conv → lookup → lookup: each lookup's input dies at the lookup, so all three share one buffer.
        var b = new ModelBuilder(31);
        int x = b.Input([1, 6, 6, 4]);
        int a = b.Conv(x, 4, new Window2d(3, 3, 1, 1, 1, 1, 1, 1));
        int l1 = b.Lookup(a);
        int l2 = b.Lookup(l1);
        b.Output(l2);
        var s = EdgeSession.FromModel(b.Model);
        Assert.Contains(s.ArenaBufferTensors, ts => ts.Contains(a) && ts.Contains(l1) && ts.Contains(l2));
        Assert.All(s.Operators.Where(o => o.Type == EdgeOpType.Lookup), o => Assert.True(o.InPlace));
        Assert.Equal(2 * 192, s.ArenaBytes); // the input and one buffer for the rest, 144 bytes each, 64-byte aligned
        var input = Tests.Support.TestData.Activations(new Random(1), 144);
        Assert.Equal(b.Reference(input), SessionConformanceTests.RunRaw(s, input));
    }

    [Fact]
    public void An_input_still_read_later_is_not_overwritten_in_place()
    {
        var b = SessionCases.All["add (residual)"]();
        var s = EdgeSession.FromModel(b.Model);
        var lookup = s.Operators.Single(o => o.Type == EdgeOpType.Lookup);
        Assert.False(lookup.InPlace); // its input is the Add's other operand
        Assert.True(s.Operators.Single(o => o.Type == EdgeOpType.Add).InPlace);
    }

    private static (int[] First, int[] Last) Lifetimes(EdgeModel model)
    {
        int n = model.Tensors.Count, end = model.Ops.Count - 1;
        var first = Enumerable.Repeat(int.MaxValue, n).ToArray();
        var last = Enumerable.Repeat(-1, n).ToArray();
        first[model.Inputs[0].Tensor] = 0;
        for (int i = 0; i < model.Ops.Count; i++)
        {
            foreach (var t in model.Ops[i].Outputs) first[t] = Math.Min(first[t], i);
            foreach (var t in model.Ops[i].Inputs) last[t] = Math.Max(last[t], i);
        }
        foreach (var t in model.Outputs) last[t] = end;
        for (int t = 0; t < n; t++) last[t] = Math.Max(last[t], first[t]);
        return (first, last);
    }
}
