using Edge.Quantization.Quantizer;
using Edge.Reference;

namespace Edge.Quantization.Evaluation;

/// <summary>
/// How far the output of a simulated part of the int8 model is from the float output, per input item:
/// <c>1 − cosine(simulated output, float output)</c>, its mean and its worst (largest) value.
/// </summary>
/// <param name="Part">What was quantized: <c>all</c>, <c>weights</c>, <c>activations</c>, <c>input</c>, or a tensor's name.</param>
/// <param name="Mean">The mean over the items of <c>1 − cosine</c>.</param>
/// <param name="Worst">The largest <c>1 − cosine</c> of an item.</param>
public sealed record AblationLoss(string Part, double Mean, double Worst)
{
    /// <summary>The worst item's cosine, <c>1 − Worst</c>.</summary>
    public double WorstCosine => 1 - Worst;
}

/// <summary>
/// Attributes an int8 model's loss of output fidelity to its sources by simulating parts of it
/// (<see cref="FakeQuantSimulator"/> with a <see cref="FakeQuantScope"/>) against the float graph on the same inputs:
/// everything, the weights alone (float activations), the activations alone (float weights), the graph input alone,
/// and, with <see cref="PerTensor"/>, each int8 tensor alone. A part whose loss is near the whole model's is where the
/// fidelity goes; when the activations alone (with exact weights) already lose more than a target allows, no choice of
/// weight rounding or bias can meet it. Losses of parts do not add up to the whole's: measured on the torchvision zoo
/// (bench/RESULTS.md, issue 14) they combine roughly as the root of the sum of squares.
/// </summary>
public static class QuantizationAblation
{
    /// <summary>The loss of the whole simulated model and of its weights, activations and input alone, over <paramref name="count"/> NCHW items.</summary>
    public static IReadOnlyList<AblationLoss> Measure(QuantizationPlan plan, float[] inputs, int count)
    {
        var reference = FloatOutputs(plan, inputs, count);
        string input = plan.Graph.Inputs[0].Name;
        return
        [
            Loss("all", plan, FakeQuantScope.All, inputs, count, reference),
            Loss("weights", plan, FakeQuantScope.WeightsOnly, inputs, count, reference),
            Loss("activations", plan, FakeQuantScope.ActivationsOnly, inputs, count, reference),
            Loss("input", plan, FakeQuantScope.OnlyTensors(input), inputs, count, reference),
        ];
    }

    /// <summary>The loss of each int8 tensor quantized alone (float weights), largest first. One simulation per tensor: slow on big models.</summary>
    public static IReadOnlyList<AblationLoss> PerTensor(QuantizationPlan plan, float[] inputs, int count)
    {
        var reference = FloatOutputs(plan, inputs, count);
        return plan.Tensors.Keys.Where(plan.HasInt8)
            .Select(t => Loss(t, plan, FakeQuantScope.OnlyTensors(t), inputs, count, reference))
            .OrderByDescending(l => l.Mean).ToArray();
    }

    private static float[][] FloatOutputs(QuantizationPlan plan, float[] inputs, int count)
    {
        Check(plan, inputs, count);
        var executor = new ReferenceExecutor(plan.Graph, 1);
        int item = inputs.Length / count;
        return Enumerable.Range(0, count).Select(b => executor.Run(inputs.AsSpan(b * item, item), 1)).ToArray();
    }

    private static AblationLoss Loss(string part, QuantizationPlan plan, FakeQuantScope scope, float[] inputs, int count, float[][] reference)
    {
        var simulator = new FakeQuantSimulator(plan, scope);
        int item = inputs.Length / count;
        var losses = new double[count];
        for (int b = 0; b < count; b++) losses[b] = 1 - Cosine(reference[b], simulator.Run(inputs.AsSpan(b * item, item), 1));
        return new AblationLoss(part, losses.Average(), losses.Max());
    }

    private static void Check(QuantizationPlan plan, float[] inputs, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (plan.Graph.Inputs.Count != 1 || plan.Graph.Outputs.Count != 1)
            throw new ArgumentException($"graph '{plan.Graph.Name}' has {plan.Graph.Inputs.Count} inputs and {plan.Graph.Outputs.Count} outputs; the ablation runs models with one of each", nameof(plan));
        if (inputs.Length % count != 0) throw new ArgumentException($"{inputs.Length} values are not {count} equal items", nameof(inputs));
    }

    /// <summary>Cosine of two vectors, in double; 1 when both are zero, 0 when only one is.</summary>
    internal static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            ab += (double)a[i] * b[i];
            aa += (double)a[i] * a[i];
            bb += (double)b[i] * b[i];
        }
        if (aa == 0 && bb == 0) return 1;
        return aa == 0 || bb == 0 ? 0 : ab / Math.Sqrt(aa * bb);
    }
}
