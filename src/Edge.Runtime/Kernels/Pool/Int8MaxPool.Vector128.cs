using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Edge.Runtime.Kernels.Pool;

/// <summary>
/// The Vector128 max pool. Per output pixel the window is clipped to the real input once (not at all for the columns
/// whose window lies inside the input), then the channels are reduced over its taps a block at a time:
/// <list type="bullet">
/// <item>16 channels per block; when C is not a multiple of 16, a last block ends at C and overlaps the one before it
/// (max is idempotent, so a channel computed twice gets the same value);</item>
/// <item>8 ≤ C &lt; 16: two 8-channel blocks, at 0 and at C − 8;</item>
/// <item>C &lt; 8: one 8-lane block that reads and writes past the pixel's channels, into the next pixel's, which are
/// rewritten when that pixel's turn comes (pixels go in increasing order). Where those 8 bytes would leave the input
/// or the output tensor — the last pixels — the channels go one at a time.</item>
/// </list>
/// The pixels of a row whose windows lie wholly inside the input skip the clipping altogether (<see cref="FullWindows"/>).
/// A max of int8 values is exact whatever the order, so the result is bit-exact with <see cref="RunScalar"/> by construction.
/// </summary>
public sealed partial class Int8MaxPool
{
    /// <summary>The Vector128 path, bit-exact with <see cref="RunScalar"/>; the scalar reference when Vector128 is not accelerated.</summary>
    public static void RunVector128(Int8MaxPool op, ReadOnlySpan<sbyte> input, Span<sbyte> output)
        => Vector128Rows(op, input, output, 0, op.RowCount, width: 16);

    /// <summary>The rows; <paramref name="width"/>: channels per load in the interior (16, or 32 / 64: Int8MaxPool.Avx2.cs).</summary>
    private static void Vector128Rows(Int8MaxPool op, ReadOnlySpan<sbyte> input, Span<sbyte> output, int begin, int end, int width)
    {
        var s = op.Shape;
        Guard.Length(input.Length, s.InputLength, "input");
        Guard.Length(output.Length, s.OutputLength, "output");
        if (!Vector128.IsHardwareAccelerated)
        {
            MaxPoolLoop.Run(s, input, output, sbyte.MinValue, begin, end);
            return;
        }
        int channels = s.Channels;
        var taps = new PoolTaps(s);
        ref sbyte x = ref MemoryMarshal.GetReference(input);
        ref sbyte y = ref MemoryMarshal.GetReference(output);
        // A row range writes nothing past its last pixel: the 8-byte stores of C < 8 stop at the range's end.
        nint inputEnd = s.InputLength, outputEnd = (nint)end * s.OutW * channels;
        for (int r = begin; r < end; r++)
            {
                int n = r / s.OutH, oh = r % s.OutH;
                var row = taps.RowAt(n, oh);
                // The columns whose windows lie wholly inside the input, on a row with every row tap: one run (FullWindows).
                bool full = row.I1 - row.I0 == s.Window.KernelH && s.Window.KernelH * s.Window.KernelW <= MaxFullTaps;
                int lo = full ? Math.Min(taps.InteriorLo, s.OutW) : s.OutW, hi = full ? Math.Max(lo, Math.Min(taps.InteriorHi, s.OutW)) : s.OutW;
                for (int ow = 0; ow < s.OutW; ow++)
                {
                    if (ow == lo && hi > lo)
                    {
                        // In pixel order: the 8-byte stores of C < 8 spill into the next pixel, which must come after.
                        var w = s.Window;
                        nint first = row.Start + (nint)(lo * w.StrideW - w.PadLeft) * channels;
                        FullWindows(op, ref x, ref y, first, (nint)((n * s.OutH + oh) * s.OutW + lo) * channels, hi - lo, inputEnd, outputEnd, width);
                        ow = hi - 1;
                        continue;
                    }
                    var t = taps.At(row, ow);
                    nint yo = (nint)((n * s.OutH + oh) * s.OutW + ow) * channels;
                    if (t.Count == 0)
                    {
                        output.Slice((int)yo, channels).Fill(sbyte.MinValue);
                        continue;
                    }
                    int c = 0;
                    for (; c + 16 <= channels; c += 16) Max16(ref x, t, c).StoreUnsafe(ref y, (nuint)(yo + c));
                    if (c == channels) continue;
                    if (channels >= 16) Max16(ref x, t, channels - 16).StoreUnsafe(ref y, (nuint)(yo + channels - 16));
                    else if (channels >= 8)
                    {
                        PoolTaps.Store8(ref y, yo, Max8(ref x, t, 0));
                        PoolTaps.Store8(ref y, yo + channels - 8, Max8(ref x, t, channels - 8));
                    }
                    else if (yo + 8 <= outputEnd && t.Last + 8 <= inputEnd) PoolTaps.Store8(ref y, yo, Max8(ref x, t, 0));
                    else
                        for (c = 0; c < channels; c++) Unsafe.Add(ref y, yo + c) = Max1(ref x, t, c);
                }
            }
    }

