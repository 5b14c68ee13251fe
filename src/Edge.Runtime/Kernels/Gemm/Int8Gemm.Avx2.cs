using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Edge.Runtime.Kernels.Gemm;

/// <summary>
/// The AVX2 GEMM: each row of X goes through <see cref="Int8DotAvx2.Rows"/>, eight outputs at a time, read in place when K
/// is a multiple of 16 and otherwise copied into scratch with zeros up to Kp, as in the Vector128 path.
/// </summary>
public sealed partial class Int8Gemm
{
    /// <summary>
    /// The AVX2 path, bit-exact with <see cref="RunScalar"/>; the Vector128 path when AVX2 is not supported.
    /// <paramref name="scratch"/> holds at least <see cref="ScratchLength"/> bytes.
    /// </summary>
    public static void RunAvx2(Int8Gemm op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch)
    {
        if (!Avx2.IsSupported)
        {
            RunVector128(op, input, output, scratch);
            return;
        }
        Guard.Length(scratch.Length, op.ScratchLength, "scratch");
        Guard.Length(input.Length, op.InputLength, "input");
        Guard.Length(output.Length, op.OutputLength, "output");
        int k = op.InFeatures, m = op.OutFeatures;
        var padded = MemoryMarshal.Cast<byte, sbyte>(scratch)[..op.ScratchLength];
        if (!padded.IsEmpty) padded[k..].Clear();
        for (int n = 0; n < op.Batch; n++)
        {
            var x = input.Slice(n * k, k);
            if (!padded.IsEmpty)
            {
                x.CopyTo(padded);
                x = padded;
            }
            Int8DotAvx2.Rows(x, op.Weights, op.FoldedBias, op.Output, 0, m, output.Slice(n * m, m));
        }
    }
}
