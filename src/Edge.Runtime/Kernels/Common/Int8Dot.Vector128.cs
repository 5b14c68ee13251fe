using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels;

/// <summary>
/// The Vector128 inner loop shared by convolution and GEMM: dot products of one int8 row <c>a</c> (an input pixel's
/// window, or a GEMM input row, with Kp readable elements) with the rows of <see cref="PackedWeights"/>, then the
/// output stage.
/// <para>
/// Arithmetic: 16 int8 of <c>a</c> and of <c>w</c> widen to int16, multiply lane-wise (|x·w| ≤ 128·127 = 16256, exact),
/// the two halves add in int16 (≤ 32512, exact: weights are never −128), and that pair sum widens to int32 and
/// accumulates with wraparound — the same value modulo 2^32 as the scalar reference's sum in any order.
/// </para>
/// </summary>
internal static class Int8Dot
{
    /// <summary>
    /// For output channels [<paramref name="first"/>, first + <paramref name="count"/>):
    /// <c>y[o] = stage(foldedBias[o] + Σ_k a[k]·w[o, k])</c>, four channels at a time. A last block of one to three channels
    /// is computed as a full block of four — the packed weights and the folded bias are padded for it (see
    /// <see cref="PackedWeights"/>) — when the output stage's vector tables reach that far (always for one group), and
    /// only its existing channels are written; otherwise those channels go one at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // one call per pixel; inlined, it exhausts the caller's inlining budget
    public static void Rows(ReadOnlySpan<sbyte> a, PackedWeights w, int[] foldedBias, OutputStage stage, int first, int count, Span<sbyte> y)
    {
        int kp = w.RowLength;
        Guard.Length(a.Length, kp, "dot-product row");
        ref sbyte ra = ref MemoryMarshal.GetReference(a);
        ref sbyte rw = ref MemoryMarshal.GetArrayDataReference(w.Data);
        ref int rb = ref MemoryMarshal.GetArrayDataReference(foldedBias);
        int o = first, end = first + count;
        // Whole blocks, and a partial last block as a whole one when the stage's tables and the bias reach past it.
        int last = first + (count & ~3);
        int blocksEnd = last + 4 <= stage.VectorMultiplier.Length && last + 4 <= foldedBias.Length ? end : last;
        for (; o < blocksEnd; o += 4)
        {
            var q = stage.Apply(Dot4(ref ra, ref Unsafe.Add(ref rw, o * kp), kp) + Vector128.LoadUnsafe(ref rb, (nuint)o), o);
            if (o + 4 <= end)
            {
                var bytes = Vector128.Narrow(Vector128.Narrow(q, q), Vector128<short>.Zero);
                Unsafe.WriteUnaligned(ref Unsafe.As<sbyte, byte>(ref y[o]), bytes.AsInt32().ToScalar());
            }
            else
                for (int i = 0; o + i < end; i++) y[o + i] = (sbyte)q.GetElement(i);
        }
        for (; o < end; o++)
        {
            int acc = unchecked(Dot1(ref ra, ref Unsafe.Add(ref rw, o * kp), kp) + foldedBias[o]);
            y[o] = stage.Apply(acc, o);
        }
    }

    /// <summary>The four sums <c>Σ_k a[k]·w_r[k]</c> for the rows r = 0..3 at stride <paramref name="kp"/> from <paramref name="w"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Dot4(ref sbyte a, ref sbyte w, int kp)
    {
        Vector128<int> s0 = default, s1 = default, s2 = default, s3 = default;
        ref sbyte w1 = ref Unsafe.Add(ref w, kp);
        ref sbyte w2 = ref Unsafe.Add(ref w1, kp);
        ref sbyte w3 = ref Unsafe.Add(ref w2, kp);
        for (nuint k = 0; k < (nuint)kp; k += 16)
        {
            var (alo, ahi) = Vector128.Widen(Vector128.LoadUnsafe(ref a, k));
            s0 += PairSums(alo, ahi, Vector128.LoadUnsafe(ref w, k));
            s1 += PairSums(alo, ahi, Vector128.LoadUnsafe(ref w1, k));
            s2 += PairSums(alo, ahi, Vector128.LoadUnsafe(ref w2, k));
            s3 += PairSums(alo, ahi, Vector128.LoadUnsafe(ref w3, k));
        }
        return Vector128.Create(Vector128.Sum(s0), Vector128.Sum(s1), Vector128.Sum(s2), Vector128.Sum(s3));
    }

    private static int Dot1(ref sbyte a, ref sbyte w, int kp)
    {
        Vector128<int> s = default;
        for (nuint k = 0; k < (nuint)kp; k += 16)
        {
            var (alo, ahi) = Vector128.Widen(Vector128.LoadUnsafe(ref a, k));
            s += PairSums(alo, ahi, Vector128.LoadUnsafe(ref w, k));
        }
        return Vector128.Sum(s);
    }

    /// <summary>16 products <c>a·w</c> summed in pairs into four int32 lanes (lane i: products i, i+4, i+8, i+12).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> PairSums(Vector128<short> alo, Vector128<short> ahi, Vector128<sbyte> w)
    {
        var (wlo, whi) = Vector128.Widen(w);
        var (plo, phi) = Vector128.Widen(alo * wlo + ahi * whi);
        return plo + phi;
    }
}
