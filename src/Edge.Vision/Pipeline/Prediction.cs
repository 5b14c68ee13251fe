namespace Edge.Vision.Pipeline;

/// <summary>
/// One result of the pipeline: the frame it came from, the best class after smoothing, its confidence and the latency
/// from the frame's capture to this result. <see cref="Probabilities"/> points at the pipeline's own buffer: read it
/// during the callback, copy it to keep it.
/// </summary>
public readonly struct Prediction
{
    public Prediction(long frame, int classIndex, string? label, float confidence, bool aboveThreshold,
        long captureTimestamp, long resultTimestamp, ReadOnlyMemory<float> probabilities)
    {
        Frame = frame;
        ClassIndex = classIndex;
        Label = label;
        Confidence = confidence;
        AboveThreshold = aboveThreshold;
        CaptureTimestamp = captureTimestamp;
        ResultTimestamp = resultTimestamp;
        Probabilities = probabilities;
    }

    /// <summary>The frame's number in its source, from 0 (dropped frames leave gaps).</summary>
    public long Frame { get; }

    /// <summary>The best class (after smoothing) and its label, or null when the model has no labels.</summary>
    public int ClassIndex { get; }
    public string? Label { get; }

    /// <summary>Its probability (softmax of the outputs, averaged over the smoothing window), in [0, 1].</summary>
    public float Confidence { get; }

    /// <summary>True when <see cref="Confidence"/> reaches the pipeline's threshold (always, without one).</summary>
    public bool AboveThreshold { get; }

    /// <summary><see cref="System.Diagnostics.Stopwatch"/> timestamps: when the frame was read whole, and when this result was ready.</summary>
    public long CaptureTimestamp { get; }
    public long ResultTimestamp { get; }

    /// <summary>Capture to result, in milliseconds.</summary>
    public double LatencyMilliseconds => (ResultTimestamp - CaptureTimestamp) * 1000.0 / System.Diagnostics.Stopwatch.Frequency;

    /// <summary>Every class's smoothed probability (valid during the callback only).</summary>
    public ReadOnlyMemory<float> Probabilities { get; }
}

/// <summary>The pipeline's counters over the last stats interval (rates) and since the start (totals).</summary>
public readonly record struct PipelineStats(
    double Seconds,
    double FramesInPerSecond,
    double FramesOutPerSecond,
    double LatencyP50Milliseconds,
    double LatencyP99Milliseconds,
    long FramesIn,
    long FramesOut,
    long Dropped,
    long PartialFrames,
    int Restarts,
    bool Final)
{
    /// <summary>One line: <c>stats: in 30.0 fps, out 29.9 fps, latency p50 3.1 ms p99 5.0 ms, dropped 2, partial 0, restarts 0</c>.</summary>
    public override string ToString()
        => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"stats{(Final ? " (total)" : "")}: in {FramesInPerSecond:0.0} fps, out {FramesOutPerSecond:0.0} fps, latency p50 {LatencyP50Milliseconds:0.00} ms p99 {LatencyP99Milliseconds:0.00} ms, frames {FramesIn} in {FramesOut} out, dropped {Dropped}, partial {PartialFrames}, restarts {Restarts}");
}
