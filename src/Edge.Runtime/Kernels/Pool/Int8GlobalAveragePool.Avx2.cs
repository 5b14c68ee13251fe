using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Edge.Runtime.Kernels.Pool;

/// <summary>
/// The AVX2 global average pool: the Vector128 path's sums (of x in int16 over runs of at most 256 pixels:
/// −32,768 ≤ Σx ≤ 32,512, then widened to int32) on 32 channels at a time, the last block ending at C and overlapping the
/// one before it; the zero point's correction and the division as the Vector128 path's, on each half. Layers of fewer
/// than 32 channels run the Vector128 path.
/// </summary>
public sealed partial class Int8GlobalAveragePool
{
    /// <summary>The AVX2 path, bit-exact with <see cref="RunScalar"/>; the Vector128 path where AVX2 is not accelerated or C &lt; 32.</summary>
    public static void RunAvx2(Int8GlobalAveragePool op, ReadOnlySpan<sbyte> input, Span<sbyte> output)
    {
        if (!Vector256.IsHardwareAccelerated || op.Channels < 32)
        {
            RunVector128(op, input, output);
            return;
        }
        Guard.Length(input.Length, op.InputLength, "input");
        Guard.Length(output.Length, op.OutputLength, "output");
        int channels = op.Channels, pixels = op.Height * op.Width;
        ref sbyte x = ref MemoryMarshal.GetReference(input);
        ref sbyte y = ref MemoryMarshal.GetReference(output);
        for (int n = 0; n < op.Batch; n++)
        {
            nint plane = (nint)n * pixels * channels;
            for (int c = 0; ; c += 32)
            {
                int block = Math.Min(c, channels - 32);
                Block32(op, ref x, plane + block, pixels).StoreUnsafe(ref y, (nuint)((nint)n * channels + block));
                if (block + 32 == channels) break;
            }
        }
    }

    /// <summary>The averages of the 32 channels at element <paramref name="start"/> of a plane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<sbyte> Block32(Int8GlobalAveragePool op, ref sbyte x, nint start, int pixels)
    {
        Vector256<int> s0 = default, s1 = default, s2 = default, s3 = default;
        nint step = op.Channels, p = start;
        for (int done = 0; done < pixels;)
        {
            int end = Math.Min(pixels, done + 256);
            Vector256<short> lo = default, hi = default;
            for (; done < end; done++, p += step)
            {
                var (a, b) = Vector256.Widen(Vector256.LoadUnsafe(ref x, (nuint)p));
                lo += a;
                hi += b;
            }
            var (l0, l1) = Vector256.Widen(lo);
            var (h0, h1) = Vector256.Widen(hi);
            s0 += l0;
            s1 += l1;
            s2 += h0;
            s3 += h1;
        }
        // Vector256.Widen splits by halves of the register: lo holds channels 0–15 (l0: 0–7, l1: 8–15), hi 16–31.
        var q0 = Quarter(op, s0, pixels);
        var q1 = Quarter(op, s1, pixels);
        var q2 = Quarter(op, s2, pixels);
        var q3 = Quarter(op, s3, pixels);
        var low = Vector128.NarrowWithSaturation(Vector128.Narrow(q0.GetLower(), q0.GetUpper()), Vector128.Narrow(q1.GetLower(), q1.GetUpper()));
        var high = Vector128.NarrowWithSaturation(Vector128.Narrow(q2.GetLower(), q2.GetUpper()), Vector128.Narrow(q3.GetLower(), q3.GetUpper()));
        return Vector256.Create(low, high);
    }

    /// <summary>Eight channels' <c>div_round(Σ − n·zp, n) + zp</c>, as the Vector128 path computes four.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Quarter(Int8GlobalAveragePool op, Vector256<int> sum, int pixels)
    {
        var bias = Vector128.Create(pixels * op.ZeroPoint);
        var zp = Vector128.Create(op.ZeroPoint);
        return Vector256.Create(DivRound(sum.GetLower() - bias, pixels) + zp, DivRound(sum.GetUpper() - bias, pixels) + zp);
    }
}
