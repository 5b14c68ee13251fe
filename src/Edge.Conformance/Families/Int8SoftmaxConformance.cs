using System.Runtime.InteropServices;
using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Elementwise;

namespace Edge.Conformance.Families;

/// <summary>
/// <see cref="Int8Softmax"/> (one path, the scalar reference) on rows of odd lengths: the float32 and int8 outputs
/// bit-exact with the contract written out (dequantize, <c>exp(x − max)</c> and the sum in index order in float32), and
/// within 1e-6 (float) or 1 LSB (int8, s = 1/256) of the softmax in double. The exponential comes from the platform's
/// C library; the double oracle is what holds it on a device whose <c>expf</c> rounds differently.
/// </summary>
public static class Int8SoftmaxConformance
{
    public static IEnumerable<ConformanceCase> Cases(KernelPath path, bool quick)
    {
        if (path != KernelPath.Scalar) yield break;
        int count = quick ? 6 : 40;
        for (int k = 0; k < count; k++)
        {
            var rng = new Random(8_000 + k);
            int rows = 1 + rng.Next(4), length = CaseData.Pick(rng, 1, 2, 3, 7, 10, 13, 17, 100, 1000);
            var input = new QuantizationParams((float)CaseData.Uniform(rng, 0.01, 0.2), CaseData.ZeroPoint(rng));
            int seed = 80_000 + k;
            yield return new ConformanceCase("Int8Softmax/Scalar", $"{rows} rows of {length}, input {input}, seed {seed}", () =>
            {
                var op = Int8Softmax.Prepare(rows, length, input);
                var x = CaseData.Activations(new Random(seed), rows * length);
                var probabilities = new float[x.Length];
                var quantized = new sbyte[x.Length];
                Int8Softmax.RunFloat(op, x, probabilities);
                Int8Softmax.RunInt8(op, x, quantized);
                var (contract, inDouble) = Expected(x, rows, length, input);
                var outParams = Int8Softmax.Int8Output;
                var contractInt8 = contract.Select(p => outParams.Quantize(p)).ToArray();
                var oracleInt8 = inDouble.Select(p => outParams.Quantize(p)).ToArray();
                return Compare.All(
                    () => Compare.FirstDifference<int>(Bits(contract), Bits(probabilities), i => $" (row {i / length}, x {x[i]})"),
                    () => Compare.FirstDifference<sbyte>(contractInt8, quantized, i => $" (row {i / length}, x {x[i]}, int8)"),
                    () => Close(inDouble, probabilities, 1e-6),
                    () => Compare.WithinLsb(oracleInt8, quantized, 1, i => $" (row {i / length}, x {x[i]}, int8 against double)"));
            });
        }
    }

    private static (float[] Contract, double[] InDouble) Expected(sbyte[] x, int rows, int length, QuantizationParams input)
    {
        var contract = new float[x.Length];
        var inDouble = new double[x.Length];
        for (int r = 0; r < rows; r++)
        {
            var row = x.AsSpan(r * length, length);
            float max = float.NegativeInfinity, sum = 0f;
            double maxD = double.NegativeInfinity, sumD = 0;
            foreach (var q in row)
            {
                max = Math.Max(max, input.Dequantize(q));
                maxD = Math.Max(maxD, input.DequantizeDouble(q));
            }
            foreach (var q in row)
            {
                sum += MathF.Exp(input.Dequantize(q) - max);
                sumD += Math.Exp(input.DequantizeDouble(q) - maxD);
            }
            for (int i = 0; i < length; i++)
            {
                contract[r * length + i] = MathF.Exp(input.Dequantize(row[i]) - max) / sum;
                inDouble[r * length + i] = Math.Exp(input.DequantizeDouble(row[i]) - maxD) / sumD;
            }
        }
        return (contract, inDouble);
    }

    private static int[] Bits(float[] values) => MemoryMarshal.Cast<float, int>(values.AsSpan()).ToArray();

    private static string? Close(double[] oracle, float[] actual, double tolerance)
    {
        for (int i = 0; i < oracle.Length; i++)
            if (Math.Abs(oracle[i] - actual[i]) > tolerance) return $"index {i}: double {oracle[i]:R}, float {actual[i]:R}, more than {tolerance} apart";
        return null;
    }
}
