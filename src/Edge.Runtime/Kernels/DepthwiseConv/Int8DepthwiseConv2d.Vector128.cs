using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Edge.Runtime.Kernels.DepthwiseConv;

/// <summary>
/// The Vector128 depthwise convolution: per output pixel, channels 16 at a time (then 8, then one by one), each tap
/// a multiply-add across channels.
/// <para>
/// Arithmetic per tap: x widens to int16 and loses zp_x (|x − zp_x| ≤ 255), the weight widens to int16, and the
/// lane-wise product is exact in int16 (|(x − zp_x)·w| ≤ 255·127 = 32385 &lt; 2^15); it widens to int32 and accumulates.
/// Only the taps on real input are visited (the window is clipped once per pixel), so padding adds nothing.
/// </para>
/// </summary>
public sealed partial class Int8DepthwiseConv2d
{
    /// <summary>The Vector128 path, bit-exact with <see cref="RunScalar"/>; the scalar reference when Vector128 is not accelerated.</summary>
    public static void RunVector128(Int8DepthwiseConv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch)
    {
        if (!Vector128.IsHardwareAccelerated)
        {
            RunScalar(op, input, output, scratch);
            return;
        }
        ForEachPixel<Vector128Channels>(op, input, output);
    }

    /// <summary>What the SIMD paths compute for one output pixel, from its window clipped to the input.</summary>
    private interface IPixelChannels
    {
        static abstract void Run(Int8DepthwiseConv2d op, ReadOnlySpan<sbyte> input, in Taps taps, Span<sbyte> y);
    }

    /// <summary>Channels 16 at a time, then 8, then one by one.</summary>
    private readonly struct Vector128Channels : IPixelChannels
    {
        public static void Run(Int8DepthwiseConv2d op, ReadOnlySpan<sbyte> input, in Taps taps, Span<sbyte> y)
        {
            int channels = y.Length, c = 0;
            for (; c + 16 <= channels; c += 16) Channels16(op, input, taps, c, y);
            for (; c + 8 <= channels; c += 8) Channels8(op, input, taps, c, y);
            for (; c < channels; c++) Channel1(op, input, taps, c, y);
        }
    }

    /// <summary>
    /// The pixel walk of the SIMD paths: every output pixel in order, its window clipped once, its
    /// <typeparamref name="TChannels"/> computing all channels of the pixel.
    /// </summary>
    private static void ForEachPixel<TChannels>(Int8DepthwiseConv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output)
        where TChannels : struct, IPixelChannels
    {
        var s = op.Shape;
        var win = s.Window;
        Guard.Length(input.Length, s.InputLength, "input");
        Guard.Length(output.Length, s.OutputLength, "output");
        int channels = op.Channels;
        for (int n = 0; n < s.Batch; n++)
            for (int oh = 0; oh < s.OutH; oh++)
            {
                int ih0 = oh * win.StrideH - win.PadTop;
                var (i0, i1) = WindowTaps.Inside(win.KernelH, win.DilationH, ih0, s.InH);
                for (int ow = 0; ow < s.OutW; ow++)
                {
                    int iw0 = ow * win.StrideW - win.PadLeft;
                    var (j0, j1) = WindowTaps.Inside(win.KernelW, win.DilationW, iw0, s.InW);
                    var taps = new Taps(n * s.InH + ih0, iw0, i0, i1, j0, j1);
                    TChannels.Run(op, input, taps, output.Slice(((n * s.OutH + oh) * s.OutW + ow) * channels, channels));
                }
            }
    }

    /// <summary>
    /// The window of one output pixel clipped to the input: taps [I0, I1) × [J0, J1); tap (i, j) reads input row
    /// <c>Row0 + i·dH</c> (counted across the batch) and column <c>Col0 + j·dW</c>.
    /// </summary>
    private readonly record struct Taps(int Row0, int Col0, int I0, int I1, int J0, int J1);

