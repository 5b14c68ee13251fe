using Edge.Runtime.Kernels;

namespace Edge.Conformance;

/// <summary>
/// A named source of conformance cases: given a kernel path and the quick flag, the cases that hold that path to the
/// scalar reference (empty for a path the family has no version for). Kernel families come from
/// <see cref="ConformanceFamilies.Kernels"/>; the shipped-model family from <see cref="Models.ShippedModelConformance.Family"/>.
/// </summary>
/// <param name="Name">The family, e.g. <c>Int8Gemm</c>; each case names its own line (<c>Int8Gemm/Avx2</c>).</param>
/// <param name="Cases">The cases for one path; <c>quick</c> asks for a few seconds' worth instead of the full set.</param>
public sealed record ConformanceFamily(string Name, Func<KernelPath, bool, IEnumerable<ConformanceCase>> Cases)
{
    public override string ToString() => Name;
}
