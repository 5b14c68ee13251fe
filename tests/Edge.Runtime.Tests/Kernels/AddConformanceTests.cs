using System.Runtime.Intrinsics;
using Edge.Core.Graph;
using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels.Elementwise;
using Edge.Runtime.Tests.Support;

namespace Edge.Runtime.Tests.Kernels;

/// <summary>
/// The Vector128 addition held bit-exact to the scalar reference: every pair of int8 inputs (65,536) for seeded parameter
/// sets from real scales and for hand-picked multipliers at the ends of their ranges (n from 1 to 62, M = 0, M = 2^(n−1));
/// every length 0..40 and a few longer ones (the 16-element blocks and the tail); in place on either input. Also the
/// int32 shifted requantization the vector path uses, against the int64 one, for every int8 difference.
/// </summary>
[Trait("Category", "Conformance")]
public class AddConformanceTests
{
    public static TheoryData<int> Seeds => new(Enumerable.Range(1, 24));

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Every_pair_of_inputs_from_real_scales(int seed)
    {
        var rng = new Random(seed);
        var a = new QuantizationParams((float)TestData.Uniform(rng, 0.002, 0.3), Zp(rng, seed));
        var b = new QuantizationParams((float)(a.Scale * TestData.Uniform(rng, 0.05, 20)), Zp(rng, seed + 1));
        var y = new QuantizationParams((float)((a.Scale + b.Scale) * TestData.Uniform(rng, 0.3, 2)), Zp(rng, seed + 2));
        var clamp = TestData.Pick(rng, FusedClamp.None, FusedClamp.Relu, FusedClamp.Relu6);
        AssertAllPairsAgree(Int8Add.FromScales(a, b, y, ClampRange.FromFusedClamp(clamp, y)));
    }

    public static TheoryData<int, int, int> Multipliers()
    {
        var data = new TheoryData<int, int, int>();
        foreach (int n in new[] { 1, 2, 5, 20, 21, 30, 31, 35, 36, 37, 40, 50, 51, 52, 61, 62 })
            data.Add(n, n, n == 1 ? 1 : 62 - n / 2);
        data.Add(31, 62, 31);
        data.Add(62, 31, 62);
        return data;
    }

    /// <summary>Input multipliers (M, n) at 1/2 (M = 2^(n−1)), just below it, and small; output multipliers up to r ≈ 1 and down to M = 0.</summary>
    [Theory]
    [MemberData(nameof(Multipliers))]
    public void Every_pair_of_inputs_with_edge_multipliers(int shiftA, int shiftB, int shiftOut)
    {
        var rng = new Random(shiftA * 100 + shiftB);
        foreach (int variant in Enumerable.Range(0, 4))
        {
            // M ≤ 2^(n−1) (r ≤ 1/2) and M < 2^31.
            long halfA = Math.Min(1L << (shiftA - 1), int.MaxValue), halfB = Math.Min(1L << (shiftB - 1), int.MaxValue);
            var mA = new QuantizedMultiplier(variant == 0 ? (int)halfA : (int)rng.NextInt64(0, halfA + 1), shiftA);
            var mB = new QuantizedMultiplier(variant == 1 ? 0 : (int)rng.NextInt64(0, halfB + 1), shiftB);
            long maxOut = Math.Min(1L << shiftOut, int.MaxValue);
            var mOut = new QuantizedMultiplier(variant == 2 ? (int)maxOut : variant == 3 ? 0 : (int)rng.NextInt64(0, maxOut + 1), shiftOut);
            int lo = rng.Next(-128, 128), hi = rng.Next(lo, 128);
            var op = Int8Add.Prepare(Zp(rng, variant), mA, Zp(rng, variant + 1), mB, mOut, Zp(rng, variant + 2),
                variant % 2 == 0 ? ClampRange.Full : new ClampRange(lo, hi));
            AssertAllPairsAgree(op);
        }
    }

