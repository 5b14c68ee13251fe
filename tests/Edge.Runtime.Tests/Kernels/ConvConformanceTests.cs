using Edge.Core.Shapes;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Conv;
using Edge.Runtime.Tests.Support;

namespace Edge.Runtime.Tests.Kernels;

/// <summary>
/// Every convolution path this process offers (<see cref="GemmConformanceTests.MachinePaths"/>) held bit-exact to the scalar
/// reference on the random shapes of <see cref="ConvTests"/> and on case families around the engine's boundaries (tiles of
/// 1–8 pixels × 16 channels, K padded to 8, gathered windows padded to 16). The shipped families
/// (Int8ConvConformance) add kernel sizes 5–11, strides 4, groups and first layers.
/// </summary>
[Trait("Category", "Conformance")]
public class ConvConformanceTests
{
    public static TheoryData<int> RandomCases => new(Enumerable.Range(1, 40));

    [Theory]
    [MemberData(nameof(RandomCases))]
    public void Random_shapes(int seed) => AssertPathsAgree(ConvTests.RandomCase(seed));

    /// <summary>Kernel sizes 1/3/5/7 × input channels 1..33 (output channels cycling 1..33), spatial sizes 1..9, "same" padding.</summary>
    public static TheoryData<int, int> Families()
    {
        var data = new TheoryData<int, int>();
        foreach (var k in new[] { 1, 3, 5, 7 })
            for (int c = 1; c <= 33; c++) data.Add(k, c);
        return data;
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Kernel_size_and_channel_families(int k, int ic)
    {
        int oc = ic * 5 % 33 + 1, h = ic % 9 + 1, w = (ic + 4) % 9 + 1, stride = 1 + ic % 2;
        var window = new Window2d(k, k, stride, stride, k / 2, k / 2, k / 2, k / 2);
        var c = new ConvCase(new Conv2dShape(1, h, w, ic, oc, window), seed: k * 1000 + ic,
            extreme: ic % 3 == 0, clamp: ic % 2 == 0 ? ClampKind.Clip : ClampKind.Relu, inputZeroPoint: NonzeroZeroPoint(ic));
        AssertPathsAgree(c);
    }

    /// <summary>Grouped convolutions: 2, 3 and 4 groups × 1..9 input channels per group, with dilation and asymmetric padding.</summary>
    public static TheoryData<int, int> GroupFamilies()
    {
        var data = new TheoryData<int, int>();
        foreach (var g in new[] { 2, 3, 4 })
            for (int icg = 1; icg <= 9; icg++) data.Add(g, icg);
        return data;
    }

    [Theory]
    [MemberData(nameof(GroupFamilies))]
    public void Group_families(int group, int icg)
    {
        int ocg = (icg * 3 + group) % 7 + 1;
        var window = new Window2d(3, 3, 1 + icg % 2, 1, 2, 1, 0, 2, 2, 1 + group % 2);
        var c = new ConvCase(new Conv2dShape(2, 6 + icg % 3, 7, icg * group, ocg * group, window, group), seed: group * 100 + icg,
            extreme: icg % 2 == 0, clamp: ClampKind.Clip, inputZeroPoint: NonzeroZeroPoint(icg + group));
        AssertPathsAgree(c);
    }

    /// <summary>
    /// Accumulators that overflow int32 wrap in both paths alike (the contract defines them modulo 2^32), even though the
    /// vector paths fold −zp·Σw into the bias and sum in another order.
    /// </summary>
    [Fact]
    public void Wrapping_accumulators_agree()
    {
        var c = new ConvCase(new Conv2dShape(1, 5, 5, 19, 9, new Window2d(3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1)), seed: 7,
            extreme: true, clamp: ClampKind.None, inputZeroPoint: 127);
        for (int o = 0; o < c.Bias.Length; o++) c.Bias[o] = o % 2 == 0 ? int.MaxValue - o : int.MinValue + o;
        AssertPathsAgree(c);
    }

    /// <summary>The path each request runs is the one reported, and every request maps inside its family.</summary>
    [Fact]
    public void Every_requested_path_runs_a_path_of_its_family_or_the_portable_levels()
    {
        foreach (var p in Enum.GetValues<KernelPath>())
        {
            var runs = Int8Conv2d.PathFor(p);
            Assert.True(runs <= p || runs == KernelPath.Vector128 || (p.IsX86() && runs.IsX86()) || (p.IsArm64() && runs.IsArm64()), $"{p} runs {runs}");
            Assert.NotEqual(KernelPath.AvxVnni, runs);
        }
    }

    internal static int NonzeroZeroPoint(int i) => i * 37 % 255 - 128 is var zp && zp != 0 ? zp : 1;

    private static void AssertPathsAgree(ConvCase c)
    {
        var op = c.Conv();
        var scalar = new sbyte[c.Shape.OutputLength];
        Int8Conv2d.RunScalar(op, c.Input, scalar, []);
        foreach (var path in GemmConformanceTests.MachinePaths)
        {
            var y = new sbyte[c.Shape.OutputLength];
            Int8Conv2d.Run(op, c.Input, y, new byte[op.ScratchLength], path);
            Exact.Equal<sbyte>(scalar, y, $"{path} {c}", c.Locate);
        }
    }
}
