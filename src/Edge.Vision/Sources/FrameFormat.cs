namespace Edge.Vision.Sources;

/// <summary>
/// How the bytes of one raw video frame are laid out. Rows are top first, with no padding between rows or planes.
/// <list type="bullet">
/// <item><see cref="I420"/> (yuv420p, what <c>rpicam-vid --codec yuv420</c> and <c>ffmpeg -pix_fmt yuv420p</c> write): a
/// W×H Y plane, then a ⌈W/2⌉×⌈H/2⌉ U plane, then a V plane of the same size.</item>
/// <item><see cref="Nv12"/>: the W×H Y plane, then ⌈H/2⌉ rows of ⌈W/2⌉ interleaved U,V pairs.</item>
/// <item><see cref="Yuyv"/> (YUY2, what most USB webcams give over V4L2): per row ⌈W/2⌉ groups Y0 U Y1 V, one group per two
/// pixels (an odd width's last group carries one pixel).</item>
/// <item><see cref="Rgb24"/>: W×H×3 interleaved R, G, B.</item>
/// <item><see cref="Gray8"/>: W×H luma.</item>
/// </list>
/// </summary>
public enum FramePixelFormat
{
    I420,
    Nv12,
    Yuyv,
    Rgb24,
    Gray8,
}

/// <summary>
/// The range of Y, U and V codes (ITU-R BT.601 matrix either way). Limited ("TV", the default of video: ffmpeg's
/// yuv420p and the Pi camera's video streams): Y in [16, 235], U and V in [16, 240]. Full ("PC", JPEG): all of [0, 255].
/// </summary>
public enum YuvRange
{
    Limited,
    Full,
}

/// <summary>The size, pixel format and (for YUV) range of the frames a source delivers.</summary>
public readonly record struct FrameFormat(int Width, int Height, FramePixelFormat PixelFormat, YuvRange Range = YuvRange.Limited)
{
    /// <summary>Largest frame side accepted (8192): a bad option cannot make a source allocate gigabytes.</summary>
    public const int MaxSide = 8192;

    /// <summary>Width and height of the U and V planes of the 4:2:0 formats (rounded up).</summary>
    public int ChromaWidth => (Width + 1) / 2;
    public int ChromaHeight => (Height + 1) / 2;

    /// <summary>Bytes of one frame.</summary>
    public int FrameBytes => PixelFormat switch
    {
        FramePixelFormat.I420 or FramePixelFormat.Nv12 => Width * Height + 2 * ChromaWidth * ChromaHeight,
        FramePixelFormat.Yuyv => 4 * ChromaWidth * Height,
        FramePixelFormat.Rgb24 => 3 * Width * Height,
        FramePixelFormat.Gray8 => Width * Height,
        _ => throw new ArgumentOutOfRangeException(nameof(PixelFormat), PixelFormat, null),
    };

    /// <summary>True for the formats that carry Y, U and V (their <see cref="Range"/> matters).</summary>
    public bool IsYuv => PixelFormat is FramePixelFormat.I420 or FramePixelFormat.Nv12 or FramePixelFormat.Yuyv;

    /// <summary>Throws <see cref="ArgumentException"/> unless both sides are in [1, <see cref="MaxSide"/>].</summary>
    public void Validate()
    {
        if (Width < 1 || Height < 1 || Width > MaxSide || Height > MaxSide)
            throw new ArgumentException($"a {Width}×{Height} frame: width and height must be in [1, {MaxSide}]");
        if (!Enum.IsDefined(PixelFormat)) throw new ArgumentException($"pixel format {(int)PixelFormat} is not one of {string.Join(", ", Enum.GetNames<FramePixelFormat>())}");
    }

    public override string ToString() => $"{Width}×{Height} {PixelFormat}" + (IsYuv ? $" ({Range} range)" : "");
}
