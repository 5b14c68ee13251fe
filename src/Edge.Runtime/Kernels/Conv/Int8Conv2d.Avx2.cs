using System.Runtime.Intrinsics.X86;

namespace Edge.Runtime.Kernels.Conv;

/// <summary>
/// The AVX2 convolution: the Vector128 path's pixel loop and window gather (Int8Conv2d.Vector128.cs), with the dot
/// products and the output stage eight output channels at a time on 256-bit vectors (<see cref="Int8DotAvx2"/>).
/// </summary>
public sealed partial class Int8Conv2d
{
    /// <summary>
    /// The AVX2 path, bit-exact with <see cref="RunScalar"/>; the Vector128 path when AVX2 is not supported.
    /// <paramref name="scratch"/> holds at least <see cref="ScratchLength"/> bytes.
    /// </summary>
    public static void RunAvx2(Int8Conv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch)
    {
        if (!Avx2.IsSupported)
        {
            RunVector128(op, input, output, scratch);
            return;
        }
        Guard.Length(scratch.Length, op.ScratchLength, "scratch");
        RunRows(op, input, output, scratch, avx2: true);
    }
}
