using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Float;

namespace Edge.Conformance.Families;

/// <summary>
/// <see cref="Float32Quantize"/> (the session's float input and Quantize operators) on its Vector128, AVX2 and AVX-512 paths against
/// the scalar rule <see cref="QuantizationParams.Quantize"/>, bit for bit: values on and one ulp beside the rounding ties
/// <c>(k + ½)·s</c>, on the clamp's edges, ±0, ±∞, NaN, subnormals, the float range's ends and uniform values; lengths that
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
            var p = new QuantizationParams(k % 5 == 0 ? 1f : CaseData.Scale(rng), CaseData.ZeroPoint(rng));
            int length = rng.Next(0, 4) == 0 ? rng.Next(0, 17) : rng.Next(17, 700);
            int stride = CaseData.Pick(rng, 1, 1, 3, 4, 2, 5);
            var x = Values(rng, p, length);
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

    private static float[] Values(Random rng, QuantizationParams p, int length)
    {
        float[] special = [0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, float.Epsilon, -float.Epsilon,
            float.MaxValue, float.MinValue, 1e-30f, -1e-30f];
        var x = new float[length];
        for (int i = 0; i < length; i++)
        {
            int kind = rng.Next(6);
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
