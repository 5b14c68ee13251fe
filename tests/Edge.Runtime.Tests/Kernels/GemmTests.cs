using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Gemm;
using Edge.Runtime.Tests.Support;

namespace Edge.Runtime.Tests.Kernels;

/// <summary>The int8 GEMM against the float oracle within 1 LSB, and every SIMD path bit-exact with the scalar reference.</summary>
public class GemmTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 1, 3, 7 }, { 2, 13, 17 }, { 1, 16, 10 }, { 2, 120, 84 }, { 1, 400, 120 }, { 2, 1024, 13 }, { 1, 17, 1 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Matches_the_float_oracle(int batch, int k, int m)
    {
        foreach (var clamp in Enum.GetValues<ClampKind>())
        {
            var c = new ConvCase(ConvCase.GemmShape(batch, k, m), seed: k * 31 + m + (int)clamp, clamp: clamp);
            var y = new sbyte[batch * m];
            Int8Gemm.RunScalar(c.Gemm(), c.Input, y, []);
            Exact.Within(c.Oracle(), y, 1, c.ToString(), i => $" (row {i / m}, output {i % m})", maxOffFraction: 0.01);
            Exact.Varied(y, c.ToString(), c.Stage.Clamp.Min, c.Stage.Clamp.Max);
        }
    }

    /// <summary>K in 1..33 and around larger multiples of 16, × M cycling 1..33, × N in 1..3; nonzero zero points, extremes, clamps.</summary>
    public static TheoryData<int> Families()
    {
        var data = new TheoryData<int>();
        foreach (var k in Enumerable.Range(1, 33).Concat([47, 48, 49, 63, 64, 65, 127, 128, 129, 255, 256, 257, 1000])) data.Add(k);
        return data;
    }

    [Theory]
    [Trait("Category", "Conformance")]
    [MemberData(nameof(Families))]
    public void Every_path_equals_scalar_on_families(int k)
    {
        int m = k * 7 % 33 + 1, n = k % 3 + 1;
        var c = new ConvCase(ConvCase.GemmShape(n, k, m), seed: k, extreme: k % 3 == 0,
            clamp: k % 2 == 0 ? ClampKind.Clip : ClampKind.Relu, inputZeroPoint: ConvConformanceTests.NonzeroZeroPoint(k));
        var op = c.Gemm();
        var scalar = new sbyte[n * m];
        Int8Gemm.RunScalar(op, c.Input, scalar, []);
        foreach (var path in GemmConformanceTests.MachinePaths)
        {
            var y = new sbyte[n * m];
            Int8Gemm.Run(op, c.Input, y, new byte[op.ScratchLength], path);
            Exact.Equal<sbyte>(scalar, y, $"{path} {c}", i => $" (row {i / m}, output {i % m})");
        }
    }

    [Fact]
    public void Reports_the_lengths_it_needs()
    {
        var c = new ConvCase(ConvCase.GemmShape(2, 20, 5), seed: 3);
        var op = c.Gemm();
        Assert.Equal(8 * 24, op.ScratchLength);   // eight rows of K = 20 padded to 24
        var e = Assert.Throws<ArgumentException>(() => Int8Gemm.RunScalar(op, new sbyte[39], new sbyte[10], []));
        Assert.Equal("input holds 39 elements, 40 are needed", e.Message);
        Assert.Throws<ArgumentException>(() => Int8Gemm.Run(op, c.Input, new sbyte[10], new byte[191], KernelPath.Vector128));
        Assert.Throws<ArgumentException>(() => Int8Gemm.Run(op, c.Input, new sbyte[10], new byte[191], KernelPath.Avx2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Int8Gemm.RunRange(op, c.Input, new sbyte[10], new byte[192], KernelPath.Avx2, 0, op.WorkItems + 1));
    }
}
