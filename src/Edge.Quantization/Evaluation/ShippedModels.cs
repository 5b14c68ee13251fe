using System.Text.Json;
using Edge.Core.Errors;
using Edge.Core.Graph;
using Edge.Vision.Datasets;
using Edge.Vision.Preprocessing;

namespace Edge.Quantization.Evaluation;

/// <summary>A data set of the manifest: IDX image and label files, relative to the firmware-models folder.</summary>
public sealed record ShippedData(string Images, string Labels);

/// <summary>
/// One entry of firmware-models/manifest.json (described in firmware-models/README.md): a model trained on a committed
/// data set (<see cref="IsTrained"/>: a recorded float test accuracy, a test set and a calibration subset) or a
/// random-weight zoo model (golden vectors only). File names are relative to <see cref="Directory"/>. A trained model
/// also ships <see cref="Edge"/>, its int8 model: what <see cref="Convert"/> makes with the default calibrator.
/// </summary>
public sealed record ShippedModel(
    string Name, string Directory, string Onnx, string BnOnnx, string? Edge, int Opset, string InputName, int[] InputShape, string OutputName,
    int NumClasses, long Params, string? Dataset, ShippedData? TestData, ShippedData? CalibrationData,
    InputNormalization Normalization, IReadOnlyList<string> ClassLabels, double? FloatTestAccuracy, int? TestCount, string Golden)
{
    /// <summary>Trained on a committed data set: it has a recorded float test accuracy, a test set, a calibration subset and an .edge file.</summary>
    public bool IsTrained => FloatTestAccuracy is not null;

    public string PathOf(string relative) => Path.Combine(Directory, relative);

    /// <summary>The ONNX export with BatchNorm folded by PyTorch's exporter.</summary>
    public string OnnxPath => PathOf(Onnx);

    /// <summary>The ONNX export that keeps its BatchNormalization nodes.</summary>
    public string BnOnnxPath => PathOf(BnOnnx);

    /// <summary>
    /// The shipped int8 model: <see cref="Convert"/> of the ONNX export with the default calibrator, written by
    /// <c>edge demo --out firmware-models</c> (see firmware-models/README.md).
    /// </summary>
    public string EdgePath => EdgePathIn(Directory);

    /// <summary>The int8 model's path in <paramref name="folder"/>, under the manifest's name for it.</summary>
    public string EdgePathIn(string folder) => Path.Combine(folder, Edge ?? throw new InvalidOperationException($"{Name}: the manifest names no .edge file"));

    public ImageSet TestSet(int? limit = null)
    {
        var data = TestData ?? throw new InvalidOperationException($"{Name}: the manifest names no test set");
        var set = ImageSet.FromIdx(PathOf(data.Images), PathOf(data.Labels));
        return limit is { } n ? set.Take(n) : set;
    }

    public ImageSet CalibrationSet()
    {
        var data = CalibrationData ?? throw new InvalidOperationException($"{Name}: the manifest names no calibration set");
        return ImageSet.FromIdx(PathOf(data.Images), PathOf(data.Labels));
    }

    /// <summary>
    /// Converts <paramref name="graph"/> (this model's ONNX, imported), calibrating on its shipped calibration subset with
    /// the converter's default sample count (all images, at most <see cref="Calibration.CalibrationRunner.DefaultMaxSamples"/>, evenly spaced).
    /// </summary>
    public ConversionResult Convert(ModelGraph graph, string calibrator = Calibration.Calibrator.DefaultName)
    {
        var itemShape = graph.InferShapes(1)[graph.Inputs[0].Name].ToArray()[1..];
        var source = new Calibration.ImageSetSource(CalibrationSet(), itemShape, Normalization);
        return Converter.Convert(graph, source, new ConverterOptions
        {
            Calibrator = calibrator, Normalization = Normalization, Labels = ClassLabels, SourceName = Onnx,
        });
    }
}

/// <summary>Reads firmware-models/manifest.json: the one reader of it, for the CLI and the tests.</summary>
public static class ShippedModels
{
    public const string ManifestName = "manifest.json";

    /// <summary>The firmware-models folder: <paramref name="directory"/> if given, else the first above the working directory or the program.</summary>
    public static string Locate(string? directory)
    {
        if (directory is not null)
        {
            if (!File.Exists(Path.Combine(directory, ManifestName))) throw new DataFormatException(directory, $"no {ManifestName} in this folder");
            return directory;
        }
        return Find(Environment.CurrentDirectory) ?? Find(AppContext.BaseDirectory)
            ?? throw new DataFormatException("firmware-models", $"no firmware-models/{ManifestName} above {Environment.CurrentDirectory}; run from the repository or pass --models");
    }

    /// <summary>The first <c>firmware-models</c> folder holding a manifest in <paramref name="start"/> or a folder above it; null if none.</summary>
    public static string? Find(string start)
    {
        for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, "firmware-models");
            if (File.Exists(Path.Combine(candidate, ManifestName))) return candidate;
        }
        return null;
    }

    /// <summary>Every model of the manifest in <paramref name="directory"/>, the random-weight zoo included, in manifest order.</summary>
    public static IReadOnlyList<ShippedModel> All(string directory)
    {
        string path = Path.Combine(directory, ManifestName);
        Manifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<Manifest>(File.ReadAllText(path), Json) ?? throw new JsonException("the manifest is null");
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, e.Message, e);
        }
        return manifest.Models.Select(m => Entry(path, directory, m)).ToArray();
    }

    /// <summary>The trained models of the manifest in <paramref name="directory"/> (<see cref="ShippedModel.IsTrained"/>), in manifest order.</summary>
    public static IReadOnlyList<ShippedModel> Trained(string directory) => All(directory).Where(m => m.IsTrained).ToArray();

    private static ShippedModel Entry(string path, string directory, ManifestEntry m)
    {
        var order = InputNormalization.ParseChannelOrder(m.Preprocessing.ChannelOrder)
            ?? throw new DataFormatException(path, $"{m.Name}: channel order '{m.Preprocessing.ChannelOrder}'");
        if (m.FloatTestAccuracy is not null && (m.TestData is null || m.CalibrationData is null || m.Edge is null))
            throw new DataFormatException(path, $"{m.Name}: a float test accuracy without test_data, calibration_data and edge");
        return new ShippedModel(
            m.Name, directory, m.Onnx, m.BnOnnx, m.Edge, m.Opset, m.InputName, m.InputShape, m.OutputName, m.NumClasses, m.Params, m.Dataset,
            m.TestData, m.CalibrationData, new InputNormalization(m.Preprocessing.Mean, m.Preprocessing.Std, order),
            m.ClassLabels ?? [], m.FloatTestAccuracy, m.TestCount, m.Golden);
    }

    /// <summary>A missing or null field the entry needs is an error; the nullable ones may be left out; fields the reader does not use (onnx_ops, command) are ignored.</summary>
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    private sealed record Manifest(int Format, ManifestEntry[] Models);

    private sealed record ManifestEntry(
        string Name, string Onnx, string BnOnnx, int Opset, string InputName, int[] InputShape, string OutputName, int NumClasses,
        long Params, Preprocessing Preprocessing, string Golden, string? Edge = null, string? Dataset = null, ShippedData? TestData = null,
        ShippedData? CalibrationData = null, string[]? ClassLabels = null, double? FloatTestAccuracy = null, int? TestCount = null);

    private sealed record Preprocessing(float[] Mean, float[] Std, string ChannelOrder);
}
