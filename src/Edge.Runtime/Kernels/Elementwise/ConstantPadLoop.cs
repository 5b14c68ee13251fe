namespace Edge.Runtime.Kernels.Elementwise;

/// <summary>
/// The constant-padding loop shared by <see cref="Int8Pad"/> and <see cref="Float.FloatPad"/>: NHWC [N, H, W, C] into
/// [before + N + after, Top + H + Bottom, Left + W + Right, before + C + after], row by row, padding filled with the value.
/// </summary>
internal static class ConstantPadLoop
{
    public static void Run<T>(int batch, int height, int width, int channels, NhwcPads pads, T value, ReadOnlySpan<T> input, Span<T> output)
    {
        int outBatch = pads.BatchBefore + batch + pads.BatchAfter, outHeight = pads.Top + height + pads.Bottom;
        int outWidth = pads.Left + width + pads.Right, outC = pads.ChannelsBefore + channels + pads.ChannelsAfter;
        Guard.Length(input.Length, batch * height * width * channels, "input");
        Guard.Length(output.Length, outBatch * outHeight * outWidth * outC, "output");
        int rowLength = outWidth * outC;
        for (int ob = 0; ob < outBatch; ob++)
            for (int oh = 0; oh < outHeight; oh++)
            {
                var outRow = output.Slice((ob * outHeight + oh) * rowLength, rowLength);
                int n = ob - pads.BatchBefore, ih = oh - pads.Top;
                if (n < 0 || n >= batch || ih < 0 || ih >= height)
                {
                    outRow.Fill(value);
                    continue;
                }
                outRow[..(pads.Left * outC)].Fill(value);
                outRow[((pads.Left + width) * outC)..].Fill(value);
                for (int iw = 0; iw < width; iw++)
                {
                    var y = outRow.Slice((pads.Left + iw) * outC, outC);
                    y[..pads.ChannelsBefore].Fill(value);
                    input.Slice(((n * height + ih) * width + iw) * channels, channels).CopyTo(y.Slice(pads.ChannelsBefore, channels));
                    y[(pads.ChannelsBefore + channels)..].Fill(value);
                }
            }
    }
}
