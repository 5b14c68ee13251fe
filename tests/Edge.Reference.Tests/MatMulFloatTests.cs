using Edge.Core.Graph;
using Edge.Reference.Kernels;
using static Edge.Reference.Tests.TestGraphs;

namespace Edge.Reference.Tests;

/// <summary>
/// The blocked product against the order its class comment promises: for each output, one fused multiply-add per k
/// in increasing k, then the bias, then the clamp — bit for bit, on sizes that hit every block, panel and tail path.
/// </summary>
public class MatMulFloatTests
{
    public static TheoryData<int, int, int> Sizes()
    {
        var data = new TheoryData<int, int, int>();
        foreach (int m in new[] { 1, 3, 4, 5, 8, 13 })
        {
            foreach (int n in new[] { 1, 7, 8, 15, 16, 17, 33, 49 })
            {
                foreach (int k in new[] { 1, 9, 27 }) data.Add(m, n, k);
            }
        }
        data.Add(64, 200, 100); // large enough for the multi-core path
        data.Add(37, 1001, 30);
        return data;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Every_output_is_the_documented_fma_chain(int m, int n, int k)
    {
        // Row strides wider than the rows, so the strided addressing is exercised too.
        int lda = k + 2, ldb = n + 3, ldc = n + 1;
        float[] a = Random(m * lda, m * 1000 + k), b = Random(k * ldb, n * 1000 + k), bias = Random(m, m + n + k);
        var clamp = new FusedClamp(-2f, 3f);
        var c = new float[m * ldc];

        MatMulFloat.Multiply(m, n, k, a, lda, b, ldb, c, ldc, bias, clamp);

        for (int r = 0; r < m; r++)
        {
            for (int col = 0; col < n; col++)
            {
                float acc = 0f;
                for (int p = 0; p < k; p++) acc = MathF.FusedMultiplyAdd(a[r * lda + p], b[p * ldb + col], acc);
                float expected = clamp.Apply(acc + bias[r]);
                Assert.True(expected == c[r * ldc + col], $"m={m} n={n} k={k}: C[{r}, {col}] expected {expected:R}, got {c[r * ldc + col]:R}");
            }
        }
    }

    [Fact]
    public void Without_bias_or_clamp_it_is_the_plain_product()
    {
        // [[1, 2], [3, 4]] · [[5, 6, 7], [8, 9, 10]]
        var c = new float[6];
        MatMulFloat.Multiply(2, 3, 2, [1, 2, 3, 4], 2, [5, 6, 7, 8, 9, 10], 3, c, 3, [], FusedClamp.None);
        Assert.Equal([21f, 24f, 27f, 47f, 54f, 61f], c);
    }

    [Fact]
    public void Operands_too_short_for_the_sizes_are_rejected()
    {
        var c = new float[4];
        Assert.Throws<ArgumentException>(() => MatMulFloat.Multiply(2, 2, 2, new float[3], 2, new float[4], 2, c, 2, [], FusedClamp.None));
        Assert.Throws<ArgumentException>(() => MatMulFloat.Multiply(2, 2, 2, new float[4], 2, new float[4], 2, c, 1, [], FusedClamp.None));
        Assert.Throws<ArgumentException>(() => MatMulFloat.Multiply(2, 2, 2, new float[4], 2, new float[4], 2, c, 2, [1f], FusedClamp.None));
    }
}
