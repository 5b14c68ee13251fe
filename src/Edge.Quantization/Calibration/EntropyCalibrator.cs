namespace Edge.Quantization.Calibration;

/// <summary>
/// TensorRT's entropy calibration (as MXNet and TVM implement it), applied to each side of zero on its own.
/// <para>
/// For one side with L levels, among thresholds at bin boundary i (from L, or the bin below which 99.9 % of the
/// side's values lie if that is higher, to the side's bins; at most 512 candidates), pick the one whose quantization loses the least information: the KL divergence between the reference
/// P — the histogram's first i bins with the clipped outliers added to the last of them — and the candidate Q — those i
/// bins without the outliers, merged into L levels and spread back evenly over the bins not empty in P. P and Q are
/// normalized separately, so Q pays for both rounding and clipping; where Q is empty and P is not, Q counts as 10⁻⁴ of
/// an observation (MXNet's smoothing). Ties go to the narrower range. Exact zeros are left out: zero is exactly
/// representable, and the spike of zeros after a ReLU, spread over the first level's bins, would dominate the divergence.
/// </para>
/// <para>
/// The 99.9 % bound is Edge's addition. Activations of real images have point masses (a constant background gives
/// each channel one value over most of the image); a candidate fine enough to hold such a spike in one bin pays nothing
/// for it, and the divergence then prefers clipping nearly everything above the spike (on mobilenet-fashion, a ReLU6
/// output ranging to 3.0 was clipped at 0.13, and accuracy fell from 92 % to 50 %). With the bound, entropy
/// calibration chooses among ranges that keep at least 99.9 % of each side.
/// </para>
/// <para>
/// The 255 steps of the int8 grid are shared between the sides in proportion to their extent, which depends on the
/// thresholds: the split starts from the observed range and is refined from the thresholds chosen, twice. A one-sided
/// tensor (e.g. after ReLU) gives all steps to its side.
/// </para>
/// </summary>
public sealed class EntropyCalibrator : Calibrator
{
    private const int Levels = 255;
    private const int MaxCandidates = 512;
    private const double Smoothing = 1e-4;
    private const int Refinements = 2;

    /// <summary>The least fraction of a side's observations a range keeps.</summary>
    private const double MinKept = 0.999;

    public override string Name => "entropy";
    public override bool NeedsHistogram => true;

    public override TensorRange Choose(TensorStatistics statistics)
    {
        var h = RequireHistogram(statistics);
        if (h.Max - h.Min <= 0) return new TensorRange(0, 0);
        double hi = h.Max, lo = h.Min;
        for (int round = 0; round < Refinements; round++)
        {
            var (positiveLevels, negativeLevels) = SplitLevels(lo, hi);
            double newHi = positiveLevels == 0 ? 0 : Threshold(h.Positive, positiveLevels) * h.PositiveWidth;
            double newLo = negativeLevels == 0 ? 0 : -Threshold(h.Negative, negativeLevels) * h.NegativeWidth;
            (lo, hi) = (newLo, newHi);
            if (hi - lo <= 0) return new TensorRange(h.Min, h.Max); // no side kept anything: fall back to the observed range
        }
        return new TensorRange(lo, hi);
    }

    /// <summary>The grid's steps per side, in proportion to the side's extent; a side with any extent gets at least one.</summary>
    internal static (int Positive, int Negative) SplitLevels(double min, double max)
    {
        if (min >= 0) return (Levels, 0);
        if (max <= 0) return (0, Levels);
        int positive = (int)Math.Round(Levels * max / (max - min), MidpointRounding.AwayFromZero);
        positive = Math.Clamp(positive, 1, Levels - 1);
        return (positive, Levels - positive);
    }

    /// <summary>The number of bins to keep on one side quantized to <paramref name="levels"/> levels.</summary>
    internal static int Threshold(long[] counts, int levels)
    {
        int bins = counts.Length;
        if (counts.All(c => c == 0)) return bins;
        var side = new SideSums(counts);
        int start = Math.Min(bins, Math.Max(levels, side.BinsHolding(MinKept)));
        int step = Math.Max(1, (bins - start) / MaxCandidates);
        int best = bins;
        double bestDivergence = double.PositiveInfinity;
        for (int kept = start; ; kept = Math.Min(bins, kept + step))
        {
            double d = side.Divergence(kept, levels);
            if (d < bestDivergence)
            {
                bestDivergence = d;
                best = kept;
            }
            if (kept == bins) break;
        }
        return best;
    }

    /// <summary>
    /// Prefix sums of one side's histogram, so that the divergence of a candidate costs O(levels), not O(bins):
    /// with T the side's total and p̂ = p/T, <c>KL = Σ p̂·ln p̂ − Σ_g P̂_g·ln q̂_g</c>, where P̂_g is the reference mass of level
    /// g and q̂_g the candidate mass per non-empty bin of that level, and <c>Σ p̂·ln p̂ = (Σ p·ln p)/T − ln T</c>.
    /// </summary>
    private sealed class SideSums
    {
        private readonly long[] _counts;
        private readonly double[] _count;     // Σ c over bins [0, j)
        private readonly int[] _nonEmpty;     // bins with c > 0 in [0, j)
        private readonly double[] _cLogC;     // Σ c·ln c over [0, j)
        private readonly double _total;

        public SideSums(long[] counts)
        {
            _counts = counts;
            int n = counts.Length;
            _count = new double[n + 1];
            _nonEmpty = new int[n + 1];
            _cLogC = new double[n + 1];
            for (int j = 0; j < n; j++)
            {
                double c = counts[j];
                _count[j + 1] = _count[j] + c;
                _nonEmpty[j + 1] = _nonEmpty[j] + (c > 0 ? 1 : 0);
                _cLogC[j + 1] = _cLogC[j] + (c > 0 ? c * Math.Log(c) : 0);
            }
            _total = _count[n];
        }

        /// <summary>The fewest leading bins that hold at least <paramref name="fraction"/> of the side's observations.</summary>
        public int BinsHolding(double fraction)
        {
            int k = Array.BinarySearch(_count, fraction * _total);
            return Math.Clamp(k >= 0 ? k : ~k, 1, _counts.Length);
        }

        /// <summary>KL(P ‖ Q) keeping <paramref name="kept"/> bins, quantized to <paramref name="levels"/> levels.</summary>
        public double Divergence(int kept, int levels)
        {
            double outliers = _total - _count[kept];
            double last = _counts[kept - 1] + outliers;     // p of the edge bin, outliers included
            double keptMass = _count[kept];                 // Σ q before normalization: the kept counts, no outliers
            if (keptMass <= 0) return double.PositiveInfinity;
            double pLogP = (_cLogC[kept - 1] + (last > 0 ? last * Math.Log(last) : 0)) / _total - Math.Log(_total);
            double floor = Smoothing / keptMass;
            double cross = 0;
            for (int g = 0; g < levels; g++)
            {
                int from = (int)((long)g * kept / levels), to = (int)((long)(g + 1) * kept / levels);
                if (to == from) continue;
                double mass = _count[to] - _count[from];
                int nonEmpty = _nonEmpty[to] - _nonEmpty[from];
                double reference = mass;
                if (to == kept)
                {
                    reference += outliers;
                    if (_counts[kept - 1] == 0 && outliers > 0) nonEmpty++; // the edge bin holds only outliers
                }
                if (reference <= 0) continue;
                double q = Math.Max(mass / nonEmpty / keptMass, floor);
                cross += reference / _total * Math.Log(q);
            }
            return pLogP - cross;
        }
    }
}
