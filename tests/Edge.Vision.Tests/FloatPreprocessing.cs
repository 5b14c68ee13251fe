using Edge.Runtime.Arithmetic;
using Edge.Runtime.Format;
using Edge.Runtime.Session;
using Edge.Vision.Images;
using Edge.Vision.Preprocessing;
using Edge.Vision.Sources;

namespace Edge.Vision.Tests;

/// <summary>
/// The plain float implementation of <see cref="FramePreprocessor"/>, the oracle of its tests: every pixel converted by
/// the BT.601 formulas in double (rounded to 8 bits, as a decoded still is), the area resize as a direct 2-D integral
/// in double, the bilinear one by <see cref="BilinearResize"/> (the path <c>edge run</c> takes), then
/// <see cref="SessionNormalization.Normalize(float, float, float)"/> and the runtime's <see cref="QuantizationParams.Quantize"/>.
/// </summary>
internal static class FloatPreprocessing
{
    /// <summary>The frame converted to an 8-bit HWC image of 1 (gray) or 3 (RGB) channels: the "still" of a frame.</summary>
    public static byte[] ToImage(ReadOnlySpan<byte> frame, FrameFormat f, int channels)
    {
        var image = new byte[f.Width * f.Height * channels];
        for (int y = 0; y < f.Height; y++)
            for (int x = 0; x < f.Width; x++)
            {
                var (r, g, b, gray) = PixelAt(frame, f, x, y);
                int o = (y * f.Width + x) * channels;
                if (channels == 1) image[o] = gray;
                else (image[o], image[o + 1], image[o + 2]) = (r, g, b);
            }
        return image;
    }

    private static (byte R, byte G, byte B, byte Gray) PixelAt(ReadOnlySpan<byte> frame, FrameFormat f, int x, int y)
    {
        int w = f.Width, luma = w * f.Height, cw = f.ChromaWidth, ch = f.ChromaHeight;
        double Y, U, V;
        switch (f.PixelFormat)
        {
            case FramePixelFormat.Gray8:
            {
                byte p = frame[y * w + x];
                return (p, p, p, p);
            }
            case FramePixelFormat.Rgb24:
            {
                int o = 3 * (y * w + x);
                byte r = frame[o], g = frame[o + 1], b = frame[o + 2];
                return (r, g, b, Round(0.299 * r + 0.587 * g + 0.114 * b));
            }
            case FramePixelFormat.I420:
                (Y, U, V) = (frame[y * w + x], frame[luma + (y / 2) * cw + x / 2], frame[luma + cw * ch + (y / 2) * cw + x / 2]);
                break;
            case FramePixelFormat.Nv12:
                (Y, U, V) = (frame[y * w + x], frame[luma + (y / 2) * 2 * cw + 2 * (x / 2)], frame[luma + (y / 2) * 2 * cw + 2 * (x / 2) + 1]);
                break;
            default:
            {
                int row = y * 4 * cw, group = row + 4 * (x / 2);
                (Y, U, V) = (frame[row + 2 * x], frame[group + 1], frame[group + 3]);
                break;
            }
        }
        double yy = Y, uu = U - 128, vv = V - 128;
        if (f.Range == YuvRange.Limited)
        {
            yy = (Y - 16) * 255.0 / 219.0;
            uu *= 255.0 / 224.0;
            vv *= 255.0 / 224.0;
        }
        const double kr = 0.299, kb = 0.114, kg = 1 - kr - kb;
        double rr = yy + 2 * (1 - kr) * vv;
        double gg = yy - 2 * kb * (1 - kb) / kg * uu - 2 * kr * (1 - kr) / kg * vv;
        double bb = yy + 2 * (1 - kb) * uu;
        return (Round(rr), Round(gg), Round(bb), Round(yy));
    }

    private static byte Round(double v) => (byte)Math.Clamp(Math.Round(v, MidpointRounding.AwayFromZero), 0, 255);

    /// <summary>The crop of an 8-bit HWC image, resized to height × width, as float CHW pixel values in [0, 255].</summary>
    public static float[] Resize(byte[] image, int imageWidth, int channels, FrameCrop crop, ResizeMode mode, int height, int width)
    {
        var output = new float[channels * height * width];
        for (int c = 0; c < channels; c++)
        {
            var plane = new float[crop.Width * crop.Height];
            for (int y = 0; y < crop.Height; y++)
                for (int x = 0; x < crop.Width; x++)
                    plane[y * crop.Width + x] = image[((crop.Y + y) * imageWidth + crop.X + x) * channels + c];
            var dst = output.AsSpan(c * height * width, height * width);
            if (mode == ResizeMode.Bilinear) BilinearResize.Plane(plane, crop.Height, crop.Width, dst, height, width);
            else AreaPlane(plane, crop.Height, crop.Width, dst, height, width);
        }
        return output;
    }

    /// <summary>Output (i, j) = the mean of the source over [i·H/h, (i+1)·H/h) × [j·W/w, (j+1)·W/w), in double.</summary>
    private static void AreaPlane(float[] src, int sh, int sw, Span<float> dst, int h, int w)
    {
        for (int i = 0; i < h; i++)
        {
            double y0 = (double)i * sh / h, y1 = (double)(i + 1) * sh / h;
            for (int j = 0; j < w; j++)
            {
                double x0 = (double)j * sw / w, x1 = (double)(j + 1) * sw / w, sum = 0;
                for (int sy = (int)Math.Floor(y0); sy < Math.Min(sh, (int)Math.Ceiling(y1)); sy++)
                {
                    double oy = Math.Min(y1, sy + 1) - Math.Max(y0, sy);
                    if (oy <= 0) continue;
                    for (int sx = (int)Math.Floor(x0); sx < Math.Min(sw, (int)Math.Ceiling(x1)); sx++)
                    {
                        double ox = Math.Min(x1, sx + 1) - Math.Max(x0, sx);
                        if (ox > 0) sum += oy * ox * src[sy * sw + sx];
                    }
                }
                dst[i * w + j] = (float)(sum / ((y1 - y0) * (x1 - x0)));
            }
        }
    }

    /// <summary>The network's float input, CHW: (v/255 − mean)/std, channels in the model's order.</summary>
    public static float[] Normalize(float[] chwRgb, int channels, EdgeChannelOrder order, float[] mean, float[] std)
    {
        int plane = chwRgb.Length / channels;
        var x = new float[chwRgb.Length];
        for (int c = 0; c < channels; c++)
        {
            int source = order == EdgeChannelOrder.Bgr ? 2 - c : c;
            float m = mean.Length == 1 ? mean[0] : mean[c], s = std.Length == 1 ? std[0] : std[c];
            for (int p = 0; p < plane; p++) x[c * plane + p] = SessionNormalization.Normalize(chwRgb[source * plane + p], m, s);
        }
        return x;
    }

    /// <summary>The whole float implementation: frame → int8 NHWC.</summary>
    public static sbyte[] Process(ReadOnlySpan<byte> frame, FrameFormat f, int height, int width, EdgeChannelOrder order, float[] mean, float[] std,
        QuantizationParams q, ResizeMode mode)
    {
        int channels = order == EdgeChannelOrder.Gray ? 1 : 3;
        var image = ToImage(frame, f, channels);
        var crop = FrameCrop.Centre(f, height, width);
        var x = Normalize(Resize(image, f.Width, channels, crop, mode, height, width), channels, order, mean, std);
        var nhwc = new sbyte[x.Length];
        int plane = height * width;
        for (int c = 0; c < channels; c++)
            for (int p = 0; p < plane; p++) nhwc[p * channels + c] = q.Quantize(x[c * plane + p]);
        return nhwc;
    }
}
