using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Edge.Runtime.Kernels.Gemm;

/// <summary>
/// The Vector128 GEMM: each row of X is a dot-product row for <see cref="Int8Dot.Rows"/>, read in place when K is a
/// multiple of 16 and otherwise copied into scratch with zeros up to Kp (they meet zero weights).
/// </summary>
public sealed partial class Int8Gemm
{
    /// <summary>
    /// The Vector128 path, bit-exact with <see cref="RunScalar"/>; the scalar reference when Vector128 is not accelerated.
    /// <paramref name="scratch"/> holds at least <see cref="ScratchLength"/> bytes.
    /// </summary>
    public static void RunVector128(Int8Gemm op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch)
    {
        // The scratch is checked on every machine, so a caller's undersized buffer fails here too, not only where SIMD runs.
        Guard.Length(scratch.Length, op.ScratchLength, "scratch");
        if (!Vector128.IsHardwareAccelerated)
        {
            RunScalar(op, input, output, scratch);
            return;
        }
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
            Int8Dot.Rows(x, op.Weights, op.FoldedBias, op.Output, 0, m, output.Slice(n * m, m));
        }
    }
}
