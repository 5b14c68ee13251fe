using Edge.Quantization.Quantizer;
using Edge.Tests.Shared;

namespace Edge.Quantization.Tests.Models;

/// <summary>
/// The trained models keep their accuracy through quantization: the fake-quant simulation of the converted model (default
/// calibrator, 32 calibration images) scores within 1 percentage point of the float accuracy the manifest records, on
/// the full committed test set. (Measured: within 0.1 pp for every calibrator with the default 500 samples.)
/// </summary>
public class TrainedAccuracyTests
{
    private const double TolerancePp = 1.0;
    private const int Batch = 100;

    [Theory]
    [MemberData(nameof(FirmwareModels.TrainedNames), MemberType = typeof(FirmwareModels))]
    public void Fake_quant_accuracy_is_within_1pp_of_float(string name)
    {
        var entry = FirmwareModels.Get(name);
        var result = Conversions.Get(name, "onnx");
        var set = FirmwareModels.TestSet(entry);
        var norm = FirmwareModels.Normalization(entry);
        var sim = new FakeQuantSimulator(result.Plan, Batch);
        int item = norm.Channels * set.Height * set.Width, correct = 0;
        var input = new float[Batch * item];
        for (int start = 0; start < set.Count; start += Batch)
        {
            int n = Math.Min(Batch, set.Count - start);
            for (int b = 0; b < n; b++) norm.ToChw(set.Image(start + b), set.Height, set.Width, set.Channels, input.AsSpan(b * item, item));
            var logits = sim.Run(input.AsSpan(0, n * item), n);
            int classes = logits.Length / n;
            for (int b = 0; b < n; b++)
            {
                if (FirmwareConversionTests.ArgMax(logits.AsSpan(b * classes, classes)) == set.Labels![start + b]) correct++;
            }
        }
        double accuracy = 100.0 * correct / set.Count;
        Assert.True(accuracy >= entry.FloatTestAccuracy!.Value - TolerancePp,
            $"{name}: fake-quant {accuracy:F2}% on {set.Count} images, float {entry.FloatTestAccuracy:F2}%");
    }
}
