using Edge.Core.Graph;
using Edge.Core.Tensors;
using Edge.Reference;

namespace Edge.Quantization.Calibration;

/// <summary>
/// First calibration pass: the minimum and maximum of every tensor (graph inputs and node outputs) over all samples.
/// A non-finite value stops calibration with a <see cref="ConversionException"/> naming the tensor and its producer.
/// </summary>
internal sealed class RangeObserver : ITensorObserver
{
    private readonly Dictionary<string, (double Min, double Max, long Count)> _ranges = new();
    private readonly List<string> _order = [];

    public void OnTensor(string tensorName, Node? producer, TensorShape shape, ReadOnlySpan<float> data)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (float v in data)
        {
            if (!float.IsFinite(v))
            {
                string who = producer is null ? "the graph input" : $"{producer.OpType} '{producer.Name}'";
                throw new ConversionException(producer?.Name, $"tensor '{tensorName}' (output of {who}) holds a non-finite value {v} on the calibration data");
            }
            if (v < min) min = v;
            if (v > max) max = v;
        }
        if (_ranges.TryGetValue(tensorName, out var r))
        {
            _ranges[tensorName] = (Math.Min(r.Min, min), Math.Max(r.Max, max), r.Count + data.Length);
        }
        else
        {
            _ranges[tensorName] = (min, max, data.Length);
            _order.Add(tensorName);
        }
    }

    /// <summary>The statistics, in the order the tensors were first seen (graph order).</summary>
    public List<TensorStatistics> Statistics()
        => _order.Select(t => new TensorStatistics(t, Math.Min(0, _ranges[t].Min), Math.Max(0, _ranges[t].Max), _ranges[t].Count)).ToList();
}

/// <summary>Second calibration pass: a <see cref="SignedHistogram"/> of every tensor over the range the first pass found.</summary>
internal sealed class HistogramObserver : ITensorObserver
{
    private readonly Dictionary<string, SignedHistogram> _histograms;

    public HistogramObserver(IEnumerable<TensorStatistics> statistics, int bins)
    {
        _histograms = new Dictionary<string, SignedHistogram>();
        foreach (var s in statistics)
        {
            s.Histogram = new SignedHistogram(s.Min, s.Max, bins);
            _histograms[s.Tensor] = s.Histogram;
        }
    }

    public void OnTensor(string tensorName, Node? producer, TensorShape shape, ReadOnlySpan<float> data) => _histograms[tensorName].Add(data);
}
