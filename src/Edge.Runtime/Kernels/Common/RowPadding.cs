namespace Edge.Runtime.Kernels;

/// <summary>
/// The padding columns of a row window's slots: the bytes before an input row's pixels (the left padding) and after them
/// to the slot's end (right padding and slack). A window copies every input row in before reading it, so a call needs
/// only these set to the zero point, not whole slots (the convolution's <c>ConvRowWindow</c>, the depthwise <c>DepthwiseRows</c>).
/// </summary>
internal static class RowPadding
{
    /// <summary>In each of <paramref name="slots"/> slots of <paramref name="rowStride"/> bytes from the start of <paramref name="window"/>: bytes [0, <paramref name="left"/>) and [<paramref name="right"/>, rowStride) ← <paramref name="zeroPoint"/>.</summary>
    public static void Fill(Span<byte> window, int slots, int rowStride, int left, int right, byte zeroPoint)
    {
        for (int slot = 0; slot < slots; slot++)
        {
            var row = window.Slice(slot * rowStride, rowStride);
            row[..left].Fill(zeroPoint);
            row[right..].Fill(zeroPoint);
        }
    }
}
