using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Edge.Runtime.Kernels.Conv;

/// <summary>
/// The Vector128 convolution, im2col-free: for each output pixel and group, the window is gathered into scratch as
/// one row of Kp int8 in [KH][KW][ICg] order — the packed weights' order — with <c>zp_x</c> in the padding (the folded
/// bias subtracts <c>zp_x·Σw</c>, so a padded tap adds <c>zp_x·w − zp_x·w = 0</c>, as the contract says) and zeros past K.
/// Then <see cref="Int8Dot.Rows"/> takes its dot products with the group's weight rows, four output channels at a time.
/// </summary>
public sealed partial class Int8Conv2d
{
    /// <summary>
    /// The Vector128 path, bit-exact with <see cref="RunScalar"/>; the scalar reference when Vector128 is not
    /// hardware accelerated. <paramref name="scratch"/> holds at least <see cref="ScratchLength"/> bytes.
    /// </summary>
    public static void RunVector128(Int8Conv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch)
    {
        // The scratch is checked on every machine, so a caller's undersized buffer fails here too, not only where SIMD runs.
        Guard.Length(scratch.Length, op.ScratchLength, "scratch");
        if (!Vector128.IsHardwareAccelerated)
        {
            RunScalar(op, input, output, scratch);
            return;
        }
        var s = op.Shape;
        Guard.Length(input.Length, s.InputLength, "input");
        Guard.Length(output.Length, s.OutputLength, "output");
        var window = MemoryMarshal.Cast<byte, sbyte>(scratch)[..op.ScratchLength];
        int ocg = s.OutChannelsPerGroup;
        if (!op.ReadsPixelsInPlace) window[op.Weights.KernelLength..].Clear();
        for (int n = 0; n < s.Batch; n++)
            for (int oh = 0; oh < s.OutH; oh++)
                for (int ow = 0; ow < s.OutW; ow++)
                {
                    int pixel = (n * s.OutH + oh) * s.OutW + ow;
                    var y = output.Slice(pixel * s.OutChannels, s.OutChannels);
                    for (int g = 0; g < s.Group; g++)
                    {
                        ReadOnlySpan<sbyte> row;
                        if (op.ReadsPixelsInPlace)
                        {
                            int ipixel = (n * s.InH + oh * s.Window.StrideH) * s.InW + ow * s.Window.StrideW;
                            row = input.Slice(ipixel * s.InChannels, s.InChannels);
                        }
                        else
                        {
                            Gather(op, input, n, oh, ow, g, window);
                            row = window;
                        }
                        Int8Dot.Rows(row, op.Weights, op.FoldedBias, op.Output, g * ocg, ocg, y);
                    }
                }
    }

    /// <summary>Copies group <paramref name="g"/>'s window at output (n, oh, ow) into <paramref name="window"/>[0..K), zp_x in the padding.</summary>
    private static void Gather(Int8Conv2d op, ReadOnlySpan<sbyte> input, int n, int oh, int ow, int g, Span<sbyte> window)
    {
        var s = op.Shape;
        var win = s.Window;
        int icg = s.InChannelsPerGroup, rowLength = win.KernelW * icg;
        var pad = (sbyte)op.InputZeroPoint;
        int iw0 = ow * win.StrideW - win.PadLeft;
        var (j0, j1) = WindowTaps.Inside(win.KernelW, win.DilationW, iw0, s.InW);
        // An ungrouped, undilated window row that lies wholly inside the input is one contiguous run of KW·IC values.
        bool contiguous = s.Group == 1 && win.DilationW == 1 && j0 == 0 && j1 == win.KernelW;
        for (int kh = 0; kh < win.KernelH; kh++)
        {
            var dst = window.Slice(kh * rowLength, rowLength);
            int ih = oh * win.StrideH - win.PadTop + kh * win.DilationH;
            if (ih < 0 || ih >= s.InH)
            {
                dst.Fill(pad);
                continue;
            }
            int rowStart = ((n * s.InH + ih) * s.InW) * s.InChannels + g * icg;
            if (contiguous)
            {
                input.Slice(rowStart + iw0 * s.InChannels, rowLength).CopyTo(dst);
                continue;
            }
            dst[..(j0 * icg)].Fill(pad);
            dst[(j1 * icg)..].Fill(pad);
            for (int kw = j0; kw < j1; kw++)
                input.Slice(rowStart + (iw0 + kw * win.DilationW) * s.InChannels, icg).CopyTo(dst.Slice(kw * icg, icg));
        }
    }
}
