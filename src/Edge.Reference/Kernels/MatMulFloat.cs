using System.Numerics;
using Edge.Core.Graph;

namespace Edge.Reference.Kernels;

/// <summary>
/// <c>C = clamp(A·B + bias)</c> on row-major float32 matrices: A is [M, K] with row stride <c>lda</c>, B is [K, N]
/// with row stride <c>ldb</c>, C is [M, N] with row stride <c>ldc</c>, bias is [M] (one value per row) or empty.
/// It is the engine of every convolution: A is the weight [outChannels, inChannels·kH·kW] and B the input as image
/// columns [inChannels·kH·kW, H·W], so C comes out in NCHW order with no transpose.
/// <para>
/// Loop order: panels of NR = 2·<see cref="Vector{T}.Count"/> columns outermost; inside a panel, blocks of 4 rows;
/// inside a block, k. The K×NR panel of B stays in L1/L2 while every row block of A streams past it, and the 4×NR
/// block of C lives in 8 vector registers for the whole k loop: per k, 2 loads of B and 4 broadcasts of A feed
/// 8 fused multiply-adds. C is written once, with bias and clamp applied on the way out. The last panel and the last
/// row block are shifted back to end at N and M (they overlap the previous one and recompute identical values),
/// so only matrices narrower than one panel or shorter than one block take the scalar or single-row path.
/// </para>
/// <para>
/// Determinism: every <c>C[m, n]</c> is <c>fma(A[m, K−1], B[K−1, n], … fma(A[m, 0], B[0, n], 0))</c> — one fused
/// multiply-add per k in increasing k — plus the bias, whichever path (vector, single row, scalar), thread or vector
/// width computes it. The result depends on neither the thread count nor the hardware.
/// </para>
/// </summary>
public static class MatMulFloat
{
    private const int BlockRows = 4;

    /// <summary>Computes C = clamp(A·B + bias); runs on several cores when M·N·K is large.</summary>
    public static unsafe void Multiply(int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc,
        ReadOnlySpan<float> bias, FusedClamp clamp)
    {
        if (m == 0 || n == 0) return;
        CheckOperands(m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc, bias.Length);
        fixed (float* pa = a, pb = b, pc = c, pbias = bias)
        {
            nint ia = (nint)pa, ib = (nint)pb, ic = (nint)pc, ibias = bias.IsEmpty ? 0 : (nint)pbias;
            Parallelism.ForRanges(m, (long)m * n * k,
                (r0, r1) => MultiplyRows(r0, r1, n, k, (float*)ia, lda, (float*)ib, ldb, (float*)ic, ldc, (float*)ibias, clamp),
                BlockRows);
        }
    }

    /// <summary>Rows [<paramref name="r0"/>, <paramref name="r1"/>) of C, on the calling thread. <paramref name="bias"/> may be null.</summary>
    internal static unsafe void MultiplyRows(int r0, int r1, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, float* bias, FusedClamp clamp)
    {
        int width = 2 * Vector<float>.Count;
        if (n < width)
        {
            for (int r = r0; r < r1; r++)
            {
                for (int col = 0; col < n; col++) c[r * ldc + col] = Scalar(a + r * lda, b + col, ldb, k, Bias(bias, r), clamp);
            }
            return;
        }
        for (int col = 0; col < n; col += width)
        {
            int c0 = Math.Min(col, n - width); // the last panel ends at n, overlapping its predecessor
            if (r1 - r0 < BlockRows)
            {
                for (int r = r0; r < r1; r++) Panel1(a + r * lda, b + c0, ldb, k, c + r * ldc + c0, Bias(bias, r), clamp);
                continue;
            }
            for (int r = r0; r < r1; r += BlockRows)
            {
                int rb = Math.Min(r, r1 - BlockRows); // the last block ends at r1, overlapping its predecessor
                Panel4(a + rb * lda, lda, b + c0, ldb, k, c + rb * ldc + c0, ldc, bias is null ? null : bias + rb, clamp);
            }
        }
    }

