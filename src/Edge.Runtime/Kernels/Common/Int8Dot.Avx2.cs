using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels;

/// <summary>
/// The AVX2 inner loop of convolution and GEMM: the dot products of one int8 row <c>a</c> (Kp readable elements) with the
/// rows of <see cref="PackedWeights"/>, eight output channels at a time, then the output stage on eight lanes.
/// <para>
/// Arithmetic: 16 int8 of <c>a</c> and of a weight row sign-extend to int16 (<c>vpmovsxbw</c>), and <c>vpmaddwd</c> multiplies
/// them lane by lane and adds adjacent pairs into int32: |x·w| ≤ 128·127, so each pair sum is exact. The pair sums
/// accumulate in int32 with wraparound and are reduced across lanes by <c>vphaddd</c>, also wrapping: the same sums modulo
/// 2^32 as the scalar reference's, in another order. The folded bias and the weights' zero padding are those of the
/// Vector128 path (Int8Dot.Vector128.cs).
/// </para>
/// </summary>
internal static class Int8DotAvx2
{
    /// <summary>
    /// For output channels [<paramref name="first"/>, first + <paramref name="count"/>):
    /// <c>y[o] = stage(foldedBias[o] + Σ_k a[k]·w[o, k])</c>, eight channels at a time; a last block of fewer is computed in
    /// full over the padding rows (see <see cref="PackedWeights.PaddingRows"/>) and only its existing channels are written.
    /// Needs AVX2.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // one call per pixel; inlined, it exhausts the caller's inlining budget
    public static void Rows(ReadOnlySpan<sbyte> a, PackedWeights w, int[] foldedBias, OutputStage stage, int first, int count, Span<sbyte> y)
    {
        int kp = w.RowLength;
        Guard.Length(a.Length, kp, "dot-product row");
        Guard.Length(y.Length, first + count, "output channels");
        ref sbyte ra = ref MemoryMarshal.GetReference(a);
        ref sbyte rw = ref MemoryMarshal.GetArrayDataReference(w.Data);
        ref int rb = ref MemoryMarshal.GetArrayDataReference(foldedBias);
        ref sbyte ry = ref MemoryMarshal.GetReference(y);
        int end = first + count;
        for (int o = first; o < end; o += 8)
        {
            var acc = Dot8(ref ra, ref Unsafe.Add(ref rw, o * kp), kp) + Vector256.LoadUnsafe(ref rb, (nuint)o);
            var q = stage.Apply(acc, o);
            var bytes = Vector128.Narrow(Vector128.Narrow(q.GetLower(), q.GetUpper()), Vector128<short>.Zero);
            if (o + 8 <= end) Unsafe.WriteUnaligned(ref Unsafe.As<sbyte, byte>(ref Unsafe.Add(ref ry, o)), bytes.AsInt64().ToScalar());
            else
                for (int i = 0; o + i < end; i++) Unsafe.Add(ref ry, o + i) = bytes.GetElement(i);
        }
    }

    /// <summary>The eight sums <c>Σ_k a[k]·w_r[k]</c> for the rows r = 0..7 at stride <paramref name="kp"/> from <paramref name="w"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Dot8(ref sbyte a, ref sbyte w, int kp)
    {
        Vector256<int> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        nint stride = kp;
        for (nint k = 0; k < kp; k += 16)
        {
            var x = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref a, (nuint)k));
            ref sbyte wk = ref Unsafe.Add(ref w, k);
            s0 += Avx2.MultiplyAddAdjacent(x, Widen(ref wk));
            s1 += Avx2.MultiplyAddAdjacent(x, Widen(ref Unsafe.Add(ref wk, stride)));
            s2 += Avx2.MultiplyAddAdjacent(x, Widen(ref Unsafe.Add(ref wk, 2 * stride)));
            s3 += Avx2.MultiplyAddAdjacent(x, Widen(ref Unsafe.Add(ref wk, 3 * stride)));
            s4 += Avx2.MultiplyAddAdjacent(x, Widen(ref Unsafe.Add(ref wk, 4 * stride)));
            s5 += Avx2.MultiplyAddAdjacent(x, Widen(ref Unsafe.Add(ref wk, 5 * stride)));
            s6 += Avx2.MultiplyAddAdjacent(x, Widen(ref Unsafe.Add(ref wk, 6 * stride)));
            s7 += Avx2.MultiplyAddAdjacent(x, Widen(ref Unsafe.Add(ref wk, 7 * stride)));
        }
        // Pairwise sums within each 128-bit half, twice: q0123 holds [Σs0, Σs1, Σs2, Σs3] of the low halves, then of the high ones.
        var q0123 = Avx2.HorizontalAdd(Avx2.HorizontalAdd(s0, s1), Avx2.HorizontalAdd(s2, s3));
        var q4567 = Avx2.HorizontalAdd(Avx2.HorizontalAdd(s4, s5), Avx2.HorizontalAdd(s6, s7));
        return Avx2.Permute2x128(q0123, q4567, 0x20) + Avx2.Permute2x128(q0123, q4567, 0x31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Widen(ref sbyte p) => Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref p));
}
