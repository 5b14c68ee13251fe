using Edge.Quantization.Calibration;
using Edge.Quantization.Evaluation;
using Edge.Tests.Shared;

namespace Edge.Accuracy.Tests;

/// <summary>
/// Issue 6's acceptance: for every trained shipped model, converted with the default calibrator on its shipped
/// calibration subset, int8 top-1 on the full committed test set is within 0.5 pp of float and the two agree on ≥ 99%.
/// </summary>
[Collection(TrainedModelsCollection.Name)]
public class AccuracyTests(AccuracyFixture fixture)
{
    public static TheoryData<string> Trained => FirmwareModels.TrainedNames();

    [Fact]
    public void Every_trained_model_is_covered()
    {
        Assert.Equal(["lenet5-mnist", "lenet5-fashion", "mobilenet-fashion"], ShippedModels.Trained(FirmwareModels.Directory).Select(m => m.Name));
    }

    [Fact]
    public void The_fixture_converts_with_the_default_calibrator()
    {
        var shipped = FirmwareModels.Get("lenet5-mnist");
        var conversion = fixture.Conversion(shipped.Name).Result;
        Assert.Equal(Calibrator.DefaultName, conversion.Calibration.Calibrator.Name);
        Assert.Equal(Math.Min(shipped.CalibrationSet().Count, CalibrationRunner.DefaultMaxSamples), conversion.Calibration.Samples);
    }

    [Theory]
    [MemberData(nameof(Trained))]
    public void Full_test_set_is_evaluated_and_float_matches_the_manifest(string name)
    {
        var entry = FirmwareModels.Get(name);
        var r = fixture.For(name);
        Assert.Equal(entry.TestCount, r.Images);
        Assert.NotNull(r.Float);
        // The float reference path reproduces the training script's accuracy (recorded to 2 decimals).
        Assert.InRange(r.Float.Top1, entry.FloatTestAccuracy!.Value - 0.01, entry.FloatTestAccuracy.Value + 0.01);
        Assert.Equal(r.Images, r.Confusion.Sum(row => row.Sum()));
        Assert.Equal(r.Int8.Correct, Enumerable.Range(0, r.Classes).Sum(c => r.Confusion[c][c]));
    }

    [Theory]
    [MemberData(nameof(Trained))]
    public void Int8_top1_is_within_half_a_point_of_float(string name)
    {
        var r = fixture.For(name);
        Assert.True(Math.Abs(r.Int8MinusFloat!.Value) <= 0.5, $"{name}: int8 {r.Int8.Top1:F2}% vs float {r.Float!.Top1:F2}%");
    }

    [Theory]
    [MemberData(nameof(Trained))]
    public void Int8_and_float_agree_on_at_least_99_percent(string name)
    {
        var r = fixture.For(name);
        Assert.True(r.Agreement >= 99.0, $"{name}: agreement {r.Agreement:F2}%");
    }
}
