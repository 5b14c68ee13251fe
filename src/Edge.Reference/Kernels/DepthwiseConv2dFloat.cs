using System.Buffers;
using System.Numerics;
using Edge.Core.Graph;

namespace Edge.Reference.Kernels;

/// <summary>
/// Depthwise convolution (group == in channels == out channels, weight [C, 1, kH, kW]) of an NCHW batch, computed
/// directly per plane: im2col would copy the input kH·kW times for only kH·kW multiply-adds per output.
/// <para>
/// Layout trick (polyphase, flattened): each input plane is first copied, zero-padded, into sH·sW phase planes,
/// <c>phase[a, b][r, c] = x[r·sH + a − padTop, c·sW + b − padLeft]</c> (0 outside the input), all of width
/// Wp = OutW + ⌊(kW−1)·dW / sW⌋. Tap (i, j) of output (oh, ow) then reads phase[(i·dH) mod sH, (j·dW) mod sW] at
/// row oh + ⌊i·dH / sH⌋, column ow + ⌊j·dW / sW⌋ — so in the flattened phase plane, every tap is a constant shift of
/// the flattened output index q = oh·Wp + ow. The whole plane becomes one long run of vector fused multiply-adds
/// with no bounds logic, for any stride and dilation; the Wp − OutW extra columns per row are computed and dropped.
/// </para>
/// <para>
/// Loop order: plane → blocks of 2 vectors of q → taps (i, j) in order. Every output is
/// <c>fma(w[kH−1, kW−1], x, … fma(w[0, 0], x, 0))</c> over all taps (padding taps add exactly 0), then the bias, then
/// the clamp — the value <see cref="Conv2dFloat.RunGrouped"/> computes. Planes are independent; large layers split them
/// across cores, which does not change any result.
/// </para>
/// </summary>
public static class DepthwiseConv2dFloat
{
    /// <summary><c>output = clamp(depthwiseConv(input, weight) + bias)</c>; <paramref name="bias"/> is [C] or empty.</summary>
    public static unsafe void Run(in ConvShape s, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        FusedClamp clamp, Span<float> output)
    {
        if (!s.IsDepthwise) throw new ArgumentException($"{s} is not depthwise (group == in channels == out channels)");
        Conv2dFloat.Check(s, input.Length, weight.Length, bias.Length, output.Length);
        var shape = s;
        var layout = new PhaseLayout(s);
        int inPlane = s.InH * s.InW, outPlane = s.OutH * s.OutW, taps = s.Window.KernelH * s.Window.KernelW;
        fixed (float* px = input, pw = weight, pb = bias, py = output)
        {
            nint ix = (nint)px, iw = (nint)pw, ib = (nint)pb, iy = (nint)py;
            bool hasBias = !bias.IsEmpty;
            Parallelism.ForRanges(s.Batch * s.InChannels, (long)s.OutputLength * taps, (p0, p1) =>
            {
                float[] buffer = ArrayPool<float>.Shared.Rent(layout.BufferLength);
                fixed (float* pbuf = buffer)
                {
                    for (int p = p0; p < p1; p++)
                    {
                        int c = p % shape.InChannels;
                        FillPhases(shape, layout, (float*)ix + (long)p * inPlane, pbuf);
                        Accumulate(layout, (float*)iw + c * taps, taps, pbuf);
                        Store(shape, layout, pbuf + layout.AccumulatorOffset, hasBias ? ((float*)ib)[c] : 0f, clamp, (float*)iy + (long)p * outPlane);
                    }
                }
                ArrayPool<float>.Shared.Return(buffer);
            });
        }
    }

    /// <summary>Sizes of the phase planes and, per tap, where its input starts in the buffer.</summary>
    private sealed class PhaseLayout
    {
        public PhaseLayout(in ConvShape s)
        {
            var win = s.Window;
            Width = s.OutW + (win.KernelW - 1) * win.DilationW / win.StrideW;
            Height = s.OutH + (win.KernelH - 1) * win.DilationH / win.StrideH + 1; // one spare row: the dropped columns of the last row read past it
            PhaseLength = Height * Width;
            AccumulatorOffset = win.StrideH * win.StrideW * PhaseLength;
            AccumulatorLength = s.OutH * Width;
            BufferLength = AccumulatorOffset + AccumulatorLength;
            TapOffsets = new int[win.KernelH * win.KernelW];
            for (int i = 0, t = 0; i < win.KernelH; i++)
            {
                for (int j = 0; j < win.KernelW; j++, t++)
                {
                    int phase = (i * win.DilationH % win.StrideH) * win.StrideW + j * win.DilationW % win.StrideW;
                    TapOffsets[t] = phase * PhaseLength + i * win.DilationH / win.StrideH * Width + j * win.DilationW / win.StrideW;
                }
            }
        }

