using Edge.Vision.Pipeline;

namespace Edge.Vision.Sinks;

/// <summary>
/// Where predictions go: the console, JSON lines, GPIO pins (Edge.Pi's <c>GpioPinSink</c>), or users' code
/// (<see cref="CallbackSink"/>, or any class implementing this). The pipeline calls a sink on its inference thread, one
/// call at a time. <see cref="OnStopped"/> comes exactly once, when the pipeline ends for any reason (the end of the
/// stream, <c>--frames</c>, Ctrl+C or SIGTERM, or an exception): release outputs there.
/// </summary>
public interface IPredictionSink
{
    void OnPrediction(in Prediction prediction);

    /// <summary>A stats line's figures, every stats interval and once at the end (<see cref="PipelineStats.Final"/>).</summary>
    void OnStats(in PipelineStats stats)
    {
    }

    void OnStopped()
    {
    }
}

/// <summary>Calls a delegate per prediction: the way to hook users' code into the pipeline.</summary>
public sealed class CallbackSink(CallbackSink.Handler onPrediction, Action? onStopped = null) : IPredictionSink
{
    public delegate void Handler(in Prediction prediction);

    public void OnPrediction(in Prediction prediction) => onPrediction(prediction);

    public void OnStopped() => onStopped?.Invoke();
}
