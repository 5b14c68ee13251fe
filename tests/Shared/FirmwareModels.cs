using System.Text.Json;
using System.Text.Json.Serialization;
using Edge.Core.Tensors;
using Edge.Vision.Datasets;
using Edge.Vision.Preprocessing;

namespace Edge.Tests.Shared;

/// <summary>
/// The shipped models of <c>firmware-models/</c>, read from its <c>manifest.json</c> (see firmware-models/README.md),
/// with their golden vectors and data sets.
/// </summary>
public static class FirmwareModels
{
    private static readonly Lazy<string> Root = new(FindRepoRoot);
    private static readonly Lazy<Manifest> LazyManifest = new(() =>
        JsonSerializer.Deserialize<Manifest>(File.ReadAllText(Path.Combine(Directory, "manifest.json")), Json)
        ?? throw new InvalidDataException("firmware-models/manifest.json is empty"));

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static string RepoRoot => Root.Value;
    public static string Directory => Path.Combine(RepoRoot, "firmware-models");
    public static IReadOnlyList<ModelEntry> All => LazyManifest.Value.Models;
    public static ModelEntry Get(string name) => All.Single(m => m.Name == name);
    public static string PathOf(string relative) => Path.Combine(Directory, relative);

    /// <summary>xunit theory data: every model name.</summary>
    public static TheoryData<string> Names() => new(All.Select(m => m.Name));

    /// <summary>xunit theory data: every (model, ONNX form) pair; form is "onnx" or "bn_onnx".</summary>
    public static TheoryData<string, string> NamesAndForms()
    {
        var data = new TheoryData<string, string>();
        foreach (var m in All)
        {
            data.Add(m.Name, "onnx");
            data.Add(m.Name, "bn_onnx");
        }
        return data;
    }

    /// <summary>xunit theory data: the models trained on a committed data set (they have a recorded float accuracy).</summary>
    public static TheoryData<string> TrainedNames() => new(All.Where(m => m.FloatTestAccuracy is not null).Select(m => m.Name));

    public static string OnnxPath(ModelEntry m, string form) => PathOf(form == "bn_onnx" ? m.BnOnnx : m.Onnx);

    public static Golden LoadGolden(ModelEntry m)
    {
        var path = PathOf(m.Golden);
        var doc = JsonSerializer.Deserialize<GoldenDoc>(File.ReadAllText(path), Json)!;
        var dir = Path.GetDirectoryName(path)!;
        var input = Float32File.Read(Path.Combine(dir, doc.Input.File));
        var outputs = doc.Outputs.Select(o => (o.Name, Shape: new TensorShape(o.Shape), Data: Float32File.Read(Path.Combine(dir, o.File)))).ToArray();
        return new Golden(doc.Count, doc.Input.Name, new TensorShape(doc.Input.Shape), input, outputs);
    }

    public static ImageSet TestSet(ModelEntry m) => ImageSet.FromIdx(PathOf(m.TestData!.Images), PathOf(m.TestData.Labels));
    public static ImageSet CalibrationSet(ModelEntry m) => ImageSet.FromIdx(PathOf(m.CalibrationData!.Images), PathOf(m.CalibrationData.Labels));

    public static InputNormalization Normalization(ModelEntry m) => new(
        m.Preprocessing.Mean, m.Preprocessing.Std,
        InputNormalization.ParseChannelOrder(m.Preprocessing.ChannelOrder) ?? throw new InvalidDataException($"channel order '{m.Preprocessing.ChannelOrder}'"));

    private static string FindRepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Edge.sln"))) return d.FullName;
        }
        throw new DirectoryNotFoundException($"no Edge.sln above {AppContext.BaseDirectory}");
    }

    public sealed record Manifest(int Format, ModelEntry[] Models);

    public sealed record ModelEntry(
        string Name, string Onnx, string BnOnnx, string InputName, int[] InputShape, string OutputName, int NumClasses,
        long Params, string? Dataset, DataFiles? TestData, DataFiles? CalibrationData, PreprocessingEntry Preprocessing,
        string[]? ClassLabels, double? FloatTestAccuracy, int? TestCount, string Golden)
    {
        public override string ToString() => Name;
    }

    public sealed record DataFiles(string Images, string Labels);
    public sealed record PreprocessingEntry(float[] Mean, float[] Std, string ChannelOrder);

    private sealed record GoldenDoc(int Count, GoldenTensor Input, GoldenTensor[] Outputs);
    private sealed record GoldenTensor(string Name, int[] Shape, string File);
}

/// <summary>A model's golden vectors: <see cref="Count"/> inputs and PyTorch's outputs for them.</summary>
public sealed record Golden(int Count, string InputName, TensorShape InputShape, float[] Input, (string Name, TensorShape Shape, float[] Data)[] Outputs);
