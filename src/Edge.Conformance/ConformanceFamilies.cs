using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Edge.Runtime.Kernels;

namespace Edge.Conformance;

/// <summary>
/// The registry of kernel case families: every class in the <c>Edge.Conformance.Families</c> namespace whose name ends
/// in <c>Conformance</c>, each a public static class with
/// <c>public static IEnumerable&lt;ConformanceCase&gt; Cases(KernelPath path, bool quick)</c>. Adding a family is adding
/// such a file: nothing to register. A class there that is named like a family but is not of that form is an error at
/// first use (a family that silently ran nothing would pass for a conforming one).
/// </summary>
public static class ConformanceFamilies
{
    /// <summary>The namespace the families live in.</summary>
    public const string Namespace = "Edge.Conformance.Families";

    private static readonly Lazy<IReadOnlyList<ConformanceFamily>> LazyKernels = new(Discover);

    /// <summary>Every kernel family, by name (the family name is the class name without <c>Conformance</c>).</summary>
    public static IReadOnlyList<ConformanceFamily> Kernels => LazyKernels.Value;

    /// <summary>
    /// The kernel paths this process offers: each path that <see cref="KernelPaths.Supported"/> keeps as it is, narrowest
    /// first — always <see cref="KernelPath.Scalar"/>, then Vector128 where 128-bit SIMD is accelerated, then the x86 or
    /// ARM64 levels the CPU has (after any <c>DOTNET_Enable*</c> switches).
    /// </summary>
    public static IReadOnlyList<KernelPath> PathsOfThisCpu()
        => Enum.GetValues<KernelPath>().Where(p => KernelPaths.Supported(p) == p).Order().ToArray();

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The families are public types of this assembly, which the CLI publishes untrimmed.")]
    private static IReadOnlyList<ConformanceFamily> Discover()
    {
        var families = new List<ConformanceFamily>();
        foreach (var type in typeof(ConformanceFamilies).Assembly.GetTypes())
        {
            if (type.Namespace != Namespace || type.IsNested || !type.Name.EndsWith("Conformance", StringComparison.Ordinal)) continue;
            var method = type.GetMethod("Cases", BindingFlags.Public | BindingFlags.Static, [typeof(KernelPath), typeof(bool)]);
            if (!type.IsPublic || !(type.IsAbstract && type.IsSealed) || method is null || method.ReturnType != typeof(IEnumerable<ConformanceCase>))
                throw new InvalidOperationException(
                    $"{type.FullName}: a conformance family must be a static class with public static IEnumerable<ConformanceCase> Cases(KernelPath path, bool quick)");
            var cases = method.CreateDelegate<Func<KernelPath, bool, IEnumerable<ConformanceCase>>>();
            families.Add(new ConformanceFamily(type.Name[..^"Conformance".Length], cases));
        }
        return [.. families.OrderBy(f => f.Name, StringComparer.Ordinal)];
    }
}
