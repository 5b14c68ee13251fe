using System.Text.Json;
using Edge.Core.Errors;
using Edge.Core.Graph;
using Edge.Vision.Datasets;
using Edge.Vision.Preprocessing;

namespace Edge.Quantization.Evaluation;

/// <summary>A trained model shipped in firmware-models/ (a manifest entry with a float test accuracy and data sets).</summary>
public sealed record ShippedModel(
    string Name, string Directory, string Onnx, string TestImages, string TestLabels, string CalibrationImages, string CalibrationLabels,
    InputNormalization Normalization, IReadOnlyList<string> Labels, double FloatTestAccuracy)
{
    public string OnnxPath => Path.Combine(Directory, Onnx);

    public ImageSet TestSet(int? limit = null)
    {
        var set = ImageSet.FromIdx(Path.Combine(Directory, TestImages), Path.Combine(Directory, TestLabels));
        return limit is { } n ? set.Take(n) : set;
    }

    public ImageSet CalibrationSet() => ImageSet.FromIdx(Path.Combine(Directory, CalibrationImages), Path.Combine(Directory, CalibrationLabels));

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
            Calibrator = calibrator, Normalization = Normalization, Labels = Labels, SourceName = Onnx,
        });
    }
}

/// <summary>Reads firmware-models/manifest.json for the trained models.</summary>
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
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                var candidate = Path.Combine(d.FullName, "firmware-models");
                if (File.Exists(Path.Combine(candidate, ManifestName))) return candidate;
            }
        }
        throw new DataFormatException("firmware-models", $"no firmware-models/{ManifestName} above {Environment.CurrentDirectory}; run from the repository or pass --models");
    }

    /// <summary>The trained models of the manifest in <paramref name="directory"/>, in manifest order.</summary>
    public static IReadOnlyList<ShippedModel> Trained(string directory)
    {
        string path = Path.Combine(directory, ManifestName);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var list = new List<ShippedModel>();
        foreach (var m in doc.RootElement.GetProperty("models").EnumerateArray())
        {
            if (!m.TryGetProperty("float_test_accuracy", out var acc) || acc.ValueKind != JsonValueKind.Number) continue;
            var test = m.GetProperty("test_data");
            var calib = m.GetProperty("calibration_data");
            var pre = m.GetProperty("preprocessing");
            var name = pre.GetProperty("channel_order").GetString()!;
            var order = InputNormalization.ParseChannelOrder(name) switch
            {
                { } o => o,
                null => throw new DataFormatException(path, $"channel order '{name}'"),
            };
            list.Add(new ShippedModel(
                m.GetProperty("name").GetString()!, directory, m.GetProperty("onnx").GetString()!,
                test.GetProperty("images").GetString()!, test.GetProperty("labels").GetString()!,
                calib.GetProperty("images").GetString()!, calib.GetProperty("labels").GetString()!,
                new InputNormalization(Floats(pre.GetProperty("mean")), Floats(pre.GetProperty("std")), order),
                m.TryGetProperty("class_labels", out var l) ? l.EnumerateArray().Select(e => e.GetString()!).ToArray() : [],
                acc.GetDouble()));
        }
        return list;
    }

    private static float[] Floats(JsonElement e) => e.EnumerateArray().Select(x => x.GetSingle()).ToArray();
}
