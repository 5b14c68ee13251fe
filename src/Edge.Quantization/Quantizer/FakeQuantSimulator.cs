using Edge.Core.Graph;
using Edge.Core.Graph.Nodes;
using Edge.Core.Tensors;
using Edge.Reference;
using Edge.Runtime.Arithmetic;

namespace Edge.Quantization.Quantizer;

/// <summary>
/// Runs a <see cref="QuantizationPlan"/> in float32 on the reference path, simulating the int8 model: Conv and Gemm
/// weights and biases are replaced by their quantized-dequantized values, and every tensor the int8 model holds as
/// int8 is quantized and dequantized with its parameters where it is produced (fused clamps apply before, as in the
/// float graph). Nodes kept in float run on float values. For diagnostics (per-layer comparison), tests, and
/// accuracy estimates before the int8 runtime is in the loop; its rounding differs from the int8 kernels only where
/// the integer arithmetic rounds intermediate results (Add, Concat rescales, average pools).
/// <para>
/// A <see cref="FakeQuantScope"/> other than <see cref="FakeQuantScope.All"/> simulates only part of the int8 model —
/// float weights with int8 activations, int8 weights with float activations, one tensor alone — which attributes the
/// model's loss of fidelity to its sources (<see cref="Edge.Quantization.Evaluation.QuantizationAblation"/>).
/// </para>
/// </summary>
public sealed class FakeQuantSimulator
{
    private readonly ReferenceExecutor _executor;

    public FakeQuantSimulator(QuantizationPlan plan, int maxBatch = 1) : this(plan, FakeQuantScope.All, maxBatch)
    {
    }

    /// <summary>Simulates the parts of the int8 model that <paramref name="scope"/> names; the rest runs as the float graph.</summary>
    public FakeQuantSimulator(QuantizationPlan plan, FakeQuantScope scope, int maxBatch = 1)
    {
        Scope = scope;
        Graph = BuildGraph(plan, scope);
        _executor = new ReferenceExecutor(Graph, maxBatch);
    }

    /// <summary>What this simulation quantizes.</summary>
    public FakeQuantScope Scope { get; }

    /// <summary>The simulated graph: the plan's graph with fake-quantized constants and a FakeQuantize node after each int8 tensor.</summary>
    public ModelGraph Graph { get; }

    public int MaxBatch => _executor.MaxBatch;

    /// <summary>Runs <paramref name="batch"/> NCHW items of the model's one input; returns its one output.</summary>
    public float[] Run(ReadOnlySpan<float> input, int batch) => _executor.Run(input, batch);

    /// <summary>
    /// Runs the simulation; the observer sees every tensor. An int8 tensor <c>t</c> appears as the float value
    /// <c>t</c> and its fake-quantized copy <c>t/fq</c>; graph outputs are returned under their original names.
    /// </summary>
    public IReadOnlyDictionary<string, float[]> Run(IReadOnlyDictionary<string, float[]> inputs, int batch, ITensorObserver? observer = null)
    {
        var raw = _executor.Run(inputs, batch, observer);
        var result = new Dictionary<string, float[]>();
        foreach (var (name, data) in raw) result[name.EndsWith(FakeQuantNode.Suffix, StringComparison.Ordinal) ? name[..^FakeQuantNode.Suffix.Length] : name] = data;
        return result;
    }

