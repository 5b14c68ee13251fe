namespace Edge.Vision.Images;

/// <summary>
/// Bilinear resizing of a float plane as PyTorch's <c>F.interpolate(mode="bilinear", align_corners=False)</c> without
/// antialiasing: output pixel centers map to <c>src = (dst + 0.5)·in/out − 0.5</c> (clamped at 0), and the two nearest
/// input rows and columns are blended, in float32 as PyTorch's CPU kernel does.
/// </summary>
public static class BilinearResize
{
    public static void Plane(ReadOnlySpan<float> source, int sourceHeight, int sourceWidth, Span<float> destination, int height, int width)
    {
        if (source.Length != sourceHeight * sourceWidth) throw new ArgumentException($"source holds {source.Length} values, not {sourceHeight}×{sourceWidth}");
        if (destination.Length != height * width) throw new ArgumentException($"destination holds {destination.Length} values, not {height}×{width}");
        Span<int> x0 = width <= 1024 ? stackalloc int[width] : new int[width];
        Span<int> x1 = width <= 1024 ? stackalloc int[width] : new int[width];
        Span<float> lx = width <= 1024 ? stackalloc float[width] : new float[width];
        for (int x = 0; x < width; x++) (x0[x], x1[x], lx[x]) = Source(x, sourceWidth, width);
        for (int y = 0; y < height; y++)
        {
            var (y0, y1, ly) = Source(y, sourceHeight, height);
            var top = source.Slice(y0 * sourceWidth, sourceWidth);
            var bottom = source.Slice(y1 * sourceWidth, sourceWidth);
            var row = destination.Slice(y * width, width);
            float hy0 = 1f - ly;
            for (int x = 0; x < width; x++)
            {
                float wx1 = lx[x], wx0 = 1f - wx1;
                row[x] = hy0 * (wx0 * top[x0[x]] + wx1 * top[x1[x]]) + ly * (wx0 * bottom[x0[x]] + wx1 * bottom[x1[x]]);
            }
        }
    }

    private static (int I0, int I1, float Lambda) Source(int dst, int inSize, int outSize)
    {
        float scale = (float)inSize / outSize;
        float src = Math.Max(scale * (dst + 0.5f) - 0.5f, 0f);
        int i0 = (int)src;
        if (i0 > inSize - 1) i0 = inSize - 1;
        int i1 = i0 < inSize - 1 ? i0 + 1 : i0;
        return (i0, i1, src - i0 > 1f ? 1f : src - i0);
    }
}
