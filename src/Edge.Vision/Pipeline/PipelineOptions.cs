using Edge.Vision.Preprocessing;

namespace Edge.Vision.Pipeline;

/// <summary>Settings of a <see cref="CameraPipeline"/>.</summary>
public sealed record PipelineOptions
{
    /// <summary>A prediction is <see cref="Prediction.AboveThreshold"/> when its confidence reaches this (0: always).</summary>
    public float Threshold { get; init; }

    /// <summary>Average the class probabilities over the last K frames (1: no smoothing).</summary>
    public int Smoothing { get; init; } = 1;

    /// <summary>Stop after this many predictions (0: run until the source ends or the token is cancelled).</summary>
    public long MaxFrames { get; init; }

    public FramePolicy Policy { get; init; } = FramePolicy.Latest;

    public ResizeMode Resize { get; init; } = ResizeMode.Area;

    /// <summary>How often the stats line comes (<see cref="TimeSpan.Zero"/>: only the final one).</summary>
    public TimeSpan StatsInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Receives the stats lines (the CLI writes them to stderr).</summary>
    public Action<string>? Log { get; init; }

    public void Validate()
    {
        if (!(Threshold >= 0 && Threshold <= 1)) throw new ArgumentException($"threshold {Threshold}: must be in [0, 1]");
        if (Smoothing < 1 || Smoothing > 1000) throw new ArgumentException($"smoothing over {Smoothing} frames: must be in [1, 1000]");
        if (MaxFrames < 0) throw new ArgumentException($"{MaxFrames} frames: must be 0 (no limit) or more");
        if (StatsInterval < TimeSpan.Zero) throw new ArgumentException($"stats interval {StatsInterval}: must not be negative");
    }
}