    private static ModelGraph BuildGraph(QuantizationPlan plan, FakeQuantScope scope)
    {
        var g = plan.Graph.Clone();
        foreach (var node in g.Nodes)
        {
            var np = plan.Nodes[node.Name];
            if (np.IsFloat || np.Weights is null || !scope.Weights) continue;
            float sIn = plan.Tensors[node.Input].Params.Scale;
            switch (node)
            {
                case ConvNode conv:
                    (conv.Weight, conv.Bias) = FakeQuantConstants(conv.Weight, conv.Bias, np, sIn);
                    break;
                case GemmNode gemm:
                    (gemm.Weight, gemm.Bias) = FakeQuantConstants(gemm.Weight, gemm.Bias, np, sIn);
                    break;
            }
        }

        var inserted = new List<Node>();
        foreach (var (name, t) in plan.Tensors)
        {
            if (!plan.HasInt8(name) || !scope.QuantizesTensor(name)) continue;
            var fq = new FakeQuantNode(name, t.Params);
            // Readers of the int8 version see the fake-quantized values; float readers of a float tensor see it as it is.
            foreach (var reader in g.Nodes)
            {
                if (!t.IsFloat || !plan.Nodes[reader.Name].IsFloat)
                {
                    for (int i = 0; i < reader.Inputs.Count; i++) if (reader.Inputs[i] == name) reader.Inputs[i] = fq.Output;
                }
            }
            if (!t.IsFloat || plan.OutputIsInt8)
            {
                for (int i = 0; i < g.Outputs.Count; i++) if (g.Outputs[i] == name) g.Outputs[i] = fq.Output;
            }
            inserted.Add(fq);
        }
        g.Nodes.AddRange(inserted);
        g.SortTopologically();
        return g;
    }

    private static (ConstantTensor Weight, ConstantTensor Bias) FakeQuantConstants(ConstantTensor weight, ConstantTensor? bias, NodePlan np, float inputScale)
    {
        var w = np.Weights!;
        var b = new float[w.Channels];
        for (int c = 0; c < b.Length; c++) b[c] = (float)(np.Bias![c] * ((double)inputScale * w.Scales[c]));
        return (new ConstantTensor(weight.Name, weight.Shape, w.Dequantize()), new ConstantTensor(bias?.Name ?? $"{np.Node.Name}.bias", new TensorShape(b.Length), b));
    }
}

/// <summary>
/// Which parts of an int8 model a <see cref="FakeQuantSimulator"/> quantizes: Conv and Gemm weights with their int32
/// biases (<see cref="Weights"/>), and the int8 tensors for which <see cref="Tensors"/> holds (null: every one).
/// </summary>
public sealed record FakeQuantScope(bool Weights, Func<string, bool>? Tensors)
{
    /// <summary>The whole int8 model.</summary>
    public static FakeQuantScope All { get; } = new(true, null);

    /// <summary>Int8 weights and biases; every activation float.</summary>
    public static FakeQuantScope WeightsOnly { get; } = new(true, _ => false);

    /// <summary>Float weights and biases; every int8 activation (the graph input among them) quantized.</summary>
    public static FakeQuantScope ActivationsOnly { get; } = new(false, null);

    /// <summary>Float weights; only the named tensors quantized.</summary>
    public static FakeQuantScope OnlyTensors(params string[] names) => new(false, names.ToHashSet(StringComparer.Ordinal).Contains);

    /// <summary>Whether int8 tensor <paramref name="name"/> is quantized.</summary>
    public bool QuantizesTensor(string name) => Tensors?.Invoke(name) ?? true;
}

/// <summary>
/// <c>x ↦ s·(q(x) − zp)</c> with <c>q(x) = clamp(round_half_away(x/s) + zp, −128, 127)</c>: an int8 tensor's values as the
/// float graph sees them. An element-wise node, so the reference executor runs it as it runs activations.
/// </summary>
public sealed class FakeQuantNode(string tensor, QuantizationParams parameters)
    : UnaryElementwiseNode($"{tensor}{Suffix}", tensor, $"{tensor}{Suffix}")
{
    /// <summary>Appended to a tensor's name to name its fake-quantized copy.</summary>
    public const string Suffix = "/fq";

    public QuantizationParams Parameters { get; } = parameters;
    public override string OpType => "FakeQuantize";
    public override float Evaluate(float x) => Parameters.Dequantize(Parameters.Quantize(x));
    public override string DescribeAttributes() => Parameters.ToString();
}
