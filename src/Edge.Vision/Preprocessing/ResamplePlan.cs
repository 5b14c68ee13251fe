namespace Edge.Vision.Preprocessing;

/// <summary>
/// One axis of a separable resize, computed once: output index i reads <see cref="Count"/>[i] consecutive source
/// indices from <see cref="Start"/>[i], weighted by <see cref="Weights"/>[i·<see cref="MaxTaps"/> + t] (the weights
/// of one output sum to 1).
/// <list type="bullet">
/// <item>Area: output i covers source [i·s, (i+1)·s), s = in/out; a source pixel's weight is the length it overlaps, over s.</item>
/// <item>Bilinear: PyTorch's align_corners=False: x = max((i + 0.5)·s − 0.5, 0), taps ⌊x⌋ and ⌊x⌋+1 (clamped to the
/// last index) weighted 1 − λ and λ, λ = x − ⌊x⌋, computed in float32 as <see cref="Images.BilinearResize"/> does.</item>
/// </list>
/// </summary>
public sealed class ResamplePlan
{
    private ResamplePlan(int sourceSize, int size, int maxTaps)
    {
        SourceSize = sourceSize;
        Size = size;
        MaxTaps = maxTaps;
        Start = new int[size];
        Count = new int[size];
        Weights = new float[size * maxTaps];
    }

    public int SourceSize { get; }
    public int Size { get; }
    public int MaxTaps { get; }
    public int[] Start { get; }
    public int[] Count { get; }
    public float[] Weights { get; }

    public static ResamplePlan Create(ResizeMode mode, int sourceSize, int size)
    {
        if (sourceSize < 1 || size < 1) throw new ArgumentException($"resize {sourceSize} → {size}");
        var plan = mode == ResizeMode.Bilinear ? Bilinear(sourceSize, size) : Area(sourceSize, size);
        plan.Pad();
        return plan;
    }

    /// <summary>
    /// Gives every output exactly min(<see cref="MaxTaps"/>, source size) taps, the extra ones weighted 0, moving a start
    /// left when the taps would run past the end: inner loops then have a fixed trip count and never read out of range.
    /// </summary>
    private void Pad()
    {
        int taps = Math.Min(MaxTaps, SourceSize);
        Taps = taps;
        var moved = new float[MaxTaps];
        for (int i = 0; i < Size; i++)
        {
            int shift = Math.Max(0, Start[i] + taps - SourceSize);
            if (shift == 0)
            {
                Count[i] = taps;
                continue;
            }
            var w = Weights.AsSpan(i * MaxTaps, MaxTaps);
            Array.Clear(moved);
            for (int t = 0; t < Count[i]; t++) moved[t + shift] = w[t];
            moved.AsSpan().CopyTo(w);
            Start[i] -= shift;
            Count[i] = taps;
        }
    }

    /// <summary>Taps every output has after padding (≤ <see cref="MaxTaps"/>).</summary>
    public int Taps { get; private set; }

    private static ResamplePlan Area(int n, int m)
    {
        double s = (double)n / m;
        // An output spans at most ⌈s⌉ + 1 source pixels.
        var plan = new ResamplePlan(n, m, (int)Math.Ceiling(s) + 1);
        for (int i = 0; i < m; i++)
        {
            // Exact bounds in rationals: [i·n/m, (i+1)·n/m).
            long lo = (long)i * n, hi = (long)(i + 1) * n;
            int first = (int)(lo / m), last = (int)((hi - 1) / m);
            plan.Start[i] = first;
            plan.Count[i] = last - first + 1;
            for (int j = first; j <= last; j++)
            {
                long a = Math.Max(lo, (long)j * m), b = Math.Min(hi, (long)(j + 1) * m);
                plan.Weights[i * plan.MaxTaps + j - first] = (float)((double)(b - a) / n);
            }
        }
        return plan;
    }

    private static ResamplePlan Bilinear(int n, int m)
    {
        var plan = new ResamplePlan(n, m, 2);
        float scale = (float)n / m;
        for (int i = 0; i < m; i++)
        {
            float src = Math.Max(scale * (i + 0.5f) - 0.5f, 0f);
            int i0 = Math.Min((int)src, n - 1);
            float lambda = Math.Min(src - i0, 1f);
            plan.Start[i] = i0;
            if (i0 < n - 1)
            {
                plan.Count[i] = 2;
                plan.Weights[2 * i] = 1f - lambda;
                plan.Weights[2 * i + 1] = lambda;
            }
            else
            {
                plan.Count[i] = 1;
                plan.Weights[2 * i] = 1f;
            }
        }
        return plan;
    }
}
