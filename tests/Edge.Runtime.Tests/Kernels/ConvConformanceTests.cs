using Edge.Core.Shapes;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Conv;
using Edge.Runtime.Tests.Support;

namespace Edge.Runtime.Tests.Kernels;

/// <summary>
/// The Vector128 and AVX2 convolutions held bit-exact to the scalar reference: on the random shapes of <see cref="ConvTests"/>
/// and on XNNPACK-style case families around the packing boundaries (4 and 8 output channels per block, K padded to 16).
/// Without AVX2 (DOTNET_EnableAVX2=0) the AVX2 entry point runs the Vector128 path, which is then what it is held to.
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
    /// vector path folds −zp·Σw into the bias and sums in another order.
    /// </summary>
    [Fact]
    public void Wrapping_accumulators_agree()
    {
        var c = new ConvCase(new Conv2dShape(1, 5, 5, 19, 9, new Window2d(3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1)), seed: 7,
            extreme: true, clamp: ClampKind.None, inputZeroPoint: 127);
        for (int o = 0; o < c.Bias.Length; o++) c.Bias[o] = o % 2 == 0 ? int.MaxValue - o : int.MinValue + o;
        AssertPathsAgree(c);
    }

    internal static int NonzeroZeroPoint(int i) => i * 37 % 255 - 128 is var zp && zp != 0 ? zp : 1;

    private static void AssertPathsAgree(ConvCase c)
    {
        var op = c.Conv();
        var scalar = new sbyte[c.Shape.OutputLength];
        var vector = new sbyte[c.Shape.OutputLength];
        var avx2 = new sbyte[c.Shape.OutputLength];
        Int8Conv2d.RunScalar(op, c.Input, scalar, []);
        Int8Conv2d.RunVector128(op, c.Input, vector, new byte[op.ScratchLength]);
        Exact.Equal<sbyte>(scalar, vector, $"Vector128 {c}", c.Locate);
        Int8Conv2d.RunAvx2(op, c.Input, avx2, new byte[op.ScratchLength]);
        Exact.Equal<sbyte>(scalar, avx2, $"AVX2 {c}", c.Locate);
    }
}
