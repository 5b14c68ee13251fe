using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Elementwise;

namespace Edge.Conformance.Families;

/// <summary>
/// <see cref="Int8Lookup"/> (one path, the scalar reference): <c>y = table[x + 128]</c> with random tables on inputs of
/// odd lengths, and tables built by <see cref="Int8Lookup.BuildTable"/> for the element-wise functions of the operator
/// list within 1 LSB of the function evaluated in double on the exact input.
/// </summary>
public static class Int8LookupConformance
{
    private static readonly (string Name, Func<float, float> F, Func<double, double> InDouble)[] Functions =
    [
        ("sigmoid", x => 1f / (1f + MathF.Exp(-x)), x => 1 / (1 + Math.Exp(-x))),
        ("tanh", MathF.Tanh, Math.Tanh),
        ("elu", x => x > 0 ? x : MathF.Exp(x) - 1f, x => x > 0 ? x : Math.Exp(x) - 1),
        ("leaky-relu 0.1", x => x >= 0 ? x : 0.1f * x, x => x >= 0 ? x : 0.1 * x),
        ("hard-swish", x => x * Math.Clamp(x + 3f, 0f, 6f) / 6f, x => x * Math.Clamp(x + 3, 0, 6) / 6),
        ("hard-sigmoid", x => Math.Clamp(x / 6f + 0.5f, 0f, 1f), x => Math.Clamp(x / 6 + 0.5, 0, 1)),
    ];

    public static IEnumerable<ConformanceCase> Cases(KernelPath path, bool quick)
    {
        if (path != KernelPath.Scalar) yield break;
        int[] lengths = quick ? [1, 7, 33, 257] : [1, 2, 3, 7, 13, 17, 33, 64, 255, 256, 257, 1000];
        foreach (int length in lengths)
        {
            int seed = length;
            yield return new ConformanceCase("Int8Lookup/Scalar", $"random table (seed {seed}), length {length}", () =>
            {
                var rng = new Random(seed);
                var table = CaseData.Activations(rng, Int8Lookup.TableLength);
                var x = CaseData.Activations(rng, length);
                var y = new sbyte[length];
                Int8Lookup.Run(Int8Lookup.Prepare(table), x, y);
                var expected = x.Select(q => table[q + 128]).ToArray();
                return Compare.FirstDifference<sbyte>(expected, y);
            });
        }
        int perFunction = quick ? 1 : 4;
        foreach (var (name, f, inDouble) in Functions)
            for (int k = 0; k < perFunction; k++)
            {
                var rng = new Random(name.Length * 31 + k);
                var input = new QuantizationParams((float)CaseData.Uniform(rng, 0.01, 0.1), CaseData.ZeroPoint(rng));
                var output = new QuantizationParams((float)CaseData.Uniform(rng, 0.005, 0.05), CaseData.ZeroPoint(rng));
                yield return new ConformanceCase("Int8Lookup/Scalar", $"{name}, input {input}, output {output}, every int8 input", () =>
                {
                    var x = Enumerable.Range(-128, 256).Select(q => (sbyte)q).ToArray();
                    var y = new sbyte[256];
                    Int8Lookup.Run(Int8Lookup.Prepare(Int8Lookup.BuildTable(f, input, output)), x, y);
                    var oracle = x.Select(q => output.Quantize(inDouble(input.DequantizeDouble(q)))).ToArray();
                    return Compare.WithinLsb(oracle, y, 1, i => $" (x {x[i]})");
                });
            }
    }
}
