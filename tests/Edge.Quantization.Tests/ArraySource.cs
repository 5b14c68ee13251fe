using Edge.Core.Graph;
using Edge.Quantization.Calibration;
using Edge.Quantization.Passes;
using Edge.Quantization.Quantizer;

namespace Edge.Quantization.Tests;

/// <summary>Calibration items held in memory (already normalized NCHW).</summary>
internal sealed class ArraySource(int[] itemShape, float[] data) : CalibrationSource("memory", itemShape)
{
    public override int Count => data.Length / ItemLength;
    public override string Describe() => $"{Count} items from memory";
    public override void Read(int index, Span<float> destination) => data.AsSpan(index * ItemLength, ItemLength).CopyTo(destination);

    /// <summary><paramref name="count"/> seeded uniform items in [−1, 1) for <paramref name="graph"/>'s input.</summary>
    public static ArraySource RandomFor(ModelGraph graph, int count, int seed)
    {
        var item = graph.InferShapes(1)[graph.Inputs[0].Name].ToArray()[1..];
        return new ArraySource(item, Graphs.Random(count * item.Aggregate(1, (a, b) => a * b), seed));
    }
}

/// <summary>Plans for hand-built graphs: passes, min-max calibration on seeded data, plan.</summary>
internal static class Plans
{
    public static QuantizationPlan For(ModelGraph graph, QuantizerOptions? options = null, int samples = 16, string calibrator = "minmax")
    {
        var g = graph.Clone();
        PassPipeline.Default().Run(g);
        var calibration = CalibrationRunner.Run(g, ArraySource.RandomFor(g, samples, seed: 21), Calibrator.Create(calibrator));
        return QuantizationPlan.Build(g, calibration.Ranges, options ?? new QuantizerOptions());
    }
}
