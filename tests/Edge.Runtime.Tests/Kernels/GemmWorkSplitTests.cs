using System.Runtime.InteropServices;
using Edge.Core.Shapes;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Gemm;
using Edge.Runtime.Session;
using Edge.Runtime.Session.Operators;
using Edge.Runtime.Tests.Session.Support;

namespace Edge.Runtime.Tests.Kernels;

/// <summary>
/// The session operators of convolution and GEMM split into work items (<see cref="SessionOp.WorkItems"/>): every random
/// split of [0, WorkItems) into ranges, run in shuffled order with one scratch buffer per range, gives exactly the bytes
/// of <see cref="SessionOp.Run"/>; and the operator reports the path that runs.
/// </summary>
public class GemmWorkSplitTests
{
    public static TheoryData<KernelPath> Paths() => GemmConformanceTests.Paths();

    [Theory]
    [MemberData(nameof(Paths))]
    public void Any_split_of_the_work_items_gives_the_bytes_of_Run(KernelPath path)
    {
        var b = new ModelBuilder(seed: 11);
        int x = b.Input([1, 31, 29, 5]);   // every operator above SessionOp.MinWorkToSplit
        int c1 = b.Conv(x, 24, new Window2d(3, 3, 1, 1, 1, 1, 1, 1), relu: true);          // im2col, 899 pixels
        int c2 = b.Conv(c1, 40, new Window2d(1, 1));                                        // 1×1 in place
        int c3 = b.Conv(c2, 20, new Window2d(3, 3, 2, 2, 0, 1, 1, 0), group: 4);             // grouped, strided
        int g = b.Gemm(c3, 70);                                                             // one row: splits over panels
        b.Output(g);
        var rng = new Random(5);
        int checkedOps = 0;
        for (int i = 0; i < b.Model.Ops.Count; i++)
        {
            var op = OpFactory.Create(new OpReader(b.Model, i, "split test"), path);
            if (op is not (Int8ConvOp or Int8GemmOp)) continue;
            checkedOps++;
            Assert.Equal(Edge.Runtime.Kernels.Conv.Int8Conv2d.PathFor(path), op.Path);
            var input = b.Model.Tensors[op.Inputs[0]];
            var output = b.Model.Tensors[op.Outputs[0]];
            int inBytes = (int)input.ByteCount, outBytes = (int)output.ByteCount;
            var slots = new TensorSlot[b.Model.Tensors.Count];
            slots[op.Inputs[0]] = new TensorSlot(0, inBytes);
            slots[op.Outputs[0]] = new TensorSlot(inBytes, outBytes);
            var arena = new byte[inBytes + outBytes];
            rng.NextBytes(arena.AsSpan(0, inBytes));
            var scratch = new byte[op.ScratchBytes];
            op.Run(new ArenaView(arena, scratch, slots));
            var expected = arena.AsSpan(inBytes).ToArray();
            if (path != KernelPath.Scalar) Assert.True(op.WorkItems > 1, $"{op} has {op.WorkItems} work items");
            for (int trial = 0; trial < 5; trial++)
            {
                arena.AsSpan(inBytes).Clear();
                var cuts = new[] { 0, op.WorkItems }.Concat(Enumerable.Range(0, rng.Next(0, 6)).Select(_ => rng.Next(0, op.WorkItems + 1)))
                    .Distinct().Order().ToArray();
                var ranges = cuts.Zip(cuts.Skip(1)).ToArray();
                rng.Shuffle(ranges);
                foreach (var (begin, end) in ranges)
                {
                    var own = new byte[op.ScratchBytes];   // each worker has its own scratch
                    op.RunRange(new ArenaView(arena, own, slots), begin, end);
                }
                Assert.True(expected.AsSpan().SequenceEqual(arena.AsSpan(inBytes)),
                    $"{op}: split {string.Join(" ", ranges.Select(r => $"[{r.First}, {r.Second})"))} of {op.WorkItems} differs from Run");
            }
        }
        Assert.Equal(4, checkedOps);
    }
    [Fact]
    public void Next_covers_a_range_s_items_once_in_calls_of_whole_row_blocks_or_of_one_row_block_s_rest()
    {
        var rng = new Random(3);
        foreach (var (rows, panels) in new[] { (1, 1), (1, 13), (49, 32), (100, 3), (250, 40), (1000, 7) })
        {
            var work = GemmWork.For(rows, panels, splitPanels: true);
            for (int trial = 0; trial < 50; trial++)
            {
                int begin = rng.Next(0, work.Items), end = rng.Next(begin + 1, work.Items + 1);
                var covered = new bool[rows, panels];
                for (int item = begin; item < end;)
                {
                    int before = item;
                    var (m0, m1, p0, p1) = work.Next(ref item, end);
                    Assert.True(item > before && item <= end);
                    int blockEnd = (before / work.PanelItems + 1) * work.PanelItems;
                    if (before % work.PanelItems == 0 && end >= blockEnd)
                    {
                        // Whole row blocks: all of those the range holds, every panel.
                        Assert.Equal(Math.Max(blockEnd, end / work.PanelItems * work.PanelItems), item);
                        Assert.Equal((0, panels), (p0, p1));
                    }
                    else Assert.Equal(Math.Min(end, blockEnd), item);
                    for (int m = m0; m < m1; m++)
                        for (int p = p0; p < p1; p++)
                        {
                            Assert.False(covered[m, p], $"{work}: [{begin}, {end}) covers row {m} panel {p} twice");
                            covered[m, p] = true;
                        }
                }
                for (int it = 0; it < work.Items; it++)
                {
                    var (m0, m1, p0, p1) = work.Item(it);
                    bool inside = it >= begin && it < end;
                    for (int m = m0; m < m1; m++)
                        for (int p = p0; p < p1; p++) Assert.Equal(inside, covered[m, p]);
                }
            }
        }
    }
}
