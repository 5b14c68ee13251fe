using Edge.Core.Graph;
using Edge.Core.Tensors;
using Edge.Quantization.Quantizer;
using Edge.Reference;

namespace Edge.Quantization.Evaluation;

/// <summary>The signal-to-quantization-noise ratio of one int8 tensor, over the images measured.</summary>
/// <param name="Tensor">The tensor of the optimized graph.</param>
/// <param name="Producer">The node that writes it.</param>
/// <param name="Db">10·log10(Σ float² / Σ (float − int8)²); +∞ when the two are identical.</param>
public sealed record TensorSqnr(string Tensor, string Producer, double Db);

/// <summary>
/// Per-layer SQNR between float and int8 activations. The int8 side is <see cref="FakeQuantSimulator"/> (the plan's
/// graph with fake-quantized weights and a FakeQuantize after every int8 tensor, so errors propagate as in the int8
/// model), the float side the <see cref="ReferenceExecutor"/> on the same optimized graph; both see the same inputs.
/// The session itself is not used: its observer hook gives arena bytes in NHWC, this compares the plan's tensors by name.
/// </summary>
public static class LayerSqnr
{
    /// <summary>SQNR of every int8 tensor produced by a node, in graph order, over <paramref name="inputs"/> (NCHW items, <paramref name="count"/> of them).</summary>
    public static IReadOnlyList<TensorSqnr> Measure(QuantizationPlan plan, float[] inputs, int count, int batch = 50)
    {
        var graph = plan.Graph;
        string input = graph.Inputs[0].Name;
        int item = inputs.Length / count;
        var tensors = graph.Nodes.SelectMany(n => n.Outputs.Select(o => (Tensor: o, Node: n.Name)))
            .Where(t => plan.Tensors.TryGetValue(t.Tensor, out var tp) && !tp.IsFloat).ToArray();
        var signal = tensors.ToDictionary(t => t.Tensor, _ => 0.0);
        var noise = tensors.ToDictionary(t => t.Tensor, _ => 0.0);
        batch = Math.Min(batch, count);
        var reference = new ReferenceExecutor(graph, batch);
        var simulator = new FakeQuantSimulator(plan, batch);
        for (int first = 0; first < count; first += batch)
        {
            int n = Math.Min(batch, count - first);
            var x = inputs.AsSpan(first * item, n * item).ToArray();
            var floats = new Capture(signal.Keys, "");
            reference.Run(new Dictionary<string, float[]> { [input] = x }, n, floats);
            var quantized = new Capture(signal.Keys, FakeQuantNode.Suffix);
            simulator.Run(new Dictionary<string, float[]> { [input] = x }, n, quantized);
            foreach (var (t, _) in tensors)
            {
                var f = floats.Data[t];
                var q = quantized.Data[t];
                double s = 0, e = 0;
                for (int i = 0; i < f.Length; i++)
                {
                    s += (double)f[i] * f[i];
                    double d = (double)f[i] - q[i];
                    e += d * d;
                }
                signal[t] += s;
                noise[t] += e;
            }
        }
        return tensors.Select(t => new TensorSqnr(t.Tensor, t.Node, noise[t.Tensor] == 0 ? double.PositiveInfinity : 10 * Math.Log10(signal[t.Tensor] / noise[t.Tensor]))).ToArray();
    }

    /// <summary>Keeps a copy of each wanted tensor (named with <paramref name="suffix"/> in the run).</summary>
    private sealed class Capture(IEnumerable<string> wanted, string suffix) : ITensorObserver
    {
        private readonly HashSet<string> _wanted = wanted.Select(w => w + suffix).ToHashSet();

        public Dictionary<string, float[]> Data { get; } = [];

        public void OnTensor(string tensorName, Node? producer, TensorShape shape, ReadOnlySpan<float> data)
        {
            if (_wanted.Contains(tensorName)) Data[tensorName[..^suffix.Length]] = data.ToArray();
        }
    }
}
