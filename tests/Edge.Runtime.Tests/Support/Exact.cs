namespace Edge.Runtime.Tests.Support;

/// <summary>
/// Element-wise assertions that, on failure, print every parameter of the case, the index (decoded when a locator is
/// given, e.g. to n/h/w/c) and both values.
/// </summary>
internal static class Exact
{
    /// <summary>Bit-exact equality of the reference output and another path's output.</summary>
    public static void Equal<T>(ReadOnlySpan<T> reference, ReadOnlySpan<T> actual, string parameters, Func<int, string>? locate = null)
        where T : IEquatable<T>
    {
        if (reference.Length != actual.Length) Assert.Fail($"{parameters}: lengths differ, reference {reference.Length}, actual {actual.Length}");
        for (int i = 0; i < reference.Length; i++)
            if (!reference[i].Equals(actual[i]))
                Assert.Fail($"{parameters}: first difference at index {i}{Where(locate, i)}: reference {reference[i]}, actual {actual[i]}");
    }

    /// <summary>
    /// Every int8 within <paramref name="lsb"/> of the oracle's, and at most <paramref name="maxOffFraction"/> of them off
    /// at all (an oracle in double differs from exact integer arithmetic only at near-ties).
    /// </summary>
    public static void Within(ReadOnlySpan<sbyte> oracle, ReadOnlySpan<sbyte> actual, int lsb, string parameters, Func<int, string>? locate = null, double maxOffFraction = 1.0)
    {
        if (oracle.Length != actual.Length) Assert.Fail($"{parameters}: lengths differ, oracle {oracle.Length}, actual {actual.Length}");
        int off = 0;
        for (int i = 0; i < oracle.Length; i++)
        {
            int d = Math.Abs(oracle[i] - actual[i]);
            if (d > lsb) Assert.Fail($"{parameters}: index {i}{Where(locate, i)}: oracle {oracle[i]}, actual {actual[i]} (more than {lsb} LSB apart)");
            if (d != 0) off++;
        }
        if (off > maxOffFraction * oracle.Length)
            Assert.Fail($"{parameters}: {off} of {oracle.Length} values differ from the oracle by 1 LSB, more than {maxOffFraction:P1}");
    }

    /// <summary>
    /// Fails when an output of at least 12 values has fewer than 3 distinct values (or fewer than its clamp range holds):
    /// a comparison with a (nearly) constant output says little.
    /// </summary>
    public static void Varied(ReadOnlySpan<sbyte> output, string parameters, int clampMin = -128, int clampMax = 127)
    {
        int minDistinct = Math.Min(3, clampMax - clampMin + 1);
        if (output.Length < 12) return;
        Span<bool> seen = stackalloc bool[256];
        int distinct = 0;
        foreach (var v in output)
            if (!seen[v + 128]) { seen[v + 128] = true; distinct++; }
        if (distinct < minDistinct) Assert.Fail($"{parameters}: the output has only {distinct} distinct values; the case tests too little");
    }

    /// <summary>A locator for NHWC tensors of the given H, W, C.</summary>
    public static Func<int, string> Nhwc(int h, int w, int c)
        => i => $" (n {i / (h * w * c)}, h {i / (w * c) % h}, w {i / c % w}, c {i % c})";

    private static string Where(Func<int, string>? locate, int i) => locate is null ? "" : locate(i);
}
