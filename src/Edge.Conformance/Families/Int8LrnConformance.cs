using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Elementwise;

namespace Edge.Conformance.Families;

/// <summary>
/// <see cref="Int8Lrn"/> (one path, the scalar reference) across odd channel counts and window sizes (odd and even, the
/// window clipped at both ends): bit-exact with the contract written out in float32
/// (<c>x[c] / (bias + alpha/size·Σ x[j]²)^beta</c>, the sum in increasing j), and within 1 LSB of the same in double.
/// </summary>
public static class Int8LrnConformance
{
    public static IEnumerable<ConformanceCase> Cases(KernelPath path, bool quick)
    {
        if (path != KernelPath.Scalar) yield break;
        int count = quick ? 6 : 40;
        for (int k = 0; k < count; k++)
        {
            var rng = new Random(9_000 + k);
            int pixels = 1 + rng.Next(20), channels = CaseData.Pick(rng, 1, 2, 3, 7, 13, 17, 33);
            int size = CaseData.Pick(rng, 1, 2, 3, 4, 5, 7);
            float alpha = CaseData.Pick(rng, 1e-4f, 0.5f, 1f), beta = CaseData.Pick(rng, 0.5f, 0.75f, 1f), bias = CaseData.Pick(rng, 1f, 2f);
            var input = new QuantizationParams((float)CaseData.Uniform(rng, 0.01, 0.1), CaseData.ZeroPoint(rng));
            var output = new QuantizationParams((float)CaseData.Uniform(rng, 0.005, 0.05), CaseData.ZeroPoint(rng));
            int seed = 90_000 + k;
            yield return new ConformanceCase("Int8Lrn/Scalar",
                $"{pixels} pixels x {channels} channels, size {size}, alpha {alpha}, beta {beta}, bias {bias}, input {input}, output {output}, seed {seed}", () =>
            {
                var op = Int8Lrn.Prepare(pixels, channels, size, alpha, beta, bias, input, output);
                var x = CaseData.Activations(new Random(seed), pixels * channels);
                var y = new sbyte[x.Length];
                Int8Lrn.Run(op, x, y);
                var contract = new sbyte[x.Length];
                var inDouble = new sbyte[x.Length];
                int before = (size - 1) / 2, after = size - 1 - before;
                for (int p = 0; p < pixels; p++)
                    for (int c = 0; c < channels; c++)
                    {
                        float sum = 0f;
                        double sumD = 0;
                        for (int j = Math.Max(0, c - before); j <= Math.Min(channels - 1, c + after); j++)
                        {
                            float v = input.Dequantize(x[p * channels + j]);
                            sum += v * v;
                            double d = input.DequantizeDouble(x[p * channels + j]);
                            sumD += d * d;
                        }
                        contract[p * channels + c] = output.Quantize(input.Dequantize(x[p * channels + c]) / MathF.Pow(bias + alpha / size * sum, beta));
                        inDouble[p * channels + c] = output.Quantize(input.DequantizeDouble(x[p * channels + c]) / Math.Pow(bias + (double)alpha / size * sumD, beta));
                    }
                return Compare.All(
                    () => Compare.FirstDifference<sbyte>(contract, y, Compare.Nhwc(1, pixels, channels)),
                    () => Compare.WithinLsb(inDouble, y, 1, Compare.Nhwc(1, pixels, channels)));
            });
        }
    }
}
