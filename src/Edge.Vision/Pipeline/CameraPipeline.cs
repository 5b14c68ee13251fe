using System.Diagnostics;
using Edge.Runtime.Format;
using Edge.Runtime.Session;
using Edge.Vision.Preprocessing;
using Edge.Vision.Sinks;
using Edge.Vision.Sources;

namespace Edge.Vision.Pipeline;

/// <summary>
/// Frames in, predictions out: a capture thread reads the <see cref="IFrameSource"/> into three reused buffers
/// (<see cref="FramePolicy.Latest"/>: the inference loop always takes the newest whole frame, stale ones are dropped and
/// counted); the loop, on the thread that calls <see cref="Run"/>, preprocesses each frame straight into the int8 input
/// (<see cref="FramePreprocessor"/>), runs the session, takes the softmax (unless the model ends in one), averages it over
/// the last K frames, applies the threshold and hands a <see cref="Prediction"/> to every sink. Nothing is allocated
/// per frame by the pipeline itself.
/// <para>
/// <see cref="Run"/> returns when the source ends, after <see cref="PipelineOptions.MaxFrames"/>, or soon after the token
/// is cancelled (Ctrl+C / SIGTERM in the CLI); in every case, an exception too, the source is stopped (its child process
/// ended), the capture thread joined and every sink's <see cref="IPredictionSink.OnStopped"/> called (pins released).
/// A source's failure (e.g. its program exits before the first frame) is rethrown from <see cref="Run"/>.
/// </para>
/// </summary>
public sealed class CameraPipeline
{
    private const int LatencyCapacity = 8192;

    private readonly EdgeSession _session;
    private readonly IFrameSource _source;
    private readonly IPredictionSink[] _sinks;
    private readonly PipelineOptions _options;
    private readonly FramePreprocessor _preprocessor;
    private readonly bool _softmaxInModel;
    private readonly sbyte[] _input;
    private readonly float[] _scores, _probabilities, _history, _smoothed;
    private readonly long[] _latencies = new long[LatencyCapacity], _sorted = new long[LatencyCapacity];
    private readonly LatencyHistogram _runLatencies = new();
    private int _latencyCount, _historyCount, _historyNext;
    private Exception? _captureError;
    private long _captured;

    public CameraPipeline(EdgeSession session, IFrameSource source, IEnumerable<IPredictionSink> sinks, PipelineOptions? options = null)
    {
        _options = options ?? new PipelineOptions();
        _options.Validate();
        _session = session;
        _source = source;
        _sinks = [.. sinks];
        _preprocessor = FramePreprocessor.ForSession(session, source.Format, _options.Resize);
        _input = new sbyte[_preprocessor.InputLength];
        int classes = session.Outputs[0].ElementCount;
        _scores = new float[classes];
        _probabilities = new float[classes];
        _smoothed = new float[classes];
        _history = new float[classes * _options.Smoothing];
        _softmaxInModel = session.Operators.Count > 0 && session.Operators[^1].Type == EdgeOpType.Softmax;
    }

    /// <summary>What the model sees of each frame.</summary>
    public FramePreprocessor Preprocessor => _preprocessor;

