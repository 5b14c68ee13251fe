using System.Diagnostics.CodeAnalysis;

namespace Edge.Runtime.Kernels;

/// <summary>Argument checks shared by the kernels. The throwing halves are out of line, so a passing check costs a compare.</summary>
internal static class Guard
{
    /// <summary>Throws unless a buffer of <paramref name="actual"/> elements holds the <paramref name="needed"/> ones.</summary>
    public static void Length(int actual, long needed, string what)
    {
        if (actual < needed) ThrowLength(actual, needed, what);
    }

    /// <summary>Throws unless two element-wise operands have equal lengths.</summary>
    public static void SameLength(int a, int b, string what)
    {
        if (a != b) ThrowMismatch(a, b, what);
    }

    /// <summary>Throws unless <paramref name="value"/> is positive.</summary>
    public static void Positive(int value, string what)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(what, value, $"{what} must be positive");
    }

    [DoesNotReturn]
    private static void ThrowLength(int actual, long needed, string what)
        => throw new ArgumentException($"{what} holds {actual} elements, {needed} are needed");

    [DoesNotReturn]
    private static void ThrowMismatch(int a, int b, string what)
        => throw new ArgumentException($"{what}: lengths {a} and {b} differ");
}