        public int Width { get; }
        public int Height { get; }
        public int PhaseLength { get; }

        /// <summary>Where the flattened outputs (OutH rows of <see cref="Width"/>) follow the phase planes.</summary>
        public int AccumulatorOffset { get; }
        public int AccumulatorLength { get; }
        public int BufferLength { get; }
        public int[] TapOffsets { get; }
    }

    /// <summary>Copies input plane <paramref name="x"/> into the zero-padded phase planes at the start of <paramref name="buffer"/>.</summary>
    private static unsafe void FillPhases(in ConvShape s, PhaseLayout layout, float* x, float* buffer)
    {
        var win = s.Window;
        int width = layout.Width;
        for (int a = 0; a < win.StrideH; a++)
        {
            for (int b = 0; b < win.StrideW; b++)
            {
                float* phase = buffer + (a * win.StrideW + b) * layout.PhaseLength;
                int offW = b - win.PadLeft;
                var (lo, hi) = IndexRange.Inside(width, win.StrideW, offW, s.InW);
                for (int r = 0; r < layout.Height; r++)
                {
                    float* row = phase + r * width;
                    int ih = r * win.StrideH + a - win.PadTop;
                    bool inside = ih >= 0 && ih < s.InH;
                    float* src = x + ih * s.InW + offW; // src[c·strideW] is input column c·strideW + offW
                    int c = 0;
                    for (; c < (inside ? lo : width); c++) row[c] = 0f;
                    if (!inside) continue;
                    for (; c < hi; c++) row[c] = src[c * win.StrideW];
                    for (; c < width; c++) row[c] = 0f;
                }
            }
        }
    }

    /// <summary>The flattened outputs: <c>acc[q] = fma chain over taps t of w[t]·buffer[tapOffset[t] + q]</c>.</summary>
    private static unsafe void Accumulate(PhaseLayout layout, float* w, int taps, float* buffer)
    {
        int n = layout.AccumulatorLength, v = Vector<float>.Count;
        int* off = stackalloc int[taps];
        for (int t = 0; t < taps; t++) off[t] = layout.TapOffsets[t];
        float* acc = buffer + layout.AccumulatorOffset;
        if (n < 2 * v)
        {
            for (int q = 0; q < n; q++)
            {
                float a = 0f;
                for (int t = 0; t < taps; t++) a = MathF.FusedMultiplyAdd(w[t], buffer[off[t] + q], a);
                acc[q] = a;
            }
            return;
        }
        for (int q0 = 0; q0 < n; q0 += 2 * v)
        {
            int q = Math.Min(q0, n - 2 * v); // the last block ends at n, overlapping its predecessor
            Vector<float> a0 = default, a1 = default;
            for (int t = 0; t < taps; t++)
            {
                var wt = new Vector<float>(w[t]);
                a0 = Vector.FusedMultiplyAdd(wt, Vector.Load(buffer + off[t] + q), a0);
                a1 = Vector.FusedMultiplyAdd(wt, Vector.Load(buffer + off[t] + q + v), a1);
            }
            a0.Store(acc + q);
            a1.Store(acc + q + v);
        }
    }

    /// <summary><c>y = clamp(acc + bias)</c> for the first OutW columns of each flattened row.</summary>
    private static unsafe void Store(in ConvShape s, PhaseLayout layout, float* acc, float bias, FusedClamp clamp, float* y)
    {
        int v = Vector<float>.Count;
        Vector<float> vb = new(bias), lo = new(clamp.Min), hi = new(clamp.Max);
        for (int oh = 0; oh < s.OutH; oh++, acc += layout.Width, y += s.OutW)
        {
            int ow = 0;
            for (; ow <= s.OutW - v; ow += v) Vector.Min(Vector.Max(Vector.Load(acc + ow) + vb, lo), hi).Store(y + ow);
            for (; ow < s.OutW; ow++) y[ow] = clamp.Apply(acc[ow] + bias);
        }
    }
}
