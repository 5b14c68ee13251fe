using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.Pool;

/// <summary>
/// The Vector128 global average pool: 16 channels at a time (a last block ending at C overlaps the one before it when
/// C is not a multiple of 16; 8 at a time, the same way, below 16 channels; one at a time below 8), each summed over the
/// H·W pixels. The raw int8 values add in int16 lanes 256 pixels at a time (|Σ x| ≤ 128·256 = 2^15, which int16 holds at
/// −32768), then in int32; <c>sum = Σ x − H·W·zp</c> is the contract's <c>Σ (x − zp)</c> (|sum| ≤ 255·2^23 &lt; 2^31 for the
/// planes <see cref="Prepare"/> accepts). The rounding division takes a float32 quotient
/// (<see cref="RoundingDivision.DivRound"/>, exact up to <see cref="RoundingDivision.MaxCount"/> pixels); larger planes divide
/// lane by lane with <see cref="Rounding.DivRound"/>.
/// </summary>
public sealed partial class Int8GlobalAveragePool
{
    /// <summary>The Vector128 path, bit-exact with <see cref="RunScalar"/>; the scalar reference when Vector128 is not accelerated.</summary>
    public static void RunVector128(Int8GlobalAveragePool op, ReadOnlySpan<sbyte> input, Span<sbyte> output)
    {
        if (!Vector128.IsHardwareAccelerated || op.Channels < 8)
        {
            RunScalar(op, input, output);
            return;
        }
        Guard.Length(input.Length, op.InputLength, "input");
        Guard.Length(output.Length, op.OutputLength, "output");
        int channels = op.Channels, pixels = op.Height * op.Width;
        ref sbyte x = ref MemoryMarshal.GetReference(input);
        ref sbyte y = ref MemoryMarshal.GetReference(output);
        int width = channels >= 16 ? 16 : 8;
        for (int n = 0; n < op.Batch; n++)
        {
            nint plane = (nint)n * pixels * channels;
            for (int c = 0; ; c += width)
            {
                // The last block ends at C, overlapping the previous one when C is not a multiple of the width.
                int block = Math.Min(c, channels - width);
                var q = Block(op, ref x, plane + block, pixels, eight: width == 8);
                if (width == 16) q.StoreUnsafe(ref y, (nuint)((nint)n * channels + block));
                else PoolTaps.Store8(ref y, (nint)n * channels + block, q);
                if (block + width == channels) break;
            }
        }
    }

    /// <summary>The averages of the 16 (or, when <paramref name="eight"/>, 8) channels at element <paramref name="start"/> of a plane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<sbyte> Block(Int8GlobalAveragePool op, ref sbyte x, nint start, int pixels, bool eight)
    {
        Vector128<int> s0 = default, s1 = default, s2 = default, s3 = default;
        nint step = op.Channels, p = start;
        for (int done = 0; done < pixels;)
        {
            int end = Math.Min(pixels, done + 256);
            Vector128<short> lo = default, hi = default;
            for (; done < end; done++, p += step)
            {
                var (a, b) = Vector128.Widen(eight ? PoolTaps.Load8(ref x, p) : Vector128.LoadUnsafe(ref x, (nuint)p));
                lo += a;
                hi += b;
            }
            var (l0, l1) = Vector128.Widen(lo);
            var (h0, h1) = Vector128.Widen(hi);
            s0 += l0;
            s1 += l1;
            s2 += h0;
            s3 += h1;
        }
        var bias = Vector128.Create(pixels * op.ZeroPoint);
        var zp = Vector128.Create(op.ZeroPoint);
        var q01 = Vector128.Narrow(DivRound(s0 - bias, pixels) + zp, DivRound(s1 - bias, pixels) + zp);
        var q23 = Vector128.Narrow(DivRound(s2 - bias, pixels) + zp, DivRound(s3 - bias, pixels) + zp);
        return Vector128.NarrowWithSaturation(q01, q23);
    }

    /// <summary><c>div_round(sum, count)</c> on four lanes: a float32 quotient where it is exact, else lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> DivRound(Vector128<int> sum, int count)
    {
        if (count > RoundingDivision.MaxCount)
            return Vector128.Create(Rounding.DivRound(sum.GetElement(0), count), Rounding.DivRound(sum.GetElement(1), count),
                Rounding.DivRound(sum.GetElement(2), count), Rounding.DivRound(sum.GetElement(3), count));
        return RoundingDivision.DivRound(sum, Vector128.Create(count), Vector128.Create(2f * count));
    }
}
