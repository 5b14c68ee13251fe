namespace Edge.Conformance;

/// <summary>Bit-exact comparison of a reference output and another path's, reporting the first difference.</summary>
public static class Compare
{
    /// <summary>
    /// Null when equal; otherwise the first differing index (decoded by <paramref name="locate"/>, e.g. to n/h/w/c) and
    /// both values.
    /// </summary>
    public static string? FirstDifference<T>(ReadOnlySpan<T> reference, ReadOnlySpan<T> actual, Func<int, string>? locate = null)
        where T : IEquatable<T>
    {
        if (reference.Length != actual.Length) return $"lengths differ: reference {reference.Length}, actual {actual.Length}";
        for (int i = 0; i < reference.Length; i++)
            if (!reference[i].Equals(actual[i]))
                return $"first difference at index {i}{(locate is null ? "" : locate(i))}: reference {reference[i]}, actual {actual[i]}";
        return null;
    }

    /// <summary>
    /// Null when every int8 of <paramref name="actual"/> is within <paramref name="lsb"/> of the oracle's (an oracle in
    /// double differs from the contract's integer or float32 arithmetic only at near-ties); otherwise the first index off
    /// by more, and both values.
    /// </summary>
    public static string? WithinLsb(ReadOnlySpan<sbyte> oracle, ReadOnlySpan<sbyte> actual, int lsb, Func<int, string>? locate = null)
    {
        if (oracle.Length != actual.Length) return $"lengths differ: oracle {oracle.Length}, actual {actual.Length}";
        for (int i = 0; i < oracle.Length; i++)
            if (Math.Abs(oracle[i] - actual[i]) > lsb)
                return $"index {i}{(locate is null ? "" : locate(i))}: oracle {oracle[i]}, actual {actual[i]}, more than {lsb} LSB apart";
        return null;
    }

    /// <summary>The first of several checks that fails, or null when all hold (later checks do not run after a failure).</summary>
    public static string? All(params Func<string?>[] checks)
    {
        foreach (var check in checks)
            if (check() is { } difference) return difference;
        return null;
    }

    /// <summary>A locator for NHWC tensors of the given H, W, C.</summary>
    public static Func<int, string> Nhwc(int h, int w, int c)
        => i => $" (n {i / (h * w * c)}, h {i / (w * c) % h}, w {i / c % w}, c {i % c})";
}
