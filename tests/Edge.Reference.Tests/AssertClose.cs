using Xunit.Sdk;

namespace Edge.Reference.Tests;

/// <summary>Element-wise comparison with an absolute tolerance; a failure names the context, the index and both values.</summary>
internal static class AssertClose
{
    public static void Equal(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance, string context = "")
    {
        if (expected.Length != actual.Length)
            throw new XunitException($"{context}: expected {expected.Length} values, got {actual.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs((double)expected[i] - actual[i]);
            if (!(diff <= tolerance))
                throw new XunitException($"{context}: at index {i} expected {expected[i]:R}, got {actual[i]:R} (|diff| {diff:g3} > {tolerance:g3})");
        }
    }

    /// <summary>Bit-for-bit equality (−0 and +0 count as equal).</summary>
    public static void Exact(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string context = "") => Equal(expected, actual, 0, context);
}
