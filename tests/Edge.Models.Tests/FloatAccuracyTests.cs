using Edge.Onnx;
using Edge.Reference;
using Edge.Tests.Shared;

namespace Edge.Models.Tests;

/// <summary>
/// The float reference path's top-1 accuracy on the full committed test sets equals what the training script
/// recorded in the manifest (± 0.05 pp): the shipped data, preprocessing and float path agree with PyTorch's.
/// </summary>
public class FloatAccuracyTests
{
    private const double TolerancePp = 0.05;
    private const int Batch = 50;

    [Theory]
    [MemberData(nameof(FirmwareModels.TrainedNames), MemberType = typeof(FirmwareModels))]
    public void Float_accuracy_equals_the_recorded_accuracy(string name)
    {
        var model = FirmwareModels.Get(name);
        var set = FirmwareModels.TestSet(model);
        Assert.Equal(model.TestCount, set.Count);
        var norm = FirmwareModels.Normalization(model);
        var executor = new ReferenceExecutor(OnnxImporter.Import(FirmwareModels.OnnxPath(model, "onnx")), Batch);
        int item = norm.Channels * set.Height * set.Width;
        var input = new float[Batch * item];
        int correct = 0;
        for (int start = 0; start < set.Count; start += Batch)
        {
            int n = Math.Min(Batch, set.Count - start);
            for (int b = 0; b < n; b++) norm.ToChw(set.Image(start + b), set.Height, set.Width, set.Channels, input.AsSpan(b * item, item));
            var logits = executor.Run(input.AsSpan(0, n * item), n);
            int classes = logits.Length / n;
            for (int b = 0; b < n; b++)
            {
                if (GoldenVectorTests.ArgMax(logits.AsSpan(b * classes, classes)) == set.Labels![start + b]) correct++;
            }
        }
        double accuracy = 100.0 * correct / set.Count;
        Assert.True(Math.Abs(accuracy - model.FloatTestAccuracy!.Value) <= TolerancePp,
            $"{name}: float path {accuracy:F2}% on {set.Count} images, training script recorded {model.FloatTestAccuracy:F2}%");
    }
}
