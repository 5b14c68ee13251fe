using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.Float;

/// <summary>
/// The quantizer on AVX-512: eight doubles per step, sixteen values per block, the same arithmetic as the AVX2 path (see
/// the type's summary for exactness) where a block has a value near a rounding tie, and otherwise sixteen floats at once
/// multiplied by the float reciprocal (<see cref="TryQuantize16"/>: the same bytes, proved there). A block's 16 bytes go out in one store: contiguous at stride 1, or spread to every
/// stride-th byte of the next 16·stride by <c>vpermb</c> (AVX-512 VBMI) and written by a masked store that leaves the
/// bytes between them alone (they belong to the other channels of an NHWC row) — instead of 16 single-byte stores.
/// </summary>
public sealed partial class Float32Quantize
{
    /// <summary>The largest stride the AVX-512 path spreads (16 values × 4 = one 64-byte store).</summary>
    private const int Avx512MaxStride = 4;

    /// <summary>
    /// Per stride s (1–4), 64 bytes from offset 64·s: the vpermb index that puts value j at byte j·s; then from offset
    /// 64·(4 + s) the byte mask of those bytes.
    /// </summary>
    private static readonly byte[] SpreadTables = BuildSpreadTables();

    private static byte[] BuildSpreadTables()
    {
        var t = new byte[64 * (2 * Avx512MaxStride + 1)];
        for (int s = 1; s <= Avx512MaxStride; s++)
            for (int j = 0; j < 16; j++)
            {
                t[64 * s + j * s] = (byte)j;
                t[64 * (Avx512MaxStride + s) + j * s] = 0xFF;
            }
        return t;
    }

    /// <summary>Whole blocks of sixteen values; returns how many values it wrote.</summary>
    private static unsafe int Avx512Blocks(ref float x, int length, ref sbyte y, int stride, QuantizationParams p)
    {
        if (stride > Avx512MaxStride) return 0;
        var scale = Vector512.Create((double)p.Scale);
        var zp = Vector512.Create((double)p.ZeroPoint);
        // The float product serves scales whose float reciprocal is finite and normal (every calibrated one).
        bool product = p.Scale >= MinProductScale;
        var reciprocal = Vector512.Create(product ? 1f / p.Scale : 0f);
        var zpFloat = Vector512.Create((float)p.ZeroPoint);
        var spread = Vector512.LoadUnsafe(ref SpreadTables[stride * 64]);
        var keep = Vector512.LoadUnsafe(ref SpreadTables[(Avx512MaxStride + stride) * 64]);
        int i = 0;
        for (; i + 16 <= length; i += 16)
        {
            var v = Vector512.LoadUnsafe(ref x, (nuint)i);
            Vector128<sbyte> bytes;
            if (!product || !TryQuantize16(v, reciprocal, zpFloat, out bytes))
            {
                var lo = Avx512Quantize8(Avx512F.ConvertToVector512Double(v.GetLower()), scale, zp);
                var hi = Avx512Quantize8(Avx512F.ConvertToVector512Double(v.GetUpper()), scale, zp);
                bytes = Avx512F.ConvertToVector128SByte(Vector512.Create(lo, hi)); // values in [−128, 127]: truncation is exact
            }
            ref sbyte at = ref Unsafe.Add(ref y, (nint)i * stride);
            if (stride == 1)
            {
                bytes.StoreUnsafe(ref at);
                continue;
            }
            var spreadBytes = Avx512Vbmi.PermuteVar64x8(bytes.AsByte().ToVector256Unsafe().ToVector512Unsafe(), spread);
            fixed (sbyte* dst = &at) Avx512BW.MaskStore((byte*)dst, keep, spreadBytes);
        }
        return i;
    }

    /// <summary>Below this scale the float reciprocal would leave the normal range (2^−120: calibrated scales are far above).</summary>
    private const float MinProductScale = 7.5231638e-37f;

    /// <summary>
    /// Sixteen values with one float multiplication by <c>fl(1/s)</c> instead of the double division, unless a lane lies
    /// within 2^−12 of a rounding tie (then false, and the caller divides). Exact: the product v and the contract's double
    /// quotient are both within 2^−22.9·|Q| of the true quotient Q = x/s (two float roundings; one double rounding), so
    /// below 2^9 they differ by less than 2^−13; the result, <c>clamp(round_half_away(v) + zp)</c>, changes only at the
    /// half-integers below 256 in magnitude (from 256 on the clamp gives 127 or −128 whatever the digits), so a product
    /// farther than 2^−12 from each of them rounds as the quotient does, and one of 2^9 or more saturates as the quotient
    /// does. ±∞ and NaN pass through the product as through the quotient (their fraction is NaN, which no comparison takes;
    /// 0·∞ cannot occur: the reciprocal is finite), and <c>v − trunc(v)</c> is exact (the fraction bits of v).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryQuantize16(Vector512<float> x, Vector512<float> reciprocal, Vector512<float> zp, out Vector128<sbyte> bytes)
    {
        var v = x * reciprocal;
        var t = Avx512F.RoundScale(v, 0b1011); // truncate toward zero, precision exceptions suppressed
        var fraction = Vector512.Abs(v - t);
        if (Vector512.LessThanOrEqualAny(Vector512.Abs(fraction - Vector512.Create(0.5f)), Vector512.Create(1f / 4096)))
        {
            bytes = default;
            return false;
        }
        var half = Vector512.GreaterThanOrEqual(fraction, Vector512.Create(0.5f));
        var away = Vector512.ConditionalSelect(Vector512.Create(-0.0f), v, Vector512.Create(1f)) & half; // ±1 where |fraction| ≥ ½
        var q = Avx512F.Min(Avx512F.Max(t + away + zp, Vector512.Create(-128f)), Vector512.Create(127f));
        q = Vector512.ConditionalSelect(Vector512.Equals(v, v), q, zp); // NaN → the zero point
        bytes = Avx512F.ConvertToVector128SByte(Avx512F.ConvertToVector512Int32WithTruncation(q)); // integers in [−128, 127]
        return true;
    }

    /// <summary>Eight values by the contract's double division (the AVX2 path's arithmetic on 512 bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Avx512Quantize8(Vector512<double> d, Vector512<double> scale, Vector512<double> zp)
    {
        var v = Avx512F.Divide(d, scale);
        var t = Avx512F.RoundScale(v, 0b1011); // truncate toward zero, precision exceptions suppressed
        var half = Vector512.GreaterThanOrEqual(Vector512.Abs(v - t), Vector512.Create(0.5));
        var away = Vector512.ConditionalSelect(Vector512.Create(-0.0), v, Vector512.Create(1.0)) & half.AsDouble(); // ±1 where |fraction| ≥ ½
        var q = t + away + zp;
        q = Avx512F.Min(Avx512F.Max(q, Vector512.Create(-128.0)), Vector512.Create(127.0));
        q = Vector512.ConditionalSelect(Vector512.Equals(v, v), q, zp); // NaN → the zero point
        return Avx512F.ConvertToVector256Int32WithTruncation(q);
    }
}
