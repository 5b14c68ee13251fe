using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.Elementwise;

/// <summary>
/// The Vector128 addition, 16 elements at a time, then one at a time as the reference computes them.
/// <para>
/// Per block: <c>a − zp_a</c> and <c>b − zp_b</c> in int16 (|d| ≤ 255), widened to int32; <c>a'</c> and <c>b'</c> by
/// <see cref="ShiftedRequantizer"/> (exact, in int32 lanes; |a'|, |b'| ≤ 2^27 as the input multipliers are at most 1/2);
/// <c>v = a' + b'</c> (|v| &lt; 2^28); then <c>(v·M_o + 2^(n_o−1)) &gt;&gt; n_o</c> in int64 lanes, exactly the contract's
/// requantization (|v·M_o| &lt; 2^59). The result lies between 0 and v, so it fits in int32; <c>+ zp_out</c> cannot overflow
/// there, two saturating narrows clamp to [−128, 127], and the fused clamp [q_min, q_max] (a sub-range) follows.
/// </para>
/// <para>
/// In place: the session may hand the same buffer as an input and the output. A block reads its 16 elements of both
/// inputs before it writes them, and the tail goes element by element, so no element is read after it was overwritten.
/// </para>
/// </summary>
public sealed partial class Int8Add
{
    private readonly ShiftedRequantizer _vectorA, _vectorB;

    /// <summary>The Vector128 path, bit-exact with <see cref="RunScalar"/>; the scalar reference when Vector128 is not accelerated.</summary>
    public static void RunVector128(Int8Add op, ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b, Span<sbyte> output)
    {
        if (!Vector128.IsHardwareAccelerated)
        {
            RunScalar(op, a, b, output);
            return;
        }
        Guard.SameLength(a.Length, b.Length, "add inputs");
        Guard.SameLength(a.Length, output.Length, "add input and output");
        ref sbyte ra = ref MemoryMarshal.GetReference(a);
        ref sbyte rb = ref MemoryMarshal.GetReference(b);
        ref sbyte ry = ref MemoryMarshal.GetReference(output);
        var zpA = Vector128.Create((short)op.ZeroPointA);
        var zpB = Vector128.Create((short)op.ZeroPointB);
        var m = Vector128.Create((long)op.OutputMultiplier.Multiplier);
        var rounding = Vector128.Create(1L << (op.OutputMultiplier.Shift - 1));
        int shift = op.OutputMultiplier.Shift;
        var zpOut = Vector128.Create(op.OutputZeroPoint);
        var min = Vector128.Create((sbyte)op.Clamp.Min);
        var max = Vector128.Create((sbyte)op.Clamp.Max);
        int i = 0;
        for (; i + 16 <= output.Length; i += 16)
        {
            var (a0, a1, a2, a3) = Differences(Vector128.LoadUnsafe(ref ra, (nuint)i), zpA);
            var (b0, b1, b2, b3) = Differences(Vector128.LoadUnsafe(ref rb, (nuint)i), zpB);
            var v0 = op._vectorA.Apply(a0) + op._vectorB.Apply(b0);
            var v1 = op._vectorA.Apply(a1) + op._vectorB.Apply(b1);
            var v2 = op._vectorA.Apply(a2) + op._vectorB.Apply(b2);
            var v3 = op._vectorA.Apply(a3) + op._vectorB.Apply(b3);
            var q01 = Vector128.NarrowWithSaturation(
                Requantize(v0, m, rounding, shift) + zpOut, Requantize(v1, m, rounding, shift) + zpOut);
            var q23 = Vector128.NarrowWithSaturation(
                Requantize(v2, m, rounding, shift) + zpOut, Requantize(v3, m, rounding, shift) + zpOut);
            var q = Vector128.Min(Vector128.Max(Vector128.NarrowWithSaturation(q01, q23), min), max);
            q.StoreUnsafe(ref ry, (nuint)i);
        }
        for (; i < output.Length; i++)
        {
            int sa = Requantization.Requantize((a[i] - op.ZeroPointA) << LeftShift, op.MultiplierA);
            int sb = Requantization.Requantize((b[i] - op.ZeroPointB) << LeftShift, op.MultiplierB);
            output[i] = Requantization.ToInt8(sa + sb, op.OutputMultiplier, op.OutputZeroPoint, op.Clamp);
        }
    }

    /// <summary>The 16 lanes of <paramref name="x"/> minus the zero point, as four int32 vectors (in [−255, 255]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector128<int>, Vector128<int>, Vector128<int>, Vector128<int>) Differences(Vector128<sbyte> x, Vector128<short> zp)
    {
        var (lo, hi) = Vector128.Widen(x);
        var (d0, d1) = Vector128.Widen(lo - zp);
        var (d2, d3) = Vector128.Widen(hi - zp);
        return (d0, d1, d2, d3);
    }

    /// <summary><c>(v·M + 2^(n−1)) &gt;&gt; n</c> per lane in int64, narrowed back to int32 (the result lies between 0 and v).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Requantize(Vector128<int> v, Vector128<long> m, Vector128<long> rounding, int shift)
    {
        var (lo, hi) = Vector128.Widen(v);
        return Vector128.Narrow(Vector128.ShiftRightArithmetic(lo * m + rounding, shift), Vector128.ShiftRightArithmetic(hi * m + rounding, shift));
    }
}
