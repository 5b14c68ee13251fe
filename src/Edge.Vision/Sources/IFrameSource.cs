namespace Edge.Vision.Sources;

/// <summary>
/// Where frames come from: a camera through a child process (<see cref="ProcessFrameSource"/>), a V4L2 device
/// (Edge.Pi's <c>V4l2FrameSource</c>), still images (<see cref="StillFrameSource"/>), or users' own code.
/// <para>
/// The caller owns the frame buffers (the pipeline keeps a fixed set of <see cref="FrameFormat.FrameBytes"/>-sized
/// arrays and reuses them): <see cref="ReadFrame"/> fills one and allocates nothing per frame. One thread reads;
/// <see cref="Stop"/> may come from any thread and makes a blocked <see cref="ReadFrame"/> return false promptly.
/// </para>
/// </summary>
public interface IFrameSource : IDisposable
{
    /// <summary>What the source is, for logs and errors (e.g. <c>ffmpeg</c>, <c>/dev/video0</c>).</summary>
    string Name { get; }

    /// <summary>The layout of every frame this source delivers.</summary>
    FrameFormat Format { get; }

    /// <summary>
    /// Fills <paramref name="frame"/> (exactly <see cref="FrameFormat.FrameBytes"/> long) with the next whole frame and
    /// returns true; returns false at the end of the stream or once stopped. A frame cut short by the producer is never
    /// returned: it is discarded and counted in <see cref="PartialFrames"/>.
    /// </summary>
    /// <exception cref="FrameSourceException">The producer cannot start, or fails for good.</exception>
    bool ReadFrame(Span<byte> frame, CancellationToken cancellationToken);

    /// <summary>Ends the source (a child process is ended); a blocked or later <see cref="ReadFrame"/> returns false.</summary>
    void Stop();

    /// <summary>Whole frames delivered so far.</summary>
    long FramesRead { get; }

    /// <summary>Frames cut short at the end of a stream (the producer died or closed mid-frame), discarded.</summary>
    long PartialFrames { get; }

    /// <summary>Times the producer was restarted after it died.</summary>
    int Restarts { get; }
}

/// <summary>A frame source failed: its program is missing, cannot start, exits before its first frame, or keeps failing.</summary>
public class FrameSourceException(string source, string message) : Edge.Core.Errors.EdgeException($"{source}: {message}")
{
    public string SourceName { get; } = source;
}

/// <summary>A program a source runs (rpicam-vid, ffmpeg) is not installed.</summary>
public sealed class ProgramNotFoundException(string program, string hint)
    : FrameSourceException(program, $"not found on the PATH ({hint})")
{
    public string Program { get; } = program;
}
