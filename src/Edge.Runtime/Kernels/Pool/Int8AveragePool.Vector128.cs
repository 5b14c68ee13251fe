using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.Pool;

/// <summary>
/// The Vector128 average pool. The window walk and the channel blocks are the max pool's (Int8MaxPool.Vector128.cs:
/// 16 channels per block with an overlapping last block, two 8-channel blocks below 16 channels, and below 8 an 8-lane
/// block that reads and writes into the next pixel's channels where the tensors allow). Per block:
/// <list type="bullet">
/// <item>the raw int8 values of the real taps are summed in int16 lanes — exact for up to 256 taps, |Σ x| ≤ 128·256 = 2^15
/// (−32768 at worst, which int16 holds) — or, for larger windows, in int32 lanes; then <c>sum = Σ x − taps·zp</c> in int32,
/// which is the contract's <c>Σ (x − zp)</c>;</item>
/// <item><c>div_round(sum, count)</c> with the quotient taken in float32 and truncated (<see cref="RoundingDivision.DivRound"/>
/// says why that is exact: the count is at most KH·KW, which must not exceed <see cref="RoundingDivision.MaxCount"/>), then
/// <c>+ zp</c> and the clamp to [−128, 127] by a saturating narrow. A window with a count of 0 gives zp, as in the reference.</item>
/// </list>
/// </summary>
public sealed partial class Int8AveragePool
{
    /// <summary>
    /// The Vector128 path, bit-exact with <see cref="RunScalar"/>; the scalar reference when Vector128 is not accelerated
    /// or the window has more than <see cref="RoundingDivision.MaxCount"/> taps.
    /// </summary>
    public static void RunVector128(Int8AveragePool op, ReadOnlySpan<sbyte> input, Span<sbyte> output)
        => Vector128Rows(op, input, output, 0, op.RowCount);

    private static void Vector128Rows(Int8AveragePool op, ReadOnlySpan<sbyte> input, Span<sbyte> output, int begin, int end)
    {
        var s = op.Shape;
        var win = s.Window;
        Guard.Length(input.Length, s.InputLength, "input");
        Guard.Length(output.Length, s.OutputLength, "output");
        if (!Vector128.IsHardwareAccelerated || win.KernelH * win.KernelW > RoundingDivision.MaxCount)
        {
            ScalarRows(op, input, output, begin, end);
            return;
        }
        int channels = s.Channels, zp = op.ZeroPoint;
        int paddedH = win.PadTop + s.InH + win.PadBottom, paddedW = win.PadLeft + s.InW + win.PadRight;
        var taps = new PoolTaps(s);
        ref sbyte x = ref MemoryMarshal.GetReference(input);
        ref sbyte y = ref MemoryMarshal.GetReference(output);
        // A row range writes nothing past its last pixel: the 8-byte stores of C < 8 stop at the range's end.
        nint inputEnd = s.InputLength, outputEnd = (nint)end * s.OutW * channels;
        for (int r = begin; r < end; r++)
            {
                int n = r / s.OutH, oh = r % s.OutH;
                var row = taps.RowAt(n, oh);
                int countH = op.CountIncludePad ? Taps(win.KernelH, win.DilationH, oh * win.StrideH, paddedH) : row.I1 - row.I0;
                for (int ow = 0; ow < s.OutW; ow++)
                {
                    var t = taps.At(row, ow);
                    int countW = !op.CountIncludePad ? t.Cols
                        : t.Cols == win.KernelW ? win.KernelW : Taps(win.KernelW, win.DilationW, ow * win.StrideW, paddedW);
                    int count = countH * countW;
                    nint yo = (nint)((n * s.OutH + oh) * s.OutW + ow) * channels;
                    if (t.Count == 0 || count == 0)
                    {
                        // No real tap: the sum is 0, and so is its quotient (or there is no count); the result is zp.
                        output.Slice((int)yo, channels).Fill((sbyte)zp);
                        continue;
                    }
                    var d = new Divisor(count, t.Count, zp);
                    int c = 0;
                    for (; c + 16 <= channels; c += 16) Average(ref x, t, c, eight: false, d).StoreUnsafe(ref y, (nuint)(yo + c));
                    if (c == channels) continue;
                    if (channels >= 16) Average(ref x, t, channels - 16, eight: false, d).StoreUnsafe(ref y, (nuint)(yo + channels - 16));
                    else if (channels >= 8)
                    {
                        PoolTaps.Store8(ref y, yo, Average(ref x, t, 0, eight: true, d));
                        PoolTaps.Store8(ref y, yo + channels - 8, Average(ref x, t, channels - 8, eight: true, d));
                    }
                    else if (yo + 8 <= outputEnd && t.Last + 8 <= inputEnd) PoolTaps.Store8(ref y, yo, Average(ref x, t, 0, eight: true, d));
                    else
                        for (c = 0; c < channels; c++) Unsafe.Add(ref y, yo + c) = Average1(ref x, t, c, count, zp);
                }
            }
    }

