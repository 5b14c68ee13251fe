using Edge.Conformance.Families;
using Edge.Runtime.Kernels;
using Edge.Runtime.Tests.Support;

namespace Edge.Runtime.Tests.Kernels;

/// <summary>The shipped pool case families (<see cref="Int8PoolConformance"/>) on every path this machine offers.</summary>
[Trait("Category", "Conformance")]
public class PoolConformanceFamilyTests
{
    [Theory]
    [MemberData(nameof(DepthwiseConvConformanceTests.Paths), MemberType = typeof(DepthwiseConvConformanceTests))]
    public void Pool_case_families(KernelPath path) => ShippedCases.AssertAllPass(Int8PoolConformance.Cases(path, quick: false));
}