    private static void Channels16(Int8DepthwiseConv2d op, ReadOnlySpan<sbyte> input, in Taps t, int c, Span<sbyte> y)
    {
        var s = op.Shape;
        var win = s.Window;
        int channels = op.Channels;
        ref int bias = ref MemoryMarshal.GetArrayDataReference(op.Bias);
        var a0 = Vector128.LoadUnsafe(ref bias, (nuint)c);
        var a1 = Vector128.LoadUnsafe(ref bias, (nuint)c + 4);
        var a2 = Vector128.LoadUnsafe(ref bias, (nuint)c + 8);
        var a3 = Vector128.LoadUnsafe(ref bias, (nuint)c + 12);
        var zp = Vector128.Create((short)op.InputZeroPoint);
        ref sbyte x = ref MemoryMarshal.GetReference(input);
        ref sbyte w = ref MemoryMarshal.GetArrayDataReference(op.Weights);
        for (int i = t.I0; i < t.I1; i++)
        {
            int rowStart = (t.Row0 + i * win.DilationH) * s.InW;
            for (int j = t.J0; j < t.J1; j++)
            {
                var (xlo, xhi) = Vector128.Widen(Vector128.LoadUnsafe(ref x, (nuint)((rowStart + t.Col0 + j * win.DilationW) * channels + c)));
                var (wlo, whi) = Vector128.Widen(Vector128.LoadUnsafe(ref w, (nuint)((i * win.KernelW + j) * channels + c)));
                var (p0, p1) = Vector128.Widen((xlo - zp) * wlo);
                var (p2, p3) = Vector128.Widen((xhi - zp) * whi);
                a0 += p0;
                a1 += p1;
                a2 += p2;
                a3 += p3;
            }
        }
        var q01 = Vector128.Narrow(op.Output.Apply(a0, c), op.Output.Apply(a1, c + 4));
        var q23 = Vector128.Narrow(op.Output.Apply(a2, c + 8), op.Output.Apply(a3, c + 12));
        Vector128.Narrow(q01, q23).StoreUnsafe(ref y[c]);
    }

    private static void Channels8(Int8DepthwiseConv2d op, ReadOnlySpan<sbyte> input, in Taps t, int c, Span<sbyte> y)
    {
        var s = op.Shape;
        var win = s.Window;
        int channels = op.Channels;
        ref int bias = ref MemoryMarshal.GetArrayDataReference(op.Bias);
        var a0 = Vector128.LoadUnsafe(ref bias, (nuint)c);
        var a1 = Vector128.LoadUnsafe(ref bias, (nuint)c + 4);
        var zp = Vector128.Create((short)op.InputZeroPoint);
        ref sbyte x = ref MemoryMarshal.GetReference(input);
        ref sbyte w = ref MemoryMarshal.GetArrayDataReference(op.Weights);
        for (int i = t.I0; i < t.I1; i++)
        {
            int rowStart = (t.Row0 + i * win.DilationH) * s.InW;
            for (int j = t.J0; j < t.J1; j++)
            {
                var xv = Load8(ref x, (rowStart + t.Col0 + j * win.DilationW) * channels + c);
                var wv = Load8(ref w, (i * win.KernelW + j) * channels + c);
                var (p0, p1) = Vector128.Widen((xv - zp) * wv);
                a0 += p0;
                a1 += p1;
            }
        }
        var q = Vector128.Narrow(op.Output.Apply(a0, c), op.Output.Apply(a1, c + 4));
        var bytes = Vector128.Narrow(q, q);
        Unsafe.WriteUnaligned(ref Unsafe.As<sbyte, byte>(ref y[c]), bytes.AsInt64().ToScalar());
    }

    /// <summary>Eight int8 at <paramref name="offset"/>, widened to int16 (reads exactly eight bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<short> Load8(ref sbyte p, int offset)
    {
        long bits = Unsafe.ReadUnaligned<long>(ref Unsafe.As<sbyte, byte>(ref Unsafe.Add(ref p, offset)));
        return Vector128.WidenLower(Vector128.CreateScalarUnsafe(bits).AsSByte());
    }

    /// <summary>One channel, as the scalar reference computes it but over the pre-clipped window.</summary>
    private static void Channel1(Int8DepthwiseConv2d op, ReadOnlySpan<sbyte> input, in Taps t, int c, Span<sbyte> y)
    {
        var s = op.Shape;
        var win = s.Window;
        int channels = op.Channels, acc = op.Bias[c];
        for (int i = t.I0; i < t.I1; i++)
        {
            int rowStart = (t.Row0 + i * win.DilationH) * s.InW;
            for (int j = t.J0; j < t.J1; j++)
                acc += (input[(rowStart + t.Col0 + j * win.DilationW) * channels + c] - op.InputZeroPoint)
                     * op.Weights[(i * win.KernelW + j) * channels + c];
        }
        y[c] = op.Output.Apply(acc, c);
    }
}
