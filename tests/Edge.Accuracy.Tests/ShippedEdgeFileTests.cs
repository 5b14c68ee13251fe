using Edge.Quantization.Evaluation;
using Edge.Runtime.Format;
using Edge.Runtime.Session;
using Edge.Tests.Shared;

namespace Edge.Accuracy.Tests;

/// <summary>
/// The int8 models shipped in firmware-models/ (the manifest's <c>edge</c> files, deployed as they are, without the
/// converter) are exactly what the converter makes of the trained models today, and they run like it: the same labels,
/// preprocessing and int8 top-1 on the committed test sets as the fresh conversion of <see cref="AccuracyFixture"/>.
/// </summary>
[Collection(TrainedModelsCollection.Name)]
public class ShippedEdgeFileTests(AccuracyFixture fixture)
{
    /// <summary>Rewrites the shipped .edge files (run from the repository root); firmware-models/README.md documents it.</summary>
    public const string RegenerateCommand = "dotnet run --project tools/Edge.Cli -c Release -- demo --out firmware-models";

    public static TheoryData<string> Trained => FirmwareModels.TrainedNames();

    [Fact]
    public void The_trained_models_and_only_they_ship_an_edge_file()
    {
        Assert.All(FirmwareModels.All, m => Assert.True(m.IsTrained == m.Edge is not null, $"{m.Name}: edge {m.Edge ?? "null"}"));
        Assert.Equal(
            FirmwareModels.All.Where(m => m.IsTrained).Select(m => Path.GetFullPath(m.EdgePath)).Order(StringComparer.Ordinal),
            Directory.GetFiles(FirmwareModels.Directory, "*.edge").Select(Path.GetFullPath).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Trained))]
    public void Shipped_edge_file_is_byte_identical_to_a_fresh_conversion(string name)
    {
        var model = FirmwareModels.Get(name);
        string file = $"firmware-models/{model.Edge}", regenerate = $"regenerate the shipped .edge files from the repository root with `{RegenerateCommand}`";
        Assert.True(File.Exists(model.EdgePath), $"{file} is missing; {regenerate}");
        var expected = EdgeModelWriter.ToBytes(fixture.Conversion(name).Result.Model);
        var actual = File.ReadAllBytes(model.EdgePath);
        Assert.True(actual.AsSpan().SequenceEqual(expected),
            $"{file} ({actual.Length} bytes) is not what the converter makes of {model.Onnx} now ({expected.Length} bytes, " +
            $"first difference at byte {actual.AsSpan().CommonPrefixLength(expected)}); {regenerate}");
    }

    [Theory]
    [MemberData(nameof(Trained))]
    public void Shipped_edge_file_has_the_manifest_labels_and_preprocessing_and_scores_the_conversion_top1(string name)
    {
        var model = FirmwareModels.Get(name);
        var session = EdgeSession.Load(model.EdgePath);
        Assert.Equal(model.ClassLabels, session.Labels);
        Assert.Equal(model.Normalization.Mean, session.Normalization.Mean);
        Assert.Equal(model.Normalization.Std, session.Normalization.Std);
        Assert.Equal(model.Normalization.Order, session.Normalization.ChannelOrder);

        var shipped = Evaluator.Evaluate(session, model.TestSet(), threads: Environment.ProcessorCount);
        var converted = fixture.For(name); // the int8 top-1 of README's Results and ACCURACY.md (mse, the default calibrator)
        Assert.Equal(model.TestCount, shipped.Images);
        Assert.True(shipped.Int8.Top1 == converted.Int8.Top1, $"{name}: the shipped file scores {shipped.Int8.Top1:F2}%, a fresh conversion {converted.Int8.Top1:F2}%");
        Assert.Equal(converted.Int8Predictions, shipped.Int8Predictions);
    }
}