    /// <summary>Runs until the source ends, MaxFrames predictions, or cancellation; returns the final stats.</summary>
    public PipelineStats Run(CancellationToken cancellationToken = default)
    {
        var slots = new FrameSlots(_source.Format.FrameBytes, _options.Policy);
        var capture = new Thread(() => Capture(slots, cancellationToken)) { IsBackground = true, Name = $"edge capture ({_source.Name})" };
        long start = Stopwatch.GetTimestamp(), intervalStart = start, intervalIn = 0, intervalOut = 0, produced = 0;
        long statsTicks = (long)(_options.StatsInterval.TotalSeconds * Stopwatch.Frequency);
        using var wake = cancellationToken.Register(() => slots.End(discard: true));
        capture.Start();
        try
        {
            while (!cancellationToken.IsCancellationRequested && (_options.MaxFrames == 0 || produced < _options.MaxFrames))
            {
                if (!slots.Take(out var frame, out long sequence, out long captured)) break;
                if (cancellationToken.IsCancellationRequested) break;
                var prediction = Infer(frame, sequence, captured);
                foreach (var sink in _sinks) sink.OnPrediction(prediction);
                produced++;
                if (statsTicks > 0 && prediction.ResultTimestamp - intervalStart >= statsTicks)
                {
                    long capturedNow = Interlocked.Read(ref _captured);
                    var stats = Stats(prediction.ResultTimestamp - intervalStart, capturedNow - intervalIn, produced - intervalOut, capturedNow, produced, slots.Dropped, final: false);
                    Report(stats);
                    (intervalStart, intervalIn, intervalOut) = (prediction.ResultTimestamp, capturedNow, produced);
                    _latencyCount = 0;
                }
            }
        }
        finally
        {
            _source.Stop();
            slots.End(discard: true);
            capture.Join();
            foreach (var sink in _sinks)
            {
                try
                {
                    sink.OnStopped();
                }
                catch (Exception e)
                {
                    _options.Log?.Invoke($"sink {sink.GetType().Name}: {e.Message}");
                }
            }
        }
        if (_captureError is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(_captureError);
        long end = Stopwatch.GetTimestamp();
        // The final line covers the whole run: rates over its duration, latencies from the run's histogram.
        long total = Interlocked.Read(ref _captured);
        var final = Stats(end - start, total, produced, total, produced, slots.Dropped, final: true);
        Report(final);
        return final;
    }

    private void Capture(FrameSlots slots, CancellationToken token)
    {
        long sequence = 0;
        try
        {
            while (true)
            {
                if (!_source.ReadFrame(slots.WriteBuffer, token)) break;
                long now = Stopwatch.GetTimestamp();
                Interlocked.Increment(ref _captured);
                if (!slots.Publish(sequence++, now)) break;
            }
        }
        catch (Exception e)
        {
            _captureError = e;
        }
        finally
        {
            slots.End(discard: false);
        }
    }

    private Prediction Infer(byte[] frame, long sequence, long captured)
    {
        _preprocessor.Process(frame, _input);
        _session.Run(_input, _scores);
        if (_softmaxInModel) _scores.CopyTo(_probabilities, 0);
        else Softmax(_scores, _probabilities);
        // Smoothing: the mean of the last K probability vectors.
        int classes = _scores.Length, k = _options.Smoothing;
        _probabilities.CopyTo(_history, _historyNext * classes);
        _historyNext = (_historyNext + 1) % k;
        if (_historyCount < k) _historyCount++;
        Array.Clear(_smoothed);
        for (int h = 0; h < _historyCount; h++)
            for (int c = 0; c < classes; c++) _smoothed[c] += _history[h * classes + c];
        float inv = 1f / _historyCount;
        int best = 0;
        for (int c = 0; c < classes; c++)
        {
            _smoothed[c] *= inv;
            if (_smoothed[c] > _smoothed[best]) best = c;
        }
        float confidence = _smoothed[best];
        long now = Stopwatch.GetTimestamp();
        if (_latencyCount < LatencyCapacity) _latencies[_latencyCount++] = now - captured;
        _runLatencies.Record(now - captured);
        var labels = _session.Labels;
        return new Prediction(sequence, best, best < labels.Count ? labels[best] : null, confidence,
            confidence >= _options.Threshold, captured, now, _smoothed);
    }

    /// <summary>Softmax in float32, max subtracted first (no overflow for any logits).</summary>
    public static void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities)
    {
        float max = float.NegativeInfinity;
        foreach (var v in logits) max = Math.Max(max, v);
        float sum = 0;
        for (int i = 0; i < logits.Length; i++) sum += probabilities[i] = MathF.Exp(logits[i] - max);
        for (int i = 0; i < logits.Length; i++) probabilities[i] /= sum;
    }

    private PipelineStats Stats(long ticks, long framesIn, long framesOut, long totalIn, long totalOut, long dropped, bool final)
    {
        double seconds = Math.Max(ticks, 1) / (double)Stopwatch.Frequency;
        int n = _latencyCount;
        double p50 = 0, p99 = 0;
        if (final)
        {
            p50 = _runLatencies.Percentile(0.50) * 1000.0 / Stopwatch.Frequency;
            p99 = _runLatencies.Percentile(0.99) * 1000.0 / Stopwatch.Frequency;
        }
        else if (n > 0)
        {
            Array.Copy(_latencies, _sorted, n);
            Array.Sort(_sorted, 0, n);
            p50 = Percentile(n, 0.50);
            p99 = Percentile(n, 0.99);
        }
        return new PipelineStats(seconds, framesIn / seconds, framesOut / seconds, p50, p99, totalIn, totalOut, dropped,
            _source.PartialFrames, _source.Restarts, final);
    }

    /// <summary>Nearest-rank percentile of the sorted latencies, in milliseconds.</summary>
    private double Percentile(int n, double p)
    {
        int rank = Math.Clamp((int)Math.Ceiling(p * n) - 1, 0, n - 1);
        return _sorted[rank] * 1000.0 / Stopwatch.Frequency;
    }

    private void Report(in PipelineStats stats)
    {
        foreach (var sink in _sinks) sink.OnStats(stats);
        _options.Log?.Invoke(stats.ToString());
    }
}
