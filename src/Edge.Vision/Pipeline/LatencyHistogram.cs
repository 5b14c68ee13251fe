using System.Numerics;

namespace Edge.Vision.Pipeline;

/// <summary>
/// Latencies of a whole run in fixed memory: log-linear buckets (64 per power of two of the tick count), so a
/// percentile read from it is within 1/64 (1.6 %) of the exact one, however long the run. Recording allocates nothing.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBits = 6, Sub = 1 << SubBits;
    private readonly long[] _counts = new long[64 * Sub];
    private long _total;

    public long Count => _total;

    public void Record(long ticks)
    {
        ulong t = (ulong)Math.Max(ticks, 0);
        _counts[Index(t)]++;
        _total++;
    }

    /// <summary>Nearest-rank percentile <paramref name="p"/> (0..1), in ticks: the middle of its bucket; 0 when empty.</summary>
    public double Percentile(double p)
    {
        if (_total == 0) return 0;
        long rank = Math.Clamp((long)Math.Ceiling(p * _total), 1, _total), seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank) return Middle(i);
        }
        return Middle(_counts.Length - 1);
    }

    private static int Index(ulong t)
    {
        if (t < Sub) return (int)t;                              // exact below 64 ticks
        int exponent = 63 - BitOperations.LeadingZeroCount(t);  // ≥ SubBits
        int mantissa = (int)(t >> (exponent - SubBits)) & (Sub - 1);
        return ((exponent - SubBits + 1) << SubBits) | mantissa;
    }

    private static double Middle(int index)
    {
        if (index < Sub) return index;
        int exponent = (index >> SubBits) + SubBits - 1, mantissa = index & (Sub - 1);
        double low = (double)(Sub + mantissa) * Math.Pow(2, exponent - SubBits);
        return low + Math.Pow(2, exponent - SubBits) / 2;
    }
}
