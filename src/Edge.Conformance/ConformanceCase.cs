namespace Edge.Conformance;

/// <summary>
/// One conformance check: a kernel path run against the scalar reference on one seeded shape. Shipped (not test-only) so
/// that the xunit suite and <c>edge selftest</c> run the same cases — on x86 at every ISA level and on the device itself.
/// </summary>
/// <param name="Family">The case family, e.g. <c>Int8Gemm/Avx2</c>: one line per family in the self-test's report.</param>
/// <param name="Parameters">Every parameter of the case (shape, seed, zero points, clamp), printed on failure.</param>
/// <param name="Check">Runs the case; null when the path equals the reference bit for bit, otherwise what differs.</param>
public sealed record ConformanceCase(string Family, string Parameters, Func<string?> Check)
{
    public override string ToString() => $"{Family}: {Parameters}";
}
