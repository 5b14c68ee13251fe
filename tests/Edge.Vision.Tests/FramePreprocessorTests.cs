using Edge.Runtime.Arithmetic;
using Edge.Runtime.Format;
using Edge.Vision.Preprocessing;
using Edge.Vision.Sources;

namespace Edge.Vision.Tests;

public class FramePreprocessorTests
{
    public static TheoryData<FramePixelFormat, YuvRange, int, int> FormatsAndSizes()
    {
        var data = new TheoryData<FramePixelFormat, YuvRange, int, int>();
        foreach (var f in Enum.GetValues<FramePixelFormat>())
            foreach (var (w, h) in new[] { (641, 479), (1, 1), (3, 2), (67, 33), (2, 9) })
                foreach (var range in f is FramePixelFormat.Rgb24 or FramePixelFormat.Gray8 ? [YuvRange.Limited] : new[] { YuvRange.Limited, YuvRange.Full })
                    data.Add(f, range, w, h);
        return data;
    }

    /// <summary>Model inputs: gray 28×28 (the shipped Fashion-MNIST models), RGB 7×5 (upscales small frames), BGR 33×64, RGB 224×224.</summary>
    private static readonly (int H, int W, EdgeChannelOrder Order, float[] Mean, float[] Std, QuantizationParams Q)[] Models =
    [
        (28, 28, EdgeChannelOrder.Gray, [0.286f], [0.353f], new(0.0111f, -54)),
        (5, 7, EdgeChannelOrder.Rgb, [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f], new(0.0187f, -14)),
        (33, 64, EdgeChannelOrder.Bgr, [0.5f], [0.5f], new(0.0079f, 1)),
        (224, 224, EdgeChannelOrder.Rgb, [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f], new(0.0187f, -14)),
    ];

    [Theory]
    [MemberData(nameof(FormatsAndSizes))]
    public void Matches_the_float_implementation_within_one_step_and_vector_equals_scalar(FramePixelFormat pixelFormat, YuvRange range, int width, int height)
    {
        var format = new FrameFormat(width, height, pixelFormat, range);
        var frame = RandomFrame(format, seed: width * 7919 + height * 31 + (int)pixelFormat);
        foreach (var m in Models)
            foreach (var mode in new[] { ResizeMode.Area, ResizeMode.Bilinear })
            {
                if (m.H == 224 && width is > 3 and < 641) continue; // the 224 model on the big frame and the tiny ones
                string what = $"{format}, model {m.W}×{m.H} {m.Order}, {mode}";
                var expected = FloatPreprocessing.Process(frame, format, m.H, m.W, m.Order, m.Mean, m.Std, m.Q, mode);
                var fast = new sbyte[expected.Length];
                var scalar = new sbyte[expected.Length];
                new FramePreprocessor(format, m.H, m.W, m.Order, m.Mean, m.Std, m.Q, mode).Process(frame, fast);
                new FramePreprocessor(format, m.H, m.W, m.Order, m.Mean, m.Std, m.Q, mode, vectorize: false).Process(frame, scalar);
                int off = 0;
                for (int i = 0; i < expected.Length; i++)
                {
                    if (!(fast[i] == scalar[i])) Assert.Fail($"{what}: index {i}: vector {fast[i]}, scalar {scalar[i]}");
                    if (!(Math.Abs(fast[i] - expected[i]) <= 1)) Assert.Fail($"{what}: index {i} (pixel {i / (m.Order == EdgeChannelOrder.Gray ? 1 : 3)}): fast {fast[i]}, float {expected[i]}");
                    if (fast[i] != expected[i]) off++;
                }
                if (!(off <= Math.Max(2, expected.Length / 50))) Assert.Fail($"{what}: {off} of {expected.Length} values off by one");
            }
    }

    [Theory]
    [MemberData(nameof(FormatsAndSizes))]
    public void Pixel_conversion_vector_path_equals_scalar_and_float_within_one(FramePixelFormat pixelFormat, YuvRange range, int width, int height)
    {
        var format = new FrameFormat(width, height, pixelFormat, range);
        var frame = RandomFrame(format, seed: width + 100 * height + (int)pixelFormat);
        var crop = new FrameCrop(0, 0, width, height);
        foreach (int channels in new[] { 1, 3 })
        {
            var vector = new byte[PixelConversion.PlaneBytes(crop, channels)];
            var scalar = new byte[vector.Length];
            PixelConversion.ToPlanes(frame, format, crop, channels, vector);
            PixelConversion.ToPlanes(frame, format, crop, channels, scalar, vectorize: false);
            var still = FloatPreprocessing.ToImage(frame, format, channels);
            int plane = width * height;
            for (int p = 0; p < plane; p++)
                for (int c = 0; c < channels; c++)
                {
                    int i = c * plane + p;
                    if (!(vector[i] == scalar[i])) Assert.Fail($"{format} ch {channels}: pixel {p} channel {c}: vector {vector[i]}, scalar {scalar[i]}");
                    if (!(Math.Abs(vector[i] - still[p * channels + c]) <= 1)) Assert.Fail($"{format} ch {channels}: pixel {p} channel {c}: integer {vector[i]}, float {still[p * channels + c]}");
                }
        }
    }

    [Theory]
    [InlineData(640, 480, FramePixelFormat.I420, 28, 28, 80, 0, 480, 480)]
    [InlineData(641, 479, FramePixelFormat.I420, 28, 28, 80, 0, 479, 479)]
    [InlineData(641, 479, FramePixelFormat.Gray8, 28, 28, 81, 0, 479, 479)]
    [InlineData(480, 640, FramePixelFormat.Nv12, 224, 224, 0, 80, 480, 480)]
    [InlineData(640, 480, FramePixelFormat.Rgb24, 224, 224, 80, 0, 480, 480)]
    [InlineData(3, 2, FramePixelFormat.Yuyv, 1, 1, 0, 0, 2, 2)]
    [InlineData(1, 1, FramePixelFormat.I420, 28, 28, 0, 0, 1, 1)]
    [InlineData(640, 480, FramePixelFormat.I420, 32, 64, 0, 80, 640, 320)]
    public void Centre_crop_keeps_the_model_aspect(int w, int h, FramePixelFormat f, int mh, int mw, int x, int y, int cw, int ch)
        => Assert.Equal(new FrameCrop(x, y, cw, ch), FrameCrop.Centre(new FrameFormat(w, h, f), mh, mw));

    [Fact]
    public void Process_allocates_nothing_per_frame()
    {
        foreach (var (format, order) in new[]
                 {
                     (new FrameFormat(640, 480, FramePixelFormat.I420), EdgeChannelOrder.Gray),
                     (new FrameFormat(640, 480, FramePixelFormat.I420), EdgeChannelOrder.Rgb),
                     (new FrameFormat(641, 479, FramePixelFormat.Yuyv, YuvRange.Full), EdgeChannelOrder.Bgr),
                 })
        {
            var pre = new FramePreprocessor(format, 28, 28, order, [0.5f], [0.25f], new QuantizationParams(0.02f, 3));
            var frame = RandomFrame(format, 5);
            var input = new sbyte[pre.InputLength];
            Edge.Tests.Shared.ZeroAllocation.Assert($"FramePreprocessor.Process {format.PixelFormat} {order}", () => pre.Process(frame, input), runs: 50);
        }
    }

    internal static byte[] RandomFrame(FrameFormat format, int seed)
    {
        var bytes = new byte[format.FrameBytes];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
