using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.Elementwise;

/// <summary>
/// The AVX2 addition, 32 elements at a time, then the Vector128 path's tail (16 at a time, then one by one).
/// <para>
/// Per block, as the Vector128 path: <c>a − zp_a</c>, <c>b − zp_b</c> in int16 widened to int32, the inputs' rescale by
/// <see cref="ShiftedRequantizer"/> on eight lanes (int32 only, exact), <c>v = a' + b'</c> (|v| &lt; 2^28). The output's
/// requantization needs int64: where its multiplier fits the output stage's short form (n_o ≥ 33: r_o &lt; ¼, the case of
/// every calibrated residual, r_o ≈ 2^−19·s_max2/s_out) it is that form (<see cref="OutputStage.ShortLanes"/>, one
/// multiplier for every lane) — <c>vpmuldq</c> forms <c>v·M_o</c> exactly on the even lanes and on the odd lanes shifted
/// down, the high dwords give <c>⌊v·M_o / 2^32⌋</c>, and a 32-bit add of <c>2^(n_o−33)</c> and <c>vpsravd</c> by n_o − 32
/// finish the rounding division by 2^n_o (derived in OutputStage.Avx2.cs). The result lies between 0 and v,
/// <c>+ zp_out</c> cannot overflow, two saturating packs clamp to [−128, 127], a permutation undoes their per-half order,
/// and the fused clamp follows. Otherwise the whole call runs the Vector128 path. In place as the Vector128 path: a block reads its 32 elements of both inputs before it writes.
/// </para>
/// </summary>
public sealed partial class Int8Add
{
    /// <summary>The AVX2 path, bit-exact with <see cref="RunScalar"/>; the Vector128 path without AVX2 or when n_o does not fit the short form.</summary>
    public static void RunAvx2(Int8Add op, ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b, Span<sbyte> output)
    {
        var mo = op.OutputMultiplier;
        if (!Avx2.IsSupported || !OutputStage.FitsShort(mo))
        {
            RunVector128(op, a, b, output);
            return;
        }
        Guard.SameLength(a.Length, b.Length, "add inputs");
        Guard.SameLength(a.Length, output.Length, "add input and output");
        ref sbyte ra = ref MemoryMarshal.GetReference(a);
        ref sbyte rb = ref MemoryMarshal.GetReference(b);
        ref sbyte ry = ref MemoryMarshal.GetReference(output);
        var zpA = Vector256.Create((short)op.ZeroPointA);
        var zpB = Vector256.Create((short)op.ZeroPointB);
        // The output stage's short form with one multiplier for every lane (the odd lanes' M is the low dword of each int64).
        var (multiplier, shift, add) = OutputStage.ShortConstants(mo);
        var m = Vector256.Create(multiplier);
        var requantize = new OutputStage.ShortLanes(m, m, Vector256.Create(add), Vector256.Create((uint)shift));
        var zpOut = Vector256.Create(op.OutputZeroPoint);
        var min = Vector256.Create((sbyte)op.Clamp.Min);
        var max = Vector256.Create((sbyte)op.Clamp.Max);
        var order = Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7);
        int i = 0;
        for (; i + 32 <= output.Length; i += 32)
        {
            var xa = Vector256.LoadUnsafe(ref ra, (nuint)i);
            var xb = Vector256.LoadUnsafe(ref rb, (nuint)i);
            var da = Avx2.ConvertToVector256Int16(xa.GetLower()) - zpA;
            var db = Avx2.ConvertToVector256Int16(xb.GetLower()) - zpB;
            var v0 = requantize.Requantize(Sum(op, da.GetLower(), db.GetLower())) + zpOut;
            var v1 = requantize.Requantize(Sum(op, da.GetUpper(), db.GetUpper())) + zpOut;
            da = Avx2.ConvertToVector256Int16(xa.GetUpper()) - zpA;
            db = Avx2.ConvertToVector256Int16(xb.GetUpper()) - zpB;
            var v2 = requantize.Requantize(Sum(op, da.GetLower(), db.GetLower())) + zpOut;
            var v3 = requantize.Requantize(Sum(op, da.GetUpper(), db.GetUpper())) + zpOut;
            var bytes = Avx2.PackSignedSaturate(Avx2.PackSignedSaturate(v0, v1), Avx2.PackSignedSaturate(v2, v3));
            var q = Avx2.PermuteVar8x32(bytes.AsInt32(), order).AsSByte();
            Vector256.Min(Vector256.Max(q, min), max).StoreUnsafe(ref ry, (nuint)i);
        }
        if (i < output.Length) RunVector128(op, a[i..], b[i..], output[i..]);
    }

    /// <summary>The path <see cref="Run"/> takes for <paramref name="path"/> on this machine and this addition's output multiplier.</summary>
    public KernelPath PathFor(KernelPath path)
    {
        var resolved = KernelPaths.Supported(path);
        if (resolved.IsX86())
            return !OutputStage.FitsShort(OutputMultiplier) ? KernelPath.Vector128
                : KernelPaths.BelowVnni(resolved) >= KernelPath.Avx512BW ? KernelPath.Avx512BW : KernelPath.Avx2;
        return resolved == KernelPath.Scalar || !Vector128.IsHardwareAccelerated ? KernelPath.Scalar : KernelPath.Vector128;
    }

    /// <summary><c>a' + b'</c> for eight int16 differences of each input.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Sum(Int8Add op, Vector128<short> da, Vector128<short> db)
        => op._vectorA.Apply(Avx2.ConvertToVector256Int32(da)) + op._vectorB.Apply(Avx2.ConvertToVector256Int32(db));
}
