using Edge.Vision.Sources;

namespace Edge.Vision.Preprocessing;

/// <summary>How a frame is brought to the model's size after the centre crop.</summary>
public enum ResizeMode
{
    /// <summary>Each output pixel is the mean of the source area it covers (exact box integral): right for downscaling a camera frame.</summary>
    Area,

    /// <summary>PyTorch's <c>F.interpolate(mode="bilinear", align_corners=False)</c>, no antialiasing: what <c>edge run</c> does to a still.</summary>
    Bilinear,
}

/// <summary>
/// The rectangle of a frame the model sees: the largest centred rectangle with the model's aspect ratio (a 640×480 frame
/// for a 28×28 model gives 480×480 at x = 80). For the formats with subsampled chroma the left edge (I420, NV12, YUYV)
/// and the top edge (I420, NV12) are rounded down to even, so every pixel pair in the crop shares its U and V.
/// </summary>
public readonly record struct FrameCrop(int X, int Y, int Width, int Height)
{
    public static FrameCrop Centre(FrameFormat frame, int modelHeight, int modelWidth)
    {
        if (modelHeight < 1 || modelWidth < 1) throw new ArgumentException($"a {modelWidth}×{modelHeight} model input");
        int w = frame.Width, h = frame.Height;
        // Compare aspects exactly in integers: W/H against w/h.
        long lhs = (long)w * modelHeight, rhs = (long)h * modelWidth;
        int cw = w, ch = h;
        if (lhs > rhs) cw = (int)Math.Clamp(Math.Round((double)h * modelWidth / modelHeight), 1, w);      // wider than the model: crop the sides
        else if (lhs < rhs) ch = (int)Math.Clamp(Math.Round((double)w * modelHeight / modelWidth), 1, h); // taller: crop top and bottom
        int x = (w - cw) / 2, y = (h - ch) / 2;
        if (frame.PixelFormat is FramePixelFormat.I420 or FramePixelFormat.Nv12 or FramePixelFormat.Yuyv) x &= ~1;
        if (frame.PixelFormat is FramePixelFormat.I420 or FramePixelFormat.Nv12) y &= ~1;
        return new FrameCrop(x, y, cw, ch);
    }

    public override string ToString() => $"{Width}×{Height} at ({X}, {Y})";
}
