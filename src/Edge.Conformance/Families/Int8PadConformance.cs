using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Elementwise;

namespace Edge.Conformance.Families;

/// <summary>
/// <see cref="Int8Pad"/> (one path, the scalar reference): asymmetric padding of every axis (batch, rows, columns,
/// channels) on odd shapes against the definition
/// <c>y[n, h, w, c] = x[n − before_N, h − top, w − left, c − before_C]</c> inside the input and the pad value outside.
/// </summary>
public static class Int8PadConformance
{
    public static IEnumerable<ConformanceCase> Cases(KernelPath path, bool quick)
    {
        if (path != KernelPath.Scalar) yield break;
        int count = quick ? 8 : 60;
        for (int k = 0; k < count; k++)
        {
            var rng = new Random(7_000 + k);
            int n = 1 + rng.Next(2), h = 1 + rng.Next(9), w = 1 + rng.Next(9), c = CaseData.Pick(rng, 1, 3, 7, 13, 17);
            bool spatialOnly = k % 2 == 0;
            var pads = new NhwcPads(spatialOnly ? 0 : rng.Next(2), rng.Next(4), rng.Next(4), spatialOnly ? 0 : rng.Next(3),
                spatialOnly ? 0 : rng.Next(2), rng.Next(4), rng.Next(4), spatialOnly ? 0 : rng.Next(3));
            var value = (sbyte)CaseData.ZeroPoint(rng);
            int seed = 70_000 + k;
            yield return new ConformanceCase("Int8Pad/Scalar", $"N{n} {h}x{w}x{c}, pads {pads}, value {value}, seed {seed}", () =>
            {
                var op = Int8Pad.Prepare(n, h, w, c, pads, value);
                var x = CaseData.Activations(new Random(seed), op.InputLength);
                var y = new sbyte[op.OutputLength];
                Int8Pad.Run(op, x, y);
                var expected = new sbyte[op.OutputLength];
                int i = 0;
                for (int on = 0; on < op.OutBatch; on++)
                    for (int oh = 0; oh < op.OutHeight; oh++)
                        for (int ow = 0; ow < op.OutWidth; ow++)
                            for (int oc = 0; oc < op.OutChannels; oc++, i++)
                            {
                                int sn = on - pads.BatchBefore, sh = oh - pads.Top, sw = ow - pads.Left, sc = oc - pads.ChannelsBefore;
                                bool inside = sn >= 0 && sn < n && sh >= 0 && sh < h && sw >= 0 && sw < w && sc >= 0 && sc < c;
                                expected[i] = inside ? x[((sn * h + sh) * w + sw) * c + sc] : value;
                            }
                return Compare.FirstDifference<sbyte>(expected, y, Compare.Nhwc(op.OutHeight, op.OutWidth, op.OutChannels));
            });
        }
    }
}
