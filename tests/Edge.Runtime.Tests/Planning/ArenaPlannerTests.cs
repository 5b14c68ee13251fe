using Edge.Runtime.Planning;

namespace Edge.Runtime.Tests.Planning;

public class ArenaPlannerTests
{
    [Fact]
    public void A_chain_needs_only_two_buffers_at_a_time()
    {
        // x0 → x1 → x2 → x3: each tensor is produced at step i and read at step i+1
        var buffers = new[] { new BufferLifetime(1000, 0, 1), new BufferLifetime(800, 1, 2), new BufferLifetime(1000, 2, 3), new BufferLifetime(200, 3, 3) };
        var plan = ArenaPlanner.Plan(buffers);
        Assert.Empty(ArenaPlanner.FindOverlaps(buffers, plan.Offsets));
        Assert.Equal(1024 + 832, plan.LowerBound);
        Assert.Equal(plan.LowerBound, plan.ArenaSize);
        Assert.Equal(1024 + 832 + 1024 + 256, plan.NaiveSize);
    }

    [Fact]
    public void Offsets_are_aligned_and_plans_are_deterministic()
    {
        var buffers = RandomLifetimes(new Random(5), 40);
        var a = ArenaPlanner.Plan(buffers);
        var b = ArenaPlanner.Plan(buffers);
        Assert.Equal(a.Offsets, b.Offsets);
        Assert.All(a.Offsets, o => Assert.Equal(0, o % ArenaPlanner.DefaultAlignment));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Random_lifetimes_never_overlap_and_stay_between_the_bounds(int seed)
    {
        var rng = new Random(seed);
        for (int trial = 0; trial < 200; trial++)
        {
            var buffers = RandomLifetimes(rng, 1 + rng.Next(60));
            var plan = ArenaPlanner.Plan(buffers);
            var overlaps = ArenaPlanner.FindOverlaps(buffers, plan.Offsets);
            if (overlaps.Count > 0) Assert.Fail($"seed {seed} trial {trial}: buffers {overlaps[0].A} and {overlaps[0].B} overlap");
            Assert.InRange(plan.ArenaSize, plan.LowerBound, plan.NaiveSize);
        }
    }

    [Fact]
    public void Overlap_checker_finds_a_planted_conflict()
    {
        var buffers = new[] { new BufferLifetime(100, 0, 2), new BufferLifetime(100, 1, 3), new BufferLifetime(100, 4, 5) };
        Assert.Equal([(0, 1)], ArenaPlanner.FindOverlaps(buffers, [0, 50, 0]));
        Assert.Empty(ArenaPlanner.FindOverlaps(buffers, [0, 128, 0])); // 0 and 2 share bytes but never live together
    }

    [Fact]
    public void Residual_block_shape_reaches_the_lower_bound()
    {
        // x (0..3) feeds conv a (1..2) → conv b (2..3) → add (3) with x
        var buffers = new[] { new BufferLifetime(4096, 0, 3), new BufferLifetime(4096, 1, 2), new BufferLifetime(4096, 2, 3), new BufferLifetime(4096, 3, 3) };
        var plan = ArenaPlanner.Plan(buffers);
        Assert.Empty(ArenaPlanner.FindOverlaps(buffers, plan.Offsets));
        Assert.Equal(plan.LowerBound, plan.ArenaSize);
    }

    private static BufferLifetime[] RandomLifetimes(Random rng, int n)
        => Enumerable.Range(0, n).Select(_ =>
        {
            int first = rng.Next(30);
            return new BufferLifetime(rng.Next(1, 5000), first, first + rng.Next(6));
        }).ToArray();
}