    [Fact]
    public void Every_length_and_in_place()
    {
        var rng = new Random(5);
        var op = Int8Add.FromScales(new QuantizationParams(0.05f, -3), new QuantizationParams(0.11f, 9), new QuantizationParams(0.13f, -20),
            ClampRange.FromFusedClamp(FusedClamp.Relu6, new QuantizationParams(0.13f, -20)));
        foreach (int length in Enumerable.Range(0, 41).Concat([47, 48, 63, 64, 65, 255, 1000]))
        {
            var a = TestData.Activations(rng, length);
            var b = TestData.Activations(rng, length);
            var expected = new sbyte[length];
            Int8Add.RunScalar(op, a, b, expected);
            var actual = new sbyte[length];
            Int8Add.RunVector128(op, a, b, actual);
            Exact.Equal<sbyte>(expected, actual, $"{op}, length {length}");

            var inPlaceA = (sbyte[])a.Clone();
            Int8Add.RunVector128(op, inPlaceA, b, inPlaceA);
            Exact.Equal<sbyte>(expected, inPlaceA, $"{op}, length {length}, in place on a");
            var inPlaceB = (sbyte[])b.Clone();
            Int8Add.RunVector128(op, a, inPlaceB, inPlaceB);
            Exact.Equal<sbyte>(expected, inPlaceB, $"{op}, length {length}, in place on b");
        }
    }

    /// <summary>
    /// <c>requantize(d·2^20, M, n)</c> in int32 lanes equals the int64 one for every d in [−255, 255], every shift 1..62
    /// and multipliers at both ends of [0, 2^n] (M = 2^n, r = 1, included) and between.
    /// </summary>
    [Fact]
    public void Shifted_requantization_equals_the_int64_one_for_every_difference()
    {
        var rng = new Random(11);
        var d = Enumerable.Range(-255, 511).ToArray();
        for (int n = 1; n <= QuantizedMultiplier.MaxShift; n++)
        {
            long top = Math.Min(1L << n, int.MaxValue);
            var candidates = new List<long> { 0, 1, top, top - 1, top / 2, top / 2 + 1 };
            for (int i = 0; i < 20; i++) candidates.Add(rng.NextInt64(0, top + 1));
            foreach (long m in candidates)
            {
                var q = new QuantizedMultiplier((int)m, n);
                var requantizer = new ShiftedRequantizer(q);
                for (int i = 0; i < d.Length; i += 4)
                {
                    var lanes = new int[4];
                    for (int j = 0; j < 4; j++) lanes[j] = d[Math.Min(i + j, d.Length - 1)];
                    var vector = requantizer.Apply(Vector128.Create(lanes));
                    for (int j = 0; j < 4; j++)
                    {
                        int expected = Requantization.Requantize(lanes[j] << Int8Add.LeftShift, q);
                        if (expected != vector.GetElement(j)) Assert.Fail($"{q}, d {lanes[j]}: int64 {expected}, int32 lanes {vector.GetElement(j)}");
                    }
                }
            }
        }
    }

    /// <summary>Zero points: the extremes for some seeds, otherwise random.</summary>
    private static int Zp(Random rng, int i) => (i % 4) switch { 0 => -128, 1 => 127, _ => rng.Next(-128, 128) };

    /// <summary>All 65,536 (a, b) pairs in one call of each path (a runs slowest, b fastest).</summary>
    private static void AssertAllPairsAgree(Int8Add op)
    {
        var a = new sbyte[65536];
        var b = new sbyte[65536];
        for (int i = 0; i < 65536; i++)
        {
            a[i] = (sbyte)((i >> 8) - 128);
            b[i] = (sbyte)((i & 255) - 128);
        }
        var expected = new sbyte[65536];
        var actual = new sbyte[65536];
        Int8Add.RunScalar(op, a, b, expected);
        Int8Add.RunVector128(op, a, b, actual);
        Exact.Equal<sbyte>(expected, actual, op.ToString(), i => $" (a {a[i]}, b {b[i]})");
    }
}
