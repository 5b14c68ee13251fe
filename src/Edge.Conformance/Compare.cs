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

    /// <summary>A locator for NHWC tensors of the given H, W, C.</summary>
    public static Func<int, string> Nhwc(int h, int w, int c)
        => i => $" (n {i / (h * w * c)}, h {i / (w * c) % h}, w {i / c % w}, c {i % c})";
}
