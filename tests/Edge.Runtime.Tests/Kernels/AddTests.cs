using Edge.Core.Graph;
using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels.Elementwise;
using Edge.Runtime.Tests.Support;

namespace Edge.Runtime.Tests.Kernels;

public class AddTests
{
    public static TheoryData<int> Seeds => new(Enumerable.Range(1, 20));

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Matches_the_float_oracle(int seed)
    {
        var rng = new Random(seed);
        var a = new QuantizationParams((float)TestData.Uniform(rng, 0.005, 0.2), rng.Next(-128, 128));
        var b = new QuantizationParams((float)(a.Scale * TestData.Uniform(rng, 0.2, 5)), rng.Next(-128, 128));
        var y = new QuantizationParams((float)((a.Scale + b.Scale) * TestData.Uniform(rng, 0.6, 1.5)), rng.Next(-40, 41));
        var clamp = TestData.Pick(rng, FusedClamp.None, FusedClamp.Relu, FusedClamp.Relu6);
        var op = Int8Add.FromScales(a, b, y, ClampRange.FromFusedClamp(clamp, y));
        int length = rng.Next(1, 200);
        var xa = TestData.Activations(rng, length, extreme: seed % 5 == 0);
        var xb = TestData.Activations(rng, length);
        var output = new sbyte[length];
        Int8Add.RunScalar(op, xa, xb, output);
        var oracle = new sbyte[length];
        for (int i = 0; i < length; i++) oracle[i] = y.Quantize(Math.Clamp(a.DequantizeDouble(xa[i]) + b.DequantizeDouble(xb[i]), clamp.Min, clamp.Max));
        Exact.Within(oracle, output, 1, $"seed {seed}: a {a}, b {b}, y {y}, clamp {clamp}; {op}");
    }

    [Fact]
    public void Derives_the_contract_multipliers()
    {
        var op = Int8Add.FromScales(new QuantizationParams(0.1f, 3), new QuantizationParams(0.05f, -4), new QuantizationParams(0.2f, 1), ClampRange.Full);
        Assert.Equal(0.5, op.MultiplierA.ToDouble(), 9);                      // s_a / (2·max) = 0.1 / 0.2
        Assert.Equal(0.25, op.MultiplierB.ToDouble(), 9);
        Assert.Equal(0.2 / (1 << 20) / 0.2, op.OutputMultiplier.ToDouble(), 15); // s_max2 / (2^20·s_out)
        sbyte[] xa = [3, 13, -128], xb = [-4, -4, 127], y = new sbyte[3];
        Int8Add.RunScalar(op, xa, xb, y);
        Assert.Equal([1, 6, 1 + (int)Math.Round((0.1 * -131 + 0.05 * 131) / 0.2, MidpointRounding.AwayFromZero)], y.Select(v => (int)v));
    }

    [Fact]
    public void Rejects_mismatched_lengths_and_an_output_scale_that_needs_r_of_1()
    {
        var p = new QuantizationParams(0.1f, 0);
        var op = Int8Add.FromScales(p, p, p, ClampRange.Full);
        Assert.Throws<ArgumentException>(() => Int8Add.RunScalar(op, new sbyte[3], new sbyte[4], new sbyte[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Int8Add.FromScales(p, p, new QuantizationParams(1e-9f, 0), ClampRange.Full));
    }
}
