using System.Text.Json;
using Edge.Core.Tensors;
using Edge.Quantization.Evaluation;
using Edge.Vision.Datasets;
using Edge.Vision.Preprocessing;

namespace Edge.Tests.Shared;

/// <summary>
/// The shipped models of <c>firmware-models/</c> as <see cref="ShippedModels"/> reads its <c>manifest.json</c> (see
/// firmware-models/README.md), found above the test binaries, with xunit theory data and their golden vectors.
/// </summary>
public static class FirmwareModels
{
    private static readonly Lazy<string> LazyDirectory = new(() => ShippedModels.Find(AppContext.BaseDirectory)
        ?? throw new DirectoryNotFoundException($"no firmware-models/{ShippedModels.ManifestName} above {AppContext.BaseDirectory}"));
    private static readonly Lazy<IReadOnlyList<ShippedModel>> LazyAll = new(() => ShippedModels.All(Directory));

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static string Directory => LazyDirectory.Value;
    public static IReadOnlyList<ShippedModel> All => LazyAll.Value;
    public static ShippedModel Get(string name) => All.Single(m => m.Name == name);
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
    public static TheoryData<string> TrainedNames() => new(All.Where(m => m.IsTrained).Select(m => m.Name));

    public static string OnnxPath(ShippedModel m, string form) => form == "bn_onnx" ? m.BnOnnxPath : m.OnnxPath;

    public static Golden LoadGolden(ShippedModel m)
    {
        var path = PathOf(m.Golden);
        var doc = JsonSerializer.Deserialize<GoldenDoc>(File.ReadAllText(path), Json)!;
        var dir = Path.GetDirectoryName(path)!;
        var input = Float32File.Read(Path.Combine(dir, doc.Input.File));
        var outputs = doc.Outputs.Select(o => (o.Name, Shape: new TensorShape(o.Shape), Data: Float32File.Read(Path.Combine(dir, o.File)))).ToArray();
        return new Golden(doc.Count, doc.Input.Name, new TensorShape(doc.Input.Shape), input, outputs);
    }

    /// <summary>The golden input file, relative to the firmware-models folder (a calibration source for models without a data set).</summary>
    public static string GoldenInputFile(ShippedModel m)
    {
        var doc = JsonSerializer.Deserialize<GoldenDoc>(File.ReadAllText(PathOf(m.Golden)), Json)!;
        return Path.Combine(Path.GetDirectoryName(m.Golden)!, doc.Input.File);
    }

    public static ImageSet TestSet(ShippedModel m) => m.TestSet();
    public static ImageSet CalibrationSet(ShippedModel m) => m.CalibrationSet();
    public static InputNormalization Normalization(ShippedModel m) => m.Normalization;

    private sealed record GoldenDoc(int Count, GoldenTensor Input, GoldenTensor[] Outputs);
    private sealed record GoldenTensor(string Name, int[] Shape, string File);
}

/// <summary>A model's golden vectors: <see cref="Count"/> inputs and PyTorch's outputs for them.</summary>
public sealed record Golden(int Count, string InputName, TensorShape InputShape, float[] Input, (string Name, TensorShape Shape, float[] Data)[] Outputs);
