using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Tests.Arithmetic;

/// <summary>The Vector128 and AVX2 output stages (per-lane int64 requantization) bit-exact with the scalar one.</summary>
[Trait("Category", "Conformance")]
public class OutputStageConformanceTests
{
    [Fact]
    public void Vector_lanes_equal_the_scalar_stage()
    {
        var rng = new Random(42);
        var special = new[] { int.MinValue, int.MinValue + 1, -1, 0, 1, int.MaxValue - 1, int.MaxValue };
        for (int round = 0; round < 2_000; round++)
        {
            var multipliers = new QuantizedMultiplier[8];
            for (int c = 0; c < multipliers.Length; c++)
            {
                multipliers[c] = (rng.Next(8)) switch
                {
                    0 => new QuantizedMultiplier(1 << 30, 30),           // r ≈ 1 with n = 30
                    1 => new QuantizedMultiplier(rng.Next(0, (1 << 29) + 1), 29), // n below 31, M ≤ 2^n
                    2 => new QuantizedMultiplier(0, 62),
                    3 => new QuantizedMultiplier(int.MaxValue, 62),
                    4 => new QuantizedMultiplier(int.MaxValue, 31),
                    _ => QuantizedMultiplier.FromReal(Math.ScaleB(rng.NextDouble(), -rng.Next(0, 34))),
                };
            }
            int zp = rng.Next(-128, 128);
            int lo = rng.Next(-128, 128), hi = rng.Next(lo, 128);
            var stage = new OutputStage(multipliers, zp, round % 3 == 0 ? ClampRange.Full : new ClampRange(lo, hi));
            for (int first = 0; first < 8; first += 4)
            {
                var acc = new int[4];
                for (int i = 0; i < 4; i++) acc[i] = rng.Next(4) == 0 ? special[rng.Next(special.Length)] : rng.Next(int.MinValue, int.MaxValue);
                var vector = stage.Apply(Vector128.Create(acc), first);
                for (int i = 0; i < 4; i++)
                {
                    int scalar = stage.Apply(acc[i], first + i);
                    if (scalar != vector.GetElement(i))
                        Assert.Fail($"round {round}, lane {i}: acc {acc[i]}, {multipliers[first + i]}, zp {zp}, clamp {stage.Clamp}: scalar {scalar}, vector {vector.GetElement(i)}");
                }
            }
        }
    }

    /// <summary>
    /// The AVX2 stage, eight lanes from any channel (the last blocks reach into the padding), on the same multipliers and
    /// accumulators as above. Without AVX2 there is nothing to run: the Vector128 test covers the path that runs instead.
    /// </summary>
    [Fact]
    public void Avx2_lanes_equal_the_scalar_stage()
    {
        if (!Avx2.IsSupported) return;
        var rng = new Random(43);
        var special = new[] { int.MinValue, int.MinValue + 1, -1, 0, 1, int.MaxValue - 1, int.MaxValue };
        for (int round = 0; round < 2_000; round++)
        {
            var multipliers = new QuantizedMultiplier[1 + rng.Next(12)];
            for (int c = 0; c < multipliers.Length; c++)
            {
                multipliers[c] = (rng.Next(9)) switch
                {
                    0 => new QuantizedMultiplier(1 << 30, 30),
                    1 => new QuantizedMultiplier(rng.Next(0, (1 << 29) + 1), 29),
                    2 => new QuantizedMultiplier(0, 62),
                    3 => new QuantizedMultiplier(int.MaxValue, 62),
                    4 => new QuantizedMultiplier(int.MaxValue, 31),
                    5 => new QuantizedMultiplier(rng.Next(0, 2), 1),
                    _ => QuantizedMultiplier.FromReal(Math.ScaleB(rng.NextDouble(), -rng.Next(0, 34))),
                };
            }
            int zp = rng.Next(-128, 128);
            int lo = rng.Next(-128, 128), hi = rng.Next(lo, 128);
            var stage = new OutputStage(multipliers, zp, round % 3 == 0 ? ClampRange.Full : new ClampRange(lo, hi));
            for (int first = 0; first < multipliers.Length; first++)
            {
                var acc = new int[8];
                for (int i = 0; i < 8; i++) acc[i] = rng.Next(4) == 0 ? special[rng.Next(special.Length)] : rng.Next(int.MinValue, int.MaxValue);
                var vector = stage.Apply(Vector256.Create(acc), first);
                for (int i = 0; i < 8 && first + i < multipliers.Length; i++)
                {
                    int scalar = stage.Apply(acc[i], first + i);
                    if (scalar != vector.GetElement(i))
                        Assert.Fail($"round {round}, lane {i}: acc {acc[i]}, {multipliers[first + i]}, zp {zp}, clamp {stage.Clamp}: scalar {scalar}, AVX2 {vector.GetElement(i)}");
                }
            }
        }
    }
}
