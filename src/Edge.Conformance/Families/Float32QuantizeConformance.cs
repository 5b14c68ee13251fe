using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Float;

namespace Edge.Conformance.Families;

/// <summary>
/// <see cref="Float32Quantize"/> (the session's float input and Quantize operators) on its Vector128, AVX2 and AVX-512 paths against
/// the scalar rule <see cref="QuantizationParams.Quantize"/>, bit for bit: values on and one ulp beside the rounding ties
/// <c>(k + ½)·s</c> (exact ties where the scale has a short significand), on the clamp's edges, ±0, ±∞, NaN, subnormals, the float range's ends and uniform values; lengths that
/// leave every remainder of the eight- and sixteen-value blocks; strides 1, 3, 4 and 5 (NCHW planes into NHWC; 5 takes the AVX2 blocks).
/// </summary>
public static class Float32QuantizeConformance
{
    public static IEnumerable<ConformanceCase> Cases(KernelPath path, bool quick)
    {
        if (path is not (KernelPath.Vector128 or KernelPath.Avx2 or KernelPath.Avx512BW)) yield break;
        int count = quick ? 16 : 96;
        for (int k = 0; k < count; k++)
        {
            var rng = new Random(7_100 + k);
            // Scales of a few significant bits (odd / 2^j) make (k + ½)·s an exact float: true ties, where a quotient by the
            // reciprocal can land an ulp off the half (AVX-512's product, which falls back to the division there); half of
            // these cases take a scale whose double reciprocal does so for most ties (found by search), the others random ones.
            bool ties = k % 4 == 1 && k % 5 != 0;
            // The last two: scales whose float reciprocal would be infinite or past the normal range (subnormal, tiny).
            float scale = k == count - 1 ? 1e-39f : k == count - 2 ? 3e-37f : k % 5 == 0 ? 1f
                : ties ? (k % 8 == 1 ? OffTieScales[k / 8 % OffTieScales.Length] : (2 * rng.Next(1, 2000) + 1) / (float)(1 << rng.Next(4, 14)))
                : CaseData.Scale(rng);
            var p = new QuantizationParams(scale, CaseData.ZeroPoint(rng));
            int length = rng.Next(0, 4) == 0 && !ties ? rng.Next(0, 17) : rng.Next(17, 700);
            int stride = ties ? CaseData.Pick(rng, 1, 3) : CaseData.Pick(rng, 1, 1, 3, 4, 2, 5);
            var x = Values(rng, p, length, ties);
            yield return new ConformanceCase($"Float32Quantize/{path}", $"seed {7_100 + k}: {length} values at stride {stride} to {p}", () =>
            {
                var y = new sbyte[Math.Max(1, length * stride)];
                var expected = new sbyte[y.Length];
                Array.Fill(y, (sbyte)99);
                Array.Fill(expected, (sbyte)99);
                for (int i = 0; i < length; i++) expected[i * stride] = p.Quantize(x[i]);
                Float32Quantize.Strided(x, y, stride, p, path);
                return Compare.FirstDifference<sbyte>(expected, y, i => i % stride == 0 && i / stride < length ? $" (x {x[i / stride]:R})" : " (a byte between strides)");
            });
        }
    }

    /// <summary>Scales for which x·fl(1/s) falls on the other side of the tie than fl(x/s) for 98–224 of the 254 ties in range.</summary>
    private static readonly float[] OffTieScales = [241.0625f, 0.33740234375f, 1.982421875f, 0.85107421875f, 43.046875f, 12.85546875f];

    /// <summary><paramref name="length"/> values of the kinds above; with <paramref name="ties"/>, half of them the ties themselves.</summary>
    private static float[] Values(Random rng, QuantizationParams p, int length, bool ties)
    {
        float[] special = [0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, float.Epsilon, -float.Epsilon,
            float.MaxValue, float.MinValue, 1e-30f, -1e-30f];
        var x = new float[length];
        for (int i = 0; i < length; i++)
        {
            int kind = ties && rng.Next(2) == 0 ? 1 : rng.Next(6);
            double tie = (rng.Next(-140, 140) + 0.5) * p.Scale;
            x[i] = kind switch
            {
                0 => special[rng.Next(special.Length)],
                1 => (float)tie,
                2 => MathF.BitIncrement((float)tie),
                3 => MathF.BitDecrement((float)tie),
                4 => (float)((rng.Next(-128, 128) - p.ZeroPoint) * (double)p.Scale),
                _ => (float)(CaseData.Uniform(rng, -160, 160) * p.Scale),
            };
        }
        return x;
    }
}
