using Edge.Runtime.Session;
using Edge.Vision.Datasets;
using Edge.Vision.Pipeline;
using Edge.Vision.Preprocessing;
using Edge.Vision.Sinks;
using Edge.Vision.Sources;

namespace Edge.Vision.Tests;

/// <summary>
/// Real video: ffmpeg encodes 640×480 stills — shipped Fashion-MNIST test images scaled ×16 onto a textured
/// background — as a yuv420p stream; the pipeline reads it through the ffmpeg source, and every frame's prediction must
/// be the one the still gives through <c>edge run</c>'s path (the float implementation of the same preprocessing, then
/// <see cref="EdgeSession.Run(ReadOnlySpan{float}, Span{float})"/>).
/// </summary>
public class RealVideoTests
{
    private const int Frames = 24, W = 640, H = 480, Scale = 16;

    /// <summary>Writes the stills as PGM files frame000.pgm…; returns their pixels.</summary>
    internal static List<byte[]> WriteStills(string dir, int count)
    {
        var set = ImageSet.FromIdx(TestFiles.FashionTestImages).Take(count);
        var stills = new List<byte[]>();
        int x0 = (W - 28 * Scale) / 2, y0 = (H - 28 * Scale) / 2;
        for (int i = 0; i < set.Count; i++)
        {
            var still = new byte[W * H];
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++) still[y * W + x] = (byte)(((x >> 3) ^ (y >> 3)) % 24); // dark checker texture
            var image = set.Image(i);
            for (int y = 0; y < 28 * Scale; y++)
                for (int x = 0; x < 28 * Scale; x++)
                {
                    byte p = image[(y / Scale) * 28 + x / Scale];
                    if (p > 0) still[(y0 + y) * W + x0 + x] = p;
                }
            using (var f = File.Create(Path.Combine(dir, $"frame{i:000}.pgm")))
            {
                f.Write(System.Text.Encoding.ASCII.GetBytes($"P5\n{W} {H}\n255\n"));
                f.Write(still);
            }
            stills.Add(still);
        }
        return stills;
    }

    /// <summary>The still's class through edge run's path: float preprocessing, then the session quantizes the input.</summary>
    internal static int StillPrediction(EdgeSession session, byte[] still, ResizeMode mode)
    {
        var format = new FrameFormat(W, H, FramePixelFormat.Gray8);
        var (h, w) = session.ImageSize;
        var crop = FrameCrop.Centre(format, h, w);
        var x = FloatPreprocessing.Normalize(FloatPreprocessing.Resize(still, W, 1, crop, mode, h, w), 1,
            session.Normalization.ChannelOrder, session.Normalization.Mean, session.Normalization.Std);
        var logits = new float[session.Outputs[0].ElementCount];
        session.Run(x, logits);
        int best = 0;
        for (int i = 1; i < logits.Length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }

    [Theory]
    [InlineData(YuvRange.Full, ResizeMode.Area)]
    [InlineData(YuvRange.Limited, ResizeMode.Area)]
    [InlineData(YuvRange.Full, ResizeMode.Bilinear)]
    public void Every_frame_of_an_ffmpeg_stream_gets_the_prediction_of_its_still(YuvRange range, ResizeMode mode)
    {
        _ = TestFiles.Ffmpeg;
        using var dir = new TempDir();
        var stills = WriteStills(dir.Path, Frames);
        var session = TestFiles.LenetFashion();
        var expected = stills.Select(s => StillPrediction(session, s, mode)).ToArray();
        List<string> input = ["-framerate", "25", "-i", dir.File("frame%03d.pgm")];
        using var source = ProcessFrameSource.Ffmpeg(input, W, H, range: range);
        var got = new List<(long Frame, int Class)>();
        var pipeline = new CameraPipeline(session, source, [new CallbackSink((in Prediction p) => got.Add((p.Frame, p.ClassIndex)))],
            new PipelineOptions { Policy = FramePolicy.Every, Resize = mode, StatsInterval = TimeSpan.Zero });
        var stats = pipeline.Run();
        Assert.Equal(Frames, got.Count);
        Assert.Equal(0, stats.Dropped);
        Assert.Equal(0, stats.PartialFrames);
        for (int i = 0; i < Frames; i++)
        {
            Assert.Equal(i, got[i].Frame);
            Assert.True(expected[i] == got[i].Class, $"{range} range, {mode}: frame {i}: pipeline says class {got[i].Class}, the still {expected[i]}");
        }
        // The stills are not all one class: the comparison means something.
        Assert.True(expected.Distinct().Count() >= 5, $"classes {string.Join(",", expected)}");
    }

    [Fact]
    public void A_full_range_stream_carries_the_stills_luma_exactly()
    {
        _ = TestFiles.Ffmpeg;
        using var dir = new TempDir();
        var stills = WriteStills(dir.Path, 2);
        using var source = ProcessFrameSource.Ffmpeg(["-i", dir.File("frame%03d.pgm"), "-vf", "null"], W, H, range: YuvRange.Full);
        var frame = new byte[source.Format.FrameBytes];
        for (int i = 0; i < 2; i++)
        {
            Assert.True(source.ReadFrame(frame, default));
            Assert.True(frame.AsSpan(0, W * H).SequenceEqual(stills[i]), $"frame {i}: Y plane differs from the still");
        }
    }
}
