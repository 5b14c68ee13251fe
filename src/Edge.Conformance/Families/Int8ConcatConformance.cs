using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Elementwise;

namespace Edge.Conformance.Families;

/// <summary>
/// <see cref="Int8Concat"/> (one path, the scalar reference): inputs of odd channel counts placed in any order into the
/// interleaved per-pixel layout, each element equal to the contract's rescale of its input (a copy where the parameters
/// are the output's), every other output byte untouched by inputs not yet placed.
/// </summary>
public static class Int8ConcatConformance
{
    public static IEnumerable<ConformanceCase> Cases(KernelPath path, bool quick)
    {
        if (path != KernelPath.Scalar) yield break;
        int count = quick ? 6 : 40;
        for (int k = 0; k < count; k++)
        {
            var rng = new Random(6_000 + k);
            int inputs = 1 + rng.Next(4), pixels = 1 + rng.Next(2) * 9 + rng.Next(12);
            var channels = Enumerable.Range(0, inputs).Select(_ => CaseData.Pick(rng, 1, 2, 3, 7, 13, 17, 32)).ToArray();
            var output = new QuantizationParams(CaseData.Scale(rng), CaseData.ZeroPoint(rng));
            var parameters = Enumerable.Range(0, inputs)
                .Select(i => rng.Next(3) == 0 ? output : new QuantizationParams(output.Scale * (float)Math.Pow(10, CaseData.Uniform(rng, -1, 1)), CaseData.ZeroPoint(rng)))
                .ToArray();
            var order = Enumerable.Range(0, inputs).OrderBy(_ => rng.Next()).ToArray();
            int seed = 60_000 + k;
            yield return new ConformanceCase("Int8Concat/Scalar",
                $"{pixels} pixels, channels [{string.Join(", ", channels)}], inputs [{string.Join(", ", parameters)}] → {output}, placed in order [{string.Join(", ", order)}], seed {seed}", () =>
            {
                var op = Int8Concat.Prepare(pixels, channels, parameters, output);
                var data = new Random(seed);
                var xs = channels.Select(c => CaseData.Activations(data, pixels * c)).ToArray();
                var y = new sbyte[op.OutputLength];
                var expected = new sbyte[op.OutputLength];
                int outC = op.OutputChannels;
                foreach (int i in order)
                {
                    Int8Concat.Run(op, i, xs[i], y);
                    int offset = channels.Take(i).Sum();
                    for (int p = 0; p < pixels; p++)
                        for (int c = 0; c < channels[i]; c++)
                        {
                            sbyte x = xs[i][p * channels[i] + c];
                            expected[p * outC + offset + c] = op.Rescale(i).IsIdentity ? x : Int8RescaleConformance.Contract(x, op.Rescale(i));
                        }
                    if (Compare.FirstDifference<sbyte>(expected, y, Compare.Nhwc(1, pixels, outC)) is { } d) return $"after placing input {i}: {d}";
                }
                return null;
            });
        }
    }
}
