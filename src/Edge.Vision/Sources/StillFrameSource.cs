using System.Diagnostics;
using Edge.Core.Errors;
using Edge.Vision.Datasets;
using Edge.Vision.Images;

namespace Edge.Vision.Sources;

/// <summary>
/// Still images as a stream of frames, for tests and demos: one image, a folder of them (sorted by name), or an IDX image
/// file, played at <see cref="FramesPerSecond"/> (0: as fast as they are read), once or in a loop. Every image must have
/// the first one's size; gray images become <see cref="FramePixelFormat.Gray8"/> frames, color ones
/// <see cref="FramePixelFormat.Rgb24"/> (gray images in a color set are replicated to RGB). The frames are decoded once,
/// when the source is made; reading copies one into the caller's buffer.
/// </summary>
public sealed class StillFrameSource : IFrameSource
{
    private readonly byte[][] _frames;
    private readonly ManualResetEventSlim _stopped = new(false);
    private readonly long _periodTicks;
    private long _next, _read;
    private long _due;
    private WaitHandle[]? _handles;
    private CancellationToken _handlesToken;

    public StillFrameSource(IReadOnlyList<byte[]> frames, FrameFormat format, double framesPerSecond = 0, bool loop = false, string name = "images")
    {
        format.Validate();
        if (frames.Count == 0) throw new ArgumentException($"{name}: no frames");
        foreach (var f in frames)
            if (f.Length != format.FrameBytes) throw new ArgumentException($"{name}: a frame of {f.Length} bytes is not a {format} frame ({format.FrameBytes} bytes)");
        if (!(framesPerSecond >= 0) || double.IsInfinity(framesPerSecond)) throw new ArgumentException($"{name}: {framesPerSecond} frames per second");
        _frames = [.. frames];
        Format = format;
        FramesPerSecond = framesPerSecond;
        Loop = loop;
        Name = name;
        _periodTicks = framesPerSecond > 0 ? (long)(Stopwatch.Frequency / framesPerSecond) : 0;
    }

    public string Name { get; }
    public FrameFormat Format { get; }
    public double FramesPerSecond { get; }
    public bool Loop { get; }

    /// <summary>Frames in one pass.</summary>
    public int Count => _frames.Length;

    public long FramesRead => Interlocked.Read(ref _read);
    public long PartialFrames => 0;
    public int Restarts => 0;

    /// <summary>
    /// The images of <paramref name="path"/>: an IDX image file (<c>.idx3-ubyte[.gz]</c>), a folder of PNG, BMP, PGM or PPM
    /// images, or one such image.
    /// </summary>
    /// <exception cref="DataFormatException">No images, images of different sizes, or a file that does not decode.</exception>
    public static StillFrameSource FromPath(string path, double framesPerSecond = 0, bool loop = false)
    {
        if (Directory.Exists(path))
        {
            var files = Directory.EnumerateFiles(path).Where(ImageDecoder.HasImageExtension).Order(StringComparer.Ordinal).ToArray();
            if (files.Length == 0) throw new DataFormatException(path, $"the folder holds no {string.Join(", ", ImageDecoder.Extensions)} images");
            return FromImages(files.Select(ImageDecoder.Decode).ToArray(), path, framesPerSecond, loop);
        }
        if (!File.Exists(path)) throw new DataFormatException(path, "no such file or folder");
        if (path.Contains("idx", StringComparison.OrdinalIgnoreCase) && !ImageDecoder.HasImageExtension(path))
        {
            var set = ImageSet.FromIdx(path);
            var frames = new byte[set.Count][];
            for (int i = 0; i < set.Count; i++) frames[i] = set.Image(i).ToArray();
            return new StillFrameSource(frames, new FrameFormat(set.Width, set.Height, FramePixelFormat.Gray8), framesPerSecond, loop, path);
        }
        return FromImages([ImageDecoder.Decode(path)], path, framesPerSecond, loop);
    }

    /// <summary>Decoded images as frames (see the class summary for sizes and channels).</summary>
    public static StillFrameSource FromImages(IReadOnlyList<DecodedImage> images, string name, double framesPerSecond = 0, bool loop = false)
    {
        if (images.Count == 0) throw new DataFormatException(name, "no images");
        var first = images[0];
        bool color = images.Any(i => i.Channels == 3);
        var format = new FrameFormat(first.Width, first.Height, color ? FramePixelFormat.Rgb24 : FramePixelFormat.Gray8);
        var frames = new byte[images.Count][];
        for (int i = 0; i < images.Count; i++)
        {
            var image = images[i];
            if (image.Width != first.Width || image.Height != first.Height)
                throw new DataFormatException(name, $"image {i} is {image.Width}×{image.Height}, the first one {first.Width}×{first.Height}: a stream has one frame size");
            if (!color || image.Channels == 3) frames[i] = image.Pixels;
            else
            {
                var rgb = new byte[image.Pixels.Length * 3];
                for (int p = 0; p < image.Pixels.Length; p++) rgb[3 * p] = rgb[3 * p + 1] = rgb[3 * p + 2] = image.Pixels[p];
                frames[i] = rgb;
            }
        }
        return new StillFrameSource(frames, format, framesPerSecond, loop, name);
    }

    public bool ReadFrame(Span<byte> frame, CancellationToken cancellationToken)
    {
        if (frame.Length != Format.FrameBytes) throw new ArgumentException($"a {Format} frame is {Format.FrameBytes} bytes, the buffer {frame.Length}");
        if (_stopped.IsSet || cancellationToken.IsCancellationRequested) return false;
        if (_next >= _frames.Length)
        {
            if (!Loop) return false;
            _next = 0;
        }
        if (_periodTicks > 0)
        {
            long now = Stopwatch.GetTimestamp();
            if (_due == 0) _due = now;
            long wait = _due - now;
            if (wait > 0)
            {
                var timeout = TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency);
                if (_handles is null || _handlesToken != cancellationToken)
                    (_handles, _handlesToken) = ([_stopped.WaitHandle, cancellationToken.WaitHandle], cancellationToken);
                if (WaitHandle.WaitAny(_handles, timeout) != WaitHandle.WaitTimeout) return false;
            }
            // Keep the cadence; after a long stall, restart it rather than bursting to catch up.
            _due = Math.Max(_due + _periodTicks, Stopwatch.GetTimestamp() - _periodTicks);
        }
        _frames[_next++].CopyTo(frame);
        Interlocked.Increment(ref _read);
        return true;
    }

    public void Stop() => _stopped.Set();

    public void Dispose() => Stop();
}
