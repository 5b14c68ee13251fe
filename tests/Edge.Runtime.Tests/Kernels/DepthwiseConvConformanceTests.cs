using Edge.Conformance;
using Edge.Conformance.Families;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.DepthwiseConv;
using Edge.Runtime.Tests.Support;

namespace Edge.Runtime.Tests.Kernels;

/// <summary>
/// Every depthwise path this machine offers held bit-exact to the scalar reference: the shipped case families
/// (<see cref="Int8DepthwiseConformance"/>, which <c>edge selftest</c> runs too) and seeded random shapes. CI re-runs the
/// category with AVX-512, AVX2 and all intrinsics turned off, so each path below the machine's own runs somewhere.
/// </summary>
[Trait("Category", "Conformance")]
public class DepthwiseConvConformanceTests
{
    /// <summary>The SIMD paths this process accelerates (each distinct: a path that would fall back is left out).</summary>
    public static TheoryData<KernelPath> Paths() => new(Available());

    internal static KernelPath[] Available()
    {
        var paths = new[] { KernelPath.Vector128, KernelPath.AdvSimd, KernelPath.Avx2, KernelPath.Avx512BW, KernelPath.Avx512Vnni }.Where(p => KernelPaths.Supported(p) == p).ToArray();
        return paths.Length > 0 ? paths : [KernelPath.Vector128];   // nothing accelerated: the entry point runs the reference
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Case_families(KernelPath path) => ShippedCases.AssertAllPass(Int8DepthwiseConformance.Cases(path, quick: false));

    public static TheoryData<int, KernelPath> RandomCases()
    {
        var data = new TheoryData<int, KernelPath>();
        foreach (var path in Available())
            for (int seed = 1; seed <= 40; seed++) data.Add(seed, path);
        return data;
    }

    [Theory]
    [MemberData(nameof(RandomCases))]
    public void Random_shapes(int seed, KernelPath path)
    {
        var c = DepthwiseConvTests.RandomCase(seed);
        var op = c.Depthwise();
        var scalar = new sbyte[c.Shape.OutputLength];
        var actual = new sbyte[c.Shape.OutputLength];
        Int8DepthwiseConv2d.RunScalar(op, c.Input, scalar, []);
        Int8DepthwiseConv2d.Run(op, c.Input, actual, new byte[op.ScratchLength], path);
        Exact.Equal<sbyte>(scalar, actual, $"{path} {c}", c.Locate);
    }

    /// <summary>
    /// Which layers the VNNI column kernels take (so that the families above run them, and a change to the choice shows):
    /// filters of up to four rows at full groups of 64, 16 or 32 channels (four or two pixels per zmm) and strided layers;
    /// a stride-1 layer whose last group would be half empty or worse keeps the quad rows, and so do taller filters; a
    /// strided layer below 64 channels with every multiplier short runs AVX2. On a machine without the generated kernels, none.
    /// </summary>
    [Theory]
    [InlineData(14, 64, 3, 1, 1)]
    [InlineData(28, 16, 3, 2, 4, 0.3)]
    [InlineData(28, 16, 3, 2, 0)]
    [InlineData(28, 32, 3, 1, 2)]
    [InlineData(14, 96, 3, 2, 1)]
    [InlineData(14, 96, 3, 1, 0)]
    [InlineData(14, 64, 5, 1, 0)]
    [InlineData(14, 176, 1, 1, 1)]
    [InlineData(14, 130, 1, 1, 0)]
    public void The_column_kernels_take_the_layers_they_suit(int size, int channels, int k, int stride, int lanePixels, double multiplier = 0.01)
    {
        var window = new Edge.Core.Shapes.Window2d(k, k, stride, stride, k / 2, k / 2, k / 2, k / 2);
        var shape = new Conv2dShape(1, size, size, channels, channels, window, channels);
        var stage = new Edge.Runtime.Arithmetic.OutputStage(
            Enumerable.Repeat(Edge.Runtime.Arithmetic.QuantizedMultiplier.FromReal(multiplier), channels).ToArray(), 3, Edge.Runtime.Arithmetic.ClampRange.Full);
        var op = Int8DepthwiseConv2d.Prepare(shape, new sbyte[channels * k * k], [], 0, stage);
        if (!DepthwiseColumnCode.IsSupported) lanePixels = 0;
        Assert.Equal(lanePixels, op.Columns?.Kernel.LanePixels ?? 0);
    }

    /// <summary>A SIMD path needs <see cref="Int8DepthwiseConv2d.ScratchLength"/> bytes; where only the reference runs, none.</summary>
    [Fact]
    public void Too_little_scratch_is_an_argument_error()
    {
        var c = DepthwiseConvTests.RandomCase(3);
        var op = c.Depthwise();
        Assert.True(op.ScratchLength > 0);
        var y = new sbyte[c.Shape.OutputLength];
        if (Int8DepthwiseConv2d.PathFor(KernelPaths.Best) == KernelPath.Scalar)
        {
            var expected = new sbyte[y.Length];
            Int8DepthwiseConv2d.RunScalar(op, c.Input, expected, []);
            Int8DepthwiseConv2d.Run(op, c.Input, y, [], KernelPaths.Best);
            Assert.Equal(expected, y);
            return;
        }
        var e = Assert.Throws<ArgumentException>(() => Int8DepthwiseConv2d.Run(op, c.Input, y, new byte[op.ScratchLength - 1], KernelPaths.Best));
        Assert.Contains("scratch", e.Message);
    }
}

/// <summary>Runs shipped conformance cases and fails with every failing case's family, parameters and first difference.</summary>
internal static class ShippedCases
{
    public static void AssertAllPass(IEnumerable<ConformanceCase> cases)
    {
        var failures = new List<string>();
        int count = 0;
        foreach (var c in cases)
        {
            count++;
            string? result;
            try
            {
                result = c.Check();
            }
            catch (Exception e)
            {
                result = $"threw {e.GetType().Name}: {e.Message}";
            }
            if (result is not null) failures.Add($"{c}: {result}");
        }
        Assert.True(count > 0, "no cases");
        Assert.True(failures.Count == 0, $"{failures.Count} of {count} cases differ:\n{string.Join("\n", failures.Take(20))}");
    }
}
