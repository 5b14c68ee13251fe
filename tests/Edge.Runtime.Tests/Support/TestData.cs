using Edge.Conformance;

namespace Edge.Runtime.Tests.Support;

/// <summary>Seeded random tensors and parameters for the kernel tests.</summary>
internal static class TestData
{
    /// <summary>Uniform int8 in [−128, 127], or only the extremes when <paramref name="extreme"/> (<see cref="CaseData"/>: the shipped conformance cases draw the same).</summary>
    public static sbyte[] Activations(Random rng, int length, bool extreme = false) => CaseData.Activations(rng, length, extreme);

    /// <summary>Uniform weights in [−127, 127], or only ±127 when <paramref name="extreme"/>.</summary>
    public static sbyte[] Weights(Random rng, int length, bool extreme = false) => CaseData.Weights(rng, length, extreme);

    /// <summary>A value uniform in [lo, hi).</summary>
    public static double Uniform(Random rng, double lo, double hi) => CaseData.Uniform(rng, lo, hi);

    /// <summary>One of <paramref name="options"/>.</summary>
    public static T Pick<T>(Random rng, params T[] options) => CaseData.Pick(rng, options);
}
