namespace Edge.Quantization.Calibration;

/// <summary>
/// Minimizes the expected squared error of quantizing the observed values, choosing each end of the range on its own.
/// A candidate range keeps the first i bins of the negative side and the first j of the positive side (every bin
/// boundary that is a multiple of bins/<see cref="CandidatesPerSide"/>); with step <c>s = (i·w₋ + j·w₊)/255</c> its error is modeled as
/// <c>(values inside, other than exact zeros) × s²/12</c> (uniform rounding noise) plus, for every value clipped, the
/// squared distance from its bin's center to the range's end. All pairs are tried; ties go to the narrower range.
/// </summary>
public sealed class MseCalibrator : Calibrator
{
    /// <summary>Candidate ends per side (all pairs are tried).</summary>
    public const int CandidatesPerSide = 1024;

    public override string Name => "mse";
    public override bool NeedsHistogram => true;

    public override TensorRange Choose(TensorStatistics statistics)
    {
        var h = RequireHistogram(statistics);
        if (h.Max - h.Min <= 0) return new TensorRange(0, 0);
        var positive = Side.Of(h.Positive, h.PositiveWidth, h.Max > 0);
        var negative = Side.Of(h.Negative, h.NegativeWidth, h.Min < 0);
        long nonZero = h.Positive.Sum() + h.Negative.Sum();
        (int I, int J) best = (negative.Kept[^1], positive.Kept[^1]);
        double bestError = double.PositiveInfinity;
        for (int a = 0; a < negative.Kept.Length; a++)
        {
            for (int b = 0; b < positive.Kept.Length; b++)
            {
                double extent = negative.Kept[a] * negative.Width + positive.Kept[b] * positive.Width;
                if (extent <= 0) continue;
                double step = extent / 255;
                long inside = nonZero - negative.Outside[a] - positive.Outside[b];
                double error = inside * step * step / 12 + negative.Clipping[a] + positive.Clipping[b];
                if (error < bestError)
                {
                    bestError = error;
                    best = (negative.Kept[a], positive.Kept[b]);
                }
            }
        }
        return new TensorRange(-best.I * negative.Width, best.J * positive.Width);
    }

    /// <summary>One side's candidate ends (bins kept) with their clipping error and the count clipped.</summary>
    private sealed record Side(int[] Kept, double[] Clipping, long[] Outside, double Width)
    {
        public static Side Of(long[] counts, double width, bool present)
        {
            if (!present) return new Side([0], [0], [0], 0);
            int bins = counts.Length, stride = Math.Max(1, bins / CandidatesPerSide);
            var kept = Enumerable.Range(1, bins / stride).Select(k => k * stride).Where(k => k < bins).Append(bins).ToArray();
            // Suffix sums over bins j ≥ k of c, c·(j + ½), c·(j + ½)²: the clipping error of keeping k bins is
            // w²·(S2 − 2k·S1 + k²·S0), and the count clipped is S0.
            var s0 = new double[bins + 1];
            var s1 = new double[bins + 1];
            var s2 = new double[bins + 1];
            for (int j = bins - 1; j >= 0; j--)
            {
                double c = counts[j], center = j + 0.5;
                s0[j] = s0[j + 1] + c;
                s1[j] = s1[j + 1] + c * center;
                s2[j] = s2[j + 1] + c * center * center;
            }
            var clipping = new double[kept.Length];
            var outside = new long[kept.Length];
            for (int c = 0; c < kept.Length; c++)
            {
                int k = kept[c];
                clipping[c] = Math.Max(0, s2[k] - 2.0 * k * s1[k] + (double)k * k * s0[k]) * width * width;
                outside[c] = (long)s0[k];
            }
            return new Side(kept, clipping, outside, width);
        }
    }
}
