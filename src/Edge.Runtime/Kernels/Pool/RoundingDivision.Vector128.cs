using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Edge.Runtime.Kernels.Pool;

/// <summary>The contract's <c>div_round</c> on Vector128 lanes, shared by the average pools.</summary>
internal static class RoundingDivision
{
    /// <summary>The largest count the float32 quotient of <see cref="DivRound"/> is exact for, with sums of at most 255 per counted element.</summary>
    public const int MaxCount = 32_000;

    /// <summary>
    /// <c>div_round(sum, count) = sign(sum)·⌊(2|sum| + count) / (2·count)⌋</c> on four lanes, for
    /// <c>|sum| ≤ 255·count</c> and <c>0 &lt; count ≤ </c><see cref="MaxCount"/> (<paramref name="twiceCount"/> is 2·count in float32).
    /// <para>
    /// The quotient is taken in float32 and truncated. Exactness: with <c>a = 2|sum| + count</c> and <c>b = 2·count</c>, both
    /// integers below 2^24 and so exact in float32, the correctly rounded <c>a/b</c> truncates to <c>k = ⌊a/b⌋</c> whenever
    /// <c>a + b &lt; 2^24</c>: if <c>a/b</c> is an integer it is representable; otherwise <c>a/b ≤ k + 1 − 1/b</c>, and that gap of
    /// <c>1/b = (k+1)/(b·(k+1))</c> below k + 1 exceeds <c>(k+1)·2^−24</c> because <c>b·(k+1) ≤ a + b &lt; 2^24</c> — more than half a
    /// float32 ulp there, so the rounding cannot reach k + 1 (and it cannot fall below k, which is representable). With
    /// <c>|sum| ≤ 255·count</c>, <c>a + b ≤ 513·count &lt; 2^24</c> up to <see cref="MaxCount"/>.
    /// </para>
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> DivRound(Vector128<int> sum, Vector128<int> count, Vector128<float> twiceCount)
    {
        var sign = Vector128.ShiftRightArithmetic(sum, 31);
        var magnitude = Vector128.Abs(sum);
        var q = Vector128.ConvertToInt32(Vector128.ConvertToSingle(magnitude + magnitude + count) / twiceCount);
        return (q ^ sign) - sign;
    }
}