    /// <summary>The per-pixel constants of the division: count, 2·count, taps·zp and zp, broadcast.</summary>
    private readonly struct Divisor(int count, int taps, int zp)
    {
        public readonly Vector128<int> Count = Vector128.Create(count);
        public readonly Vector128<float> TwiceCount = Vector128.Create(2f * count);
        public readonly Vector128<int> TapsTimesZeroPoint = Vector128.Create(taps * zp);
        public readonly Vector128<int> ZeroPoint = Vector128.Create(zp);
        public readonly int Taps = taps;
    }

    /// <summary>
    /// The averages of 16 channels from <paramref name="c"/> (of 8 in the low lanes when <paramref name="eight"/>: each load
    /// then reads exactly 8 bytes), as int8.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<sbyte> Average(ref sbyte x, in PoolTaps.Pixel t, int c, bool eight, in Divisor d)
    {
        Vector128<int> s0, s1, s2, s3;
        nint row = t.First + c;
        if (d.Taps <= 256)
        {
            Vector128<short> lo = default, hi = default;
            for (int i = 0; i < t.Rows; i++, row += t.RowStep)
            {
                nint p = row;
                for (int j = 0; j < t.Cols; j++, p += t.ColStep)
                {
                    var (a, b) = Vector128.Widen(eight ? PoolTaps.Load8(ref x, p) : Vector128.LoadUnsafe(ref x, (nuint)p));
                    lo += a;
                    hi += b;
                }
            }
            (s0, s1) = Vector128.Widen(lo);
            (s2, s3) = Vector128.Widen(hi);
        }
        else
        {
            s0 = s1 = s2 = s3 = default;
            for (int i = 0; i < t.Rows; i++, row += t.RowStep)
            {
                nint p = row;
                for (int j = 0; j < t.Cols; j++, p += t.ColStep)
                {
                    var (a, b) = Vector128.Widen(eight ? PoolTaps.Load8(ref x, p) : Vector128.LoadUnsafe(ref x, (nuint)p));
                    var (a0, a1) = Vector128.Widen(a);
                    var (b0, b1) = Vector128.Widen(b);
                    s0 += a0;
                    s1 += a1;
                    s2 += b0;
                    s3 += b1;
                }
            }
        }
        var q01 = Vector128.Narrow(DivRound(s0 - d.TapsTimesZeroPoint, d) + d.ZeroPoint, DivRound(s1 - d.TapsTimesZeroPoint, d) + d.ZeroPoint);
        var q23 = Vector128.Narrow(DivRound(s2 - d.TapsTimesZeroPoint, d) + d.ZeroPoint, DivRound(s3 - d.TapsTimesZeroPoint, d) + d.ZeroPoint);
        return Vector128.NarrowWithSaturation(q01, q23);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> DivRound(Vector128<int> sum, in Divisor d) => RoundingDivision.DivRound(sum, d.Count, d.TwiceCount);

    /// <summary>One channel, as the reference computes it but over the pre-clipped window.</summary>
    private static sbyte Average1(ref sbyte x, in PoolTaps.Pixel t, int c, int count, int zp)
    {
        int sum = 0;
        nint row = t.First + c;
        for (int i = 0; i < t.Rows; i++, row += t.RowStep)
        {
            nint p = row;
            for (int j = 0; j < t.Cols; j++, p += t.ColStep) sum += Unsafe.Add(ref x, p) - zp;
        }
        return (sbyte)Math.Clamp(Rounding.DivRound(sum, count) + zp, sbyte.MinValue, sbyte.MaxValue);
    }
}
