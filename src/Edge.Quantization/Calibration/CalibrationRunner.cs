using Edge.Core.Errors;
using Edge.Core.Graph;
using Edge.Core.Tensors;
using Edge.Reference;

namespace Edge.Quantization.Calibration;

/// <summary>How far calibration has come: <see cref="Done"/> of <see cref="Total"/> sample runs (over both passes).</summary>
public readonly record struct CalibrationProgress(string Phase, int Done, int Total);

/// <summary>The calibrated ranges of every tensor of a graph, and what they were computed from.</summary>
public sealed class CalibrationResult(IReadOnlyList<TensorStatistics> statistics, IReadOnlyDictionary<string, TensorRange> ranges, Calibrator calibrator, int samples, string source)
{
    /// <summary>Per tensor, in graph order (inputs first).</summary>
    public IReadOnlyList<TensorStatistics> Statistics { get; } = statistics;

    public IReadOnlyDictionary<string, TensorRange> Ranges { get; } = ranges;
    public Calibrator Calibrator { get; } = calibrator;
    public int Samples { get; } = samples;

    /// <summary>The calibration source as <see cref="CalibrationSource.Describe"/> puts it.</summary>
    public string Source { get; } = source;
}

/// <summary>
/// Runs the float reference path over calibration samples and turns what it observes into per-tensor ranges.
/// Two passes, so that the histograms have fixed bins and the result is deterministic: the first finds every
/// tensor's min and max, the second (only for calibrators that need it) fills a histogram over that range.
/// </summary>
public static class CalibrationRunner
{
    /// <summary>Samples used when none are asked for: the whole source, up to this many (evenly spaced through it).</summary>
    public const int DefaultMaxSamples = 500;

    /// <summary>Values per run the batch is sized for (activations of all tensors of a batch stay near 4 M floats each).</summary>
    private const long BatchBudget = 4_000_000;

    public static CalibrationResult Run(ModelGraph graph, CalibrationSource source, Calibrator calibrator, int? samples = null,
        IProgress<CalibrationProgress>? progress = null, int bins = SignedHistogram.DefaultBins)
    {
        if (graph.Inputs.Count != 1) throw new ConversionException(null, $"calibration feeds one input; graph '{graph.Name}' has {graph.Inputs.Count}");
        var input = graph.Inputs[0];
        var one = graph.InferShapes(1);
        var itemShape = one[input.Name].ToArray()[1..];
        if (!itemShape.SequenceEqual(source.ItemShape))
        {
            throw new DataFormatException(source.Name,
                $"calibration items are [{string.Join(", ", source.ItemShape)}], the model input '{input.Name}' needs [{string.Join(", ", itemShape)}] per item");
        }
        if (source.Count == 0) throw new DataFormatException(source.Name, "the calibration set holds no samples");
        if (samples is <= 0) throw new ConverterOptionsException($"--samples must be positive, got {samples}");
        int count = Math.Min(source.Count, samples ?? DefaultMaxSamples);
        var indices = Enumerable.Range(0, count).Select(k => (int)((long)k * source.Count / count)).ToArray();

        long largest = one.Values.Max(s => s.ElementCount);
        int batch = input.Shape[0] == TensorShape.Dynamic ? (int)Math.Clamp(BatchBudget / Math.Max(1, largest), 1, 32) : 1;
        batch = Math.Min(batch, count);
        var executor = new ReferenceExecutor(graph, batch);
        int total = calibrator.NeedsHistogram ? 2 * count : count;

        var ranges = new RangeObserver();
        RunPass(executor, source, indices, batch, ranges, progress, "ranges", 0, total);
        var statistics = ranges.Statistics();
        if (calibrator.NeedsHistogram)
        {
            RunPass(executor, source, indices, batch, new HistogramObserver(statistics, bins), progress, "histograms", count, total);
        }

        var chosen = new TensorRange[statistics.Count];
        Parallel.For(0, statistics.Count, i => chosen[i] = calibrator.Choose(statistics[i])); // independent per tensor: deterministic
        var byName = new Dictionary<string, TensorRange>();
        for (int i = 0; i < statistics.Count; i++) byName[statistics[i].Tensor] = chosen[i];
        return new CalibrationResult(statistics, byName, calibrator, count, source.Describe());
    }

    private static void RunPass(ReferenceExecutor executor, CalibrationSource source, int[] indices, int batch, ITensorObserver observer,
        IProgress<CalibrationProgress>? progress, string phase, int done, int total)
    {
        var buffer = new float[batch * source.ItemLength];
        string inputName = executor.Graph.Inputs[0].Name;
        for (int start = 0; start < indices.Length; start += batch)
        {
            int n = Math.Min(batch, indices.Length - start);
            for (int b = 0; b < n; b++) source.Read(indices[start + b], buffer.AsSpan(b * source.ItemLength, source.ItemLength));
            var inputs = new Dictionary<string, float[]> { [inputName] = n == batch ? buffer : buffer[..(n * source.ItemLength)] };
            executor.Run(inputs, n, observer);
            progress?.Report(new CalibrationProgress(phase, done + start + n, total));
        }
    }
}
