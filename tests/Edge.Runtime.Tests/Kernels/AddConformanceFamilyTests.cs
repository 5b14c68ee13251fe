using Edge.Conformance.Families;
using Edge.Runtime.Kernels;
using Edge.Runtime.Tests.Support;

namespace Edge.Runtime.Tests.Kernels;

/// <summary>The shipped Add case families (<see cref="Int8AddConformance"/>) on every path this machine offers.</summary>
[Trait("Category", "Conformance")]
public class AddConformanceFamilyTests
{
    [Theory]
    [MemberData(nameof(DepthwiseConvConformanceTests.Paths), MemberType = typeof(DepthwiseConvConformanceTests))]
    public void Add_case_families(KernelPath path) => ShippedCases.AssertAllPass(Int8AddConformance.Cases(path, quick: false));
}

