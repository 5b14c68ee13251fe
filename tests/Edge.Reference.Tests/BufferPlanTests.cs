using Edge.Core.Graph;
using Edge.Core.Graph.Nodes;
using Edge.Core.Tensors;
using Edge.Reference.Execution;

namespace Edge.Reference.Tests;

public class BufferPlanTests
{
    [Fact]
    public void A_chain_needs_two_buffers()
    {
        var nodes = Enumerable.Range(0, 10).Select(i => (Node)new ReluNode($"r{i}", i == 0 ? "x" : $"t{i}", i == 9 ? "y" : $"t{i + 1}")).ToList();
        var graph = new ModelGraph("chain", [new("x", new(1, 100))], ["y"], nodes);
        var plan = BufferPlan.Build(graph.Nodes, ["x"], graph.Outputs, graph.InferShapes());
        Assert.Equal(2, plan.Capacities.Count);
        Assert.All(plan.Capacities, c => Assert.Equal(100, c));
    }

    [Fact]
    public void Tensors_alive_at_the_same_time_never_share_a_buffer()
    {
        var graph = TestGraphs.MiniMobileNet();
        graph.Validate();
        var shapes = graph.InferShapes(2);
        var plan = BufferPlan.Build(graph.Nodes, ["input"], graph.Outputs, shapes);

        // Lifetime of each tensor: [producing step, last reading step]; the input is produced at step −1.
        var born = new Dictionary<string, int> { ["input"] = -1 };
        var dies = new Dictionary<string, int>();
        for (int i = 0; i < graph.Nodes.Count; i++)
        {
            foreach (var o in graph.Nodes[i].Outputs) born[o] = dies[o] = i;
            foreach (var t in graph.Nodes[i].Inputs) dies[t] = i;
        }
        foreach (var o in graph.Outputs) dies[o] = graph.Nodes.Count;

        foreach (var a in born.Keys)
        {
            Assert.True(plan.Capacities[plan.SlotOf[a]] >= shapes[a].ElementCount, $"slot of '{a}' is too small");
            foreach (var b in born.Keys.Where(b => string.CompareOrdinal(a, b) < 0 && plan.SlotOf[a] == plan.SlotOf[b]))
            {
                bool overlap = born[a] <= dies[b] && born[b] <= dies[a];
                Assert.False(overlap, $"'{a}' [{born[a]}, {dies[a]}] and '{b}' [{born[b]}, {dies[b]}] share slot {plan.SlotOf[a]}");
            }
        }
        Assert.True(plan.Capacities.Count < born.Count, "some buffers are shared");
    }
}