    /// <summary>Windows of at most this many taps take <see cref="FullWindows"/> (their offsets live on the stack).</summary>
    private const int MaxFullTaps = 64;

    /// <summary>
    /// <paramref name="count"/> consecutive output pixels of one row whose windows lie wholly inside the input (all KH·KW
    /// taps real), the first window at element <paramref name="first"/>, the first output at <paramref name="yo"/>: the
    /// taps' offsets computed once, the pixels a fixed step apart, the channel blocks as in the general walk.
    /// </summary>
    private static void FullWindows(Int8MaxPool op, ref sbyte x, ref sbyte y, nint first, nint yo, int count, nint inputEnd, nint outputEnd, int width)
    {
        var s = op.Shape;
        var w = s.Window;
        int channels = s.Channels, taps = w.KernelH * w.KernelW;
        Span<nint> offsets = stackalloc nint[MaxFullTaps];
        for (int i = 0, k = 0; i < w.KernelH; i++)
            for (int j = 0; j < w.KernelW; j++, k++)
                offsets[k] = (nint)i * w.DilationH * s.InW * channels + (nint)j * w.DilationW * channels;
        ref nint off = ref MemoryMarshal.GetReference(offsets);
        nint step = (nint)w.StrideW * channels, last = offsets[taps - 1];
        for (int p = 0; p < count; p++, first += step, yo += channels)
        {
            if (width > 16) MaxTapsWide(ref x, ref y, first, yo, channels, width, ref off, taps);
            else if (channels >= 16)
            {
                int c = 0;
                for (; c + 16 <= channels; c += 16) MaxTaps16(ref x, first + c, ref off, taps).StoreUnsafe(ref y, (nuint)(yo + c));
                if (c < channels) MaxTaps16(ref x, first + channels - 16, ref off, taps).StoreUnsafe(ref y, (nuint)(yo + channels - 16));
            }
            else if (channels >= 8)
            {
                PoolTaps.Store8(ref y, yo, MaxTaps8(ref x, first, ref off, taps));
                PoolTaps.Store8(ref y, yo + channels - 8, MaxTaps8(ref x, first + channels - 8, ref off, taps));
            }
            else if (yo + 8 <= outputEnd && first + last + 8 <= inputEnd) PoolTaps.Store8(ref y, yo, MaxTaps8(ref x, first, ref off, taps));
            else
                for (int c = 0; c < channels; c++)
                {
                    int m = sbyte.MinValue;
                    for (int k = 0; k < taps; k++) m = Math.Max(m, Unsafe.Add(ref x, first + Unsafe.Add(ref off, k) + c));
                    Unsafe.Add(ref y, yo + c) = (sbyte)m;
                }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<sbyte> MaxTaps16(ref sbyte x, nint at, ref nint off, int taps)
    {
        var m = Vector128.LoadUnsafe(ref x, (nuint)(at + off));
        for (int k = 1; k < taps; k++) m = Vector128.Max(m, Vector128.LoadUnsafe(ref x, (nuint)(at + Unsafe.Add(ref off, k))));
        return m;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<sbyte> MaxTaps8(ref sbyte x, nint at, ref nint off, int taps)
    {
        var m = PoolTaps.Load8(ref x, at + off);
        for (int k = 1; k < taps; k++) m = Vector128.Max(m, PoolTaps.Load8(ref x, at + Unsafe.Add(ref off, k)));
        return m;
    }

    /// <summary>The max over the taps of 16 channels from <paramref name="c"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<sbyte> Max16(ref sbyte x, in PoolTaps.Pixel t, int c)
    {
        var m = Vector128.Create(sbyte.MinValue);
        nint row = t.First + c;
        for (int i = 0; i < t.Rows; i++, row += t.RowStep)
        {
            nint p = row;
            for (int j = 0; j < t.Cols; j++, p += t.ColStep) m = Vector128.Max(m, Vector128.LoadUnsafe(ref x, (nuint)p));
        }
        return m;
    }

    /// <summary>The max over the taps of 8 channels from <paramref name="c"/>, in the low 8 lanes (each load reads exactly 8 bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<sbyte> Max8(ref sbyte x, in PoolTaps.Pixel t, int c)
    {
        var m = Vector128.Create(sbyte.MinValue);
        nint row = t.First + c;
        for (int i = 0; i < t.Rows; i++, row += t.RowStep)
        {
            nint p = row;
            for (int j = 0; j < t.Cols; j++, p += t.ColStep) m = Vector128.Max(m, PoolTaps.Load8(ref x, p));
        }
        return m;
    }

    private static sbyte Max1(ref sbyte x, in PoolTaps.Pixel t, int c)
    {
        int m = sbyte.MinValue;
        nint row = t.First + c;
        for (int i = 0; i < t.Rows; i++, row += t.RowStep)
        {
            nint p = row;
            for (int j = 0; j < t.Cols; j++, p += t.ColStep) m = Math.Max(m, Unsafe.Add(ref x, p));
        }
        return (sbyte)m;
    }
}
