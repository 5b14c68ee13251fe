using System.Numerics;
using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Elementwise;

namespace Edge.Conformance.Families;

/// <summary>
/// <see cref="Int8Rescale"/> (one path, the scalar reference) on every int8 input: bit-exact with the contract
/// <c>clamp(requantize((x − zp_x)·2^20, M, n) + zp_out)</c> evaluated in arbitrary precision, and within 1 LSB of
/// <c>round(s_x·(x − zp_x) / s_out) + zp_out</c> in double; equal parameters copy.
/// </summary>
public static class Int8RescaleConformance
{
    public static IEnumerable<ConformanceCase> Cases(KernelPath path, bool quick)
    {
        if (path != KernelPath.Scalar) yield break;
        int count = quick ? 8 : 64;
        for (int k = 0; k < count; k++)
        {
            var rng = new Random(5_000 + k);
            var from = new QuantizationParams(CaseData.Scale(rng), CaseData.ZeroPoint(rng));
            // Output scales from a tenth to ten times the input's: ratios above and below 1, as Concat inputs have.
            var to = k % 8 == 0 ? from : new QuantizationParams(from.Scale * (float)Math.Pow(10, CaseData.Uniform(rng, -1, 1)), CaseData.ZeroPoint(rng));
            yield return new ConformanceCase("Int8Rescale/Scalar", $"{from} → {to}, every int8 input", () =>
            {
                var op = Int8Rescale.Prepare(from, to);
                var x = Enumerable.Range(-128, 256).Select(q => (sbyte)q).ToArray();
                var y = new sbyte[256];
                Int8Rescale.Run(op, x, y);
                if (op.IsIdentity) return Compare.FirstDifference<sbyte>(x, y, i => $" (x {x[i]})");
                var contract = x.Select(q => Contract(q, op)).ToArray();
                var oracle = x.Select(q => to.Quantize(from.DequantizeDouble(q))).ToArray();
                return Compare.All(
                    () => Compare.FirstDifference<sbyte>(contract, y, i => $" (x {x[i]}, {op.Multiplier})"),
                    () => Compare.WithinLsb(oracle, y, 1, i => $" (x {x[i]})"));
            });
        }
    }

    /// <summary>The contract in arbitrary precision (floor division for the arithmetic shift).</summary>
    internal static sbyte Contract(sbyte x, Int8Rescale op)
    {
        var acc = (BigInteger)(x - op.InputZeroPoint) << Int8Rescale.LeftShift;
        var q = op.Multiplier;
        var numerator = acc * q.Multiplier + (BigInteger.One << (q.Shift - 1));
        var quotient = BigInteger.DivRem(numerator, BigInteger.One << q.Shift, out var remainder);
        if (remainder.Sign < 0) quotient -= 1;
        return (sbyte)(int)BigInteger.Clamp(quotient + op.OutputZeroPoint, sbyte.MinValue, sbyte.MaxValue);
    }
}
