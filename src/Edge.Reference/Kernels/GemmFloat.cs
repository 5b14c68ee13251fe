using System.Runtime.Intrinsics;
using Edge.Core.Graph;

namespace Edge.Reference.Kernels;

/// <summary>
/// Fully connected layer, <c>Y[n, m] = clamp(Σₖ X[n, k]·W[m, k] + b[m])</c>, with X [N, K], W [M, K] (PyTorch's
/// Linear weight, rows contiguous in k) and b [M] or empty.
/// <para>
/// Each output is one dot product of two contiguous rows, vectorized along k: 8 partial sums (lane l takes the k ≡ l
/// modulo 8, one fused multiply-add per k in increasing k) are added lane by lane in a fixed order, then the leftover
/// k are fused-multiply-added in order and the bias is added. The 8 lanes are two <see cref="Vector128{T}"/> whatever
/// vector width the CPU has (or none), so the result does not depend on it, and neither does the calibration of the
/// converter, which runs this path. Batches are small, so there is nothing to gain from the blocked product of
/// <see cref="MatMulFloat"/>. Large layers split output features across cores; each output is still computed by one
/// thread with the same code, so the thread count does not change any result.
/// </para>
/// </summary>
public static class GemmFloat
{
    public static unsafe void Run(int batch, int inFeatures, int outFeatures, ReadOnlySpan<float> input, ReadOnlySpan<float> weight,
        ReadOnlySpan<float> bias, FusedClamp clamp, Span<float> output)
    {
        if (input.Length < batch * inFeatures) throw new ArgumentException($"input holds {input.Length} values, [{batch}, {inFeatures}] needs {batch * inFeatures}");
        if (weight.Length != outFeatures * inFeatures) throw new ArgumentException($"weight holds {weight.Length} values, [{outFeatures}, {inFeatures}] needs {outFeatures * inFeatures}");
        if (bias.Length != 0 && bias.Length != outFeatures) throw new ArgumentException($"bias holds {bias.Length} values for {outFeatures} features");
        if (output.Length < batch * outFeatures) throw new ArgumentException($"output holds {output.Length} values, [{batch}, {outFeatures}] needs {batch * outFeatures}");
        fixed (float* px = input, pw = weight, pb = bias, py = output)
        {
            nint ix = (nint)px, iw = (nint)pw, ib = (nint)pb, iy = (nint)py;
            bool hasBias = !bias.IsEmpty;
            Parallelism.ForRanges(outFeatures, (long)batch * outFeatures * inFeatures, (m0, m1) =>
            {
                for (int n = 0; n < batch; n++)
                {
                    var x = new ReadOnlySpan<float>((float*)ix + (long)n * inFeatures, inFeatures);
                    for (int m = m0; m < m1; m++)
                    {
                        var w = new ReadOnlySpan<float>((float*)iw + (long)m * inFeatures, inFeatures);
                        float sum = Dot(x, w) + (hasBias ? ((float*)ib)[m] : 0f);
                        ((float*)iy)[(long)n * outFeatures + m] = clamp.Apply(sum);
                    }
                }
            });
        }
    }

    /// <summary>Partial sums of <see cref="Dot"/>: lanes 0–3 in one <see cref="Vector128{T}"/>, 4–7 in another.</summary>
    private const int Lanes = 8;

    /// <summary>Σ x[k]·w[k] with 8 partial sums; see the class comment for the order.</summary>
    internal static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> w)
    {
        int k = 0;
        float sum = 0f;
        if (x.Length >= Lanes)
        {
            Vector128<float> lo = default, hi = default;
            for (; k <= x.Length - Lanes; k += Lanes)
            {
                lo = Vector128.FusedMultiplyAdd(Vector128.Create(x[k..]), Vector128.Create(w[k..]), lo);
                hi = Vector128.FusedMultiplyAdd(Vector128.Create(x[(k + 4)..]), Vector128.Create(w[(k + 4)..]), hi);
            }
            for (int l = 0; l < 4; l++) sum += lo[l];
            for (int l = 0; l < 4; l++) sum += hi[l];
        }
        for (; k < x.Length; k++) sum = MathF.FusedMultiplyAdd(x[k], w[k], sum);
        return sum;
    }
}