    /// <summary>A 4-row × NR-column block of C.</summary>
    private static unsafe void Panel4(float* a, int lda, float* b, int ldb, int k, float* c, int ldc, float* bias, FusedClamp clamp)
    {
        int v = Vector<float>.Count;
        Vector<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector<float> c20 = default, c21 = default, c30 = default, c31 = default;
        float* a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda;
        for (int p = 0; p < k; p++, b += ldb)
        {
            var b0 = Vector.Load(b);
            var b1 = Vector.Load(b + v);
            var x = new Vector<float>(a0[p]);
            c00 = Vector.FusedMultiplyAdd(x, b0, c00);
            c01 = Vector.FusedMultiplyAdd(x, b1, c01);
            x = new Vector<float>(a1[p]);
            c10 = Vector.FusedMultiplyAdd(x, b0, c10);
            c11 = Vector.FusedMultiplyAdd(x, b1, c11);
            x = new Vector<float>(a2[p]);
            c20 = Vector.FusedMultiplyAdd(x, b0, c20);
            c21 = Vector.FusedMultiplyAdd(x, b1, c21);
            x = new Vector<float>(a3[p]);
            c30 = Vector.FusedMultiplyAdd(x, b0, c30);
            c31 = Vector.FusedMultiplyAdd(x, b1, c31);
        }
        Store(c, c00, c01, Bias(bias, 0), clamp);
        Store(c + ldc, c10, c11, Bias(bias, 1), clamp);
        Store(c + 2 * ldc, c20, c21, Bias(bias, 2), clamp);
        Store(c + 3 * ldc, c30, c31, Bias(bias, 3), clamp);
    }

    /// <summary>One row × NR columns of C.</summary>
    private static unsafe void Panel1(float* a, float* b, int ldb, int k, float* c, float bias, FusedClamp clamp)
    {
        int v = Vector<float>.Count;
        Vector<float> c0 = default, c1 = default;
        for (int p = 0; p < k; p++, b += ldb)
        {
            var x = new Vector<float>(a[p]);
            c0 = Vector.FusedMultiplyAdd(x, Vector.Load(b), c0);
            c1 = Vector.FusedMultiplyAdd(x, Vector.Load(b + v), c1);
        }
        Store(c, c0, c1, bias, clamp);
    }

    /// <summary>One element of C: the same fused multiply-adds in the same order as the vector paths.</summary>
    private static unsafe float Scalar(float* a, float* b, int ldb, int k, float bias, FusedClamp clamp)
    {
        float acc = 0f;
        for (int p = 0; p < k; p++) acc = MathF.FusedMultiplyAdd(a[p], b[p * ldb], acc);
        return clamp.Apply(acc + bias);
    }

    private static unsafe void Store(float* c, Vector<float> lo, Vector<float> hi, float bias, FusedClamp clamp)
    {
        var vb = new Vector<float>(bias);
        lo += vb;
        hi += vb;
        if (!clamp.IsNone)
        {
            var min = new Vector<float>(clamp.Min);
            var max = new Vector<float>(clamp.Max);
            lo = Vector.Min(Vector.Max(lo, min), max);
            hi = Vector.Min(Vector.Max(hi, min), max);
        }
        lo.Store(c);
        hi.Store(c + Vector<float>.Count);
    }

    private static unsafe float Bias(float* bias, int row) => bias is null ? 0f : bias[row];

    private static void CheckOperands(int m, int n, int k, int aLength, int lda, int bLength, int ldb, int cLength, int ldc, int biasLength)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), $"negative size {m}x{n}x{k}");
        if (lda < k || ldb < n || ldc < n) throw new ArgumentException($"row strides lda={lda}, ldb={ldb}, ldc={ldc} are shorter than the rows of a {m}x{k} · {k}x{n} product");
        if (aLength < (long)(m - 1) * lda + k) throw new ArgumentException($"A holds {aLength} values, a {m}x{k} matrix with stride {lda} needs {(long)(m - 1) * lda + k}");
        if (k > 0 && bLength < (long)(k - 1) * ldb + n) throw new ArgumentException($"B holds {bLength} values, a {k}x{n} matrix with stride {ldb} needs {(long)(k - 1) * ldb + n}");
        if (cLength < (long)(m - 1) * ldc + n) throw new ArgumentException($"C holds {cLength} values, a {m}x{n} matrix with stride {ldc} needs {(long)(m - 1) * ldc + n}");
        if (biasLength != 0 && biasLength < m) throw new ArgumentException($"bias holds {biasLength} values for {m} rows");
    }
}
