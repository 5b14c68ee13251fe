using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Edge.Runtime.Kernels.DepthwiseConv;

/// <summary>
/// The AVX2 depthwise convolution: the Vector128 path's pixel loop (Int8DepthwiseConv2d.Vector128.cs) with 16 channels
/// per 256-bit block and the output stage on eight lanes. When C is not a multiple of 16 (and at least 16), a last block
/// ends at C and overlaps the one before it: its channels are computed again, to the same values. Below 16 channels the
/// pixel goes the Vector128 way.
/// <para>
/// Arithmetic per tap, as in the Vector128 path: x sign-extends to int16 and loses zp_x (|x − zp_x| ≤ 255), the weight
/// sign-extends to int16, their lane-wise product is exact in int16 (≤ 255·127 = 32385), and it widens to int32 and
/// accumulates onto the bias.
/// </para>
/// </summary>
public sealed partial class Int8DepthwiseConv2d
{
    /// <summary>The AVX2 path, bit-exact with <see cref="RunScalar"/>; the Vector128 path when AVX2 is not supported.</summary>
    public static void RunAvx2(Int8DepthwiseConv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch)
    {
        if (!Avx2.IsSupported)
        {
            RunVector128(op, input, output, scratch);
            return;
        }
        ForEachPixel<Avx2Channels>(op, input, output);
    }

    /// <summary>
    /// Blocks of 16 channels, the last one ending at C (overlapping the one before it when C is not a multiple of 16);
    /// below 16 channels, the Vector128 way.
    /// </summary>
    private readonly struct Avx2Channels : IPixelChannels
    {
        public static void Run(Int8DepthwiseConv2d op, ReadOnlySpan<sbyte> input, in Taps taps, Span<sbyte> y)
        {
            int channels = y.Length;
            if (channels < 16)
            {
                Vector128Channels.Run(op, input, taps, y);
                return;
            }
            for (int c = 0; ; c += 16)
            {
                int block = Math.Min(c, channels - 16);
                Channels16Avx2(op, input, taps, block, y);
                if (block + 16 == channels) break;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Channels16Avx2(Int8DepthwiseConv2d op, ReadOnlySpan<sbyte> input, in Taps t, int c, Span<sbyte> y)
    {
        var s = op.Shape;
        var win = s.Window;
        int channels = op.Channels;
        ref int bias = ref MemoryMarshal.GetArrayDataReference(op.Bias);
        var a0 = Vector256.LoadUnsafe(ref bias, (nuint)c);
        var a1 = Vector256.LoadUnsafe(ref bias, (nuint)c + 8);
        var zp = Vector256.Create((short)op.InputZeroPoint);
        ref sbyte x = ref MemoryMarshal.GetReference(input);
        ref sbyte w = ref MemoryMarshal.GetArrayDataReference(op.Weights);
        for (int i = t.I0; i < t.I1; i++)
        {
            int rowStart = (t.Row0 + i * win.DilationH) * s.InW;
            for (int j = t.J0; j < t.J1; j++)
            {
                var xv = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref x, (nuint)((rowStart + t.Col0 + j * win.DilationW) * channels + c))) - zp;
                var wv = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref w, (nuint)((i * win.KernelW + j) * channels + c)));
                var p = xv * wv;
                a0 += Avx2.ConvertToVector256Int32(p.GetLower());
                a1 += Avx2.ConvertToVector256Int32(p.GetUpper());
            }
        }
        var q0 = op.Output.Apply(a0, c);
        var q1 = op.Output.Apply(a1, c + 8);
        var bytes = Vector128.Narrow(Vector128.Narrow(q0.GetLower(), q0.GetUpper()), Vector128.Narrow(q1.GetLower(), q1.GetUpper()));
        bytes.StoreUnsafe(ref MemoryMarshal.GetReference(y), (nuint)c);
    }
}
