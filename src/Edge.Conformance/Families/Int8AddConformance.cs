using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Elementwise;

namespace Edge.Conformance.Families;

/// <summary>
/// <see cref="Int8Add"/> on one kernel path against its scalar reference: lengths 1..65 and odd larger ones around every
/// vector width (16, 32, 64) and tail, the three zero points −128, 0, 127 on each side, scale ratios from 1 to 1000 both
/// ways (the input multipliers' shifts), output scales that clip, active clamps, extreme inputs, and the session's
/// in-place use (the output over an input).
/// </summary>
public static class Int8AddConformance
{
    public static IEnumerable<ConformanceCase> Cases(KernelPath path, bool quick)
    {
        var lengths = quick ? new[] { 1, 15, 16, 33, 64, 65, 1001 }
            : [.. Enumerable.Range(1, 65), 95, 127, 128, 129, 255, 1001, 4099, 40_000];
        int index = 0;
        foreach (int length in lengths)
        {
            int i = index++;
            var rng = new Random(i);
            double sa = Math.Pow(10, rng.NextDouble() * 3 - 1.5) * 0.02, sb = sa * Math.Pow(10, rng.NextDouble() * 6 - 3);
            double so = Math.Max(sa, sb) * (0.5 + rng.NextDouble() * 2);
            var a = new QuantizationParams((float)sa, SeededInt8.ZeroPoint(rng, i));
            var b = new QuantizationParams((float)sb, SeededInt8.ZeroPoint(rng, i + 1));
            var y = new QuantizationParams((float)so, SeededInt8.ZeroPoint(rng, i + 2));
            var clamp = SeededInt8.Clamp(rng, y.ZeroPoint, i % 2 == 0);
            bool extreme = i % 5 == 0, inPlace = i % 3 == 0;
            yield return new ConformanceCase($"{nameof(Int8Add)}/{path}", $"length {length}, a {a}, b {b}, out {y}, clamp {clamp}{(extreme ? ", extreme" : "")}{(inPlace ? ", in place" : "")}", () =>
            {
                var op = Int8Add.FromScales(a, b, y, clamp);
                var data = new Random(6000 + length);
                var xa = CaseData.Activations(data, length, extreme);
                var xb = CaseData.Activations(data, length, extreme);
                var expected = new sbyte[length];
                Int8Add.RunScalar(op, xa, xb, expected);
                var actual = new sbyte[length + 16];
                actual.AsSpan().Fill(99);
                if (inPlace)
                {
                    xa.CopyTo(actual, 0);
                    Int8Add.Run(op, actual.AsSpan(0, length), xb, actual.AsSpan(0, length), path);
                }
                else Int8Add.Run(op, xa, xb, actual.AsSpan(0, length), path);
                return Compare.FirstDifference<sbyte>(expected, actual.AsSpan(0, length))
                    ?? (actual.AsSpan(length).IndexOfAnyExcept((sbyte)99) >= 0 ? "wrote past the output" : null);
            });
        }
    }
}
