using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using Edge.Core.Analysis;
using Edge.Onnx;
using Edge.Quantization;
using Edge.Vision.Preprocessing;

namespace Edge.Benchmarks.Peers;

/// <summary>One model of the side-by-side benchmark, as <c>bench/peer-models.json</c> describes it (paths from the repository root).</summary>
public sealed record PeerModel(
    string Name, string Onnx, string Edge, string Input, string Calib, int Samples, PeerNormalization Normalization, string? Make)
{
    /// <summary>The int8 model is made by this benchmark (under bench/models) rather than shipped.</summary>
    public bool EdgeIsGenerated => Edge.StartsWith("bench/models/", StringComparison.Ordinal);
}

public sealed record PeerNormalization(float[] Mean, float[] Std, [property: JsonPropertyName("channel_order")] string ChannelOrder);

/// <summary>
/// The catalog of the side-by-side benchmark (<c>bench/peer-models.json</c>, which bench/pytorch_int8.py reads too): which
/// models there are, which are present, how an absent one is made, the int8 conversion of those that ship no <c>.edge</c>,
/// the one input every engine runs and each model's MACs.
/// </summary>
public static class PeerModels
{
    /// <summary>The repository root: the nearest folder above the working directory or this assembly that holds Edge.sln.</summary>
    public static string Root { get; } = FindRoot();

    public static IReadOnlyList<PeerModel> All { get; } = Load();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    /// <summary>The models whose ONNX file is present (the rest are <see cref="Absent"/>).</summary>
    public static IEnumerable<PeerModel> Present => All.Where(m => File.Exists(PathOf(m.Onnx)));

    public static IEnumerable<PeerModel> Absent => All.Where(m => !File.Exists(PathOf(m.Onnx)));

    /// <summary>One line per absent model: which file is missing and the command that makes it.</summary>
    public static IEnumerable<string> SkippedLines()
        => Absent.Select(m => $"skipped {m.Name}: {m.Onnx} is absent; make it with `{m.Make ?? "tools/train/export_all.sh"}` (bench/README.md)");

    /// <summary>
    /// The int8 model's path, converting it first when it is generated and absent or older than its ONNX file: calibrated
    /// on <see cref="PeerModel.Samples"/> items of <see cref="PeerModel.Calib"/> with the converter's default calibrator,
    /// exactly what <c>edge convert MODEL.onnx -o OUT --calib CALIB --samples N --mean .. --std .. --channel-order ..</c> writes.
    /// </summary>
    public static string EnsureEdge(PeerModel model, TextWriter? log = null)
    {
        string edge = PathOf(model.Edge), onnx = PathOf(model.Onnx);
        if (!model.EdgeIsGenerated) return edge;
        if (File.Exists(edge) && File.GetLastWriteTimeUtc(edge) >= File.GetLastWriteTimeUtc(onnx)) return edge;
        log?.WriteLine($"converting {model.Onnx} -> {model.Edge} (calibration: {model.Samples} items of {model.Calib})");
        var n = model.Normalization;
        var order = InputNormalization.ParseChannelOrder(n.ChannelOrder)
                    ?? throw new InvalidDataException($"bench/peer-models.json: {model.Name}: channel order '{n.ChannelOrder}'");
        var options = new ConverterOptions
        {
            Samples = model.Samples,
            Normalization = new InputNormalization(n.Mean, n.Std, order),
            SourceName = Path.GetFileName(onnx),
        };
        var result = Converter.Convert(OnnxImporter.Import(onnx), PathOf(model.Calib), options);
        Directory.CreateDirectory(Path.GetDirectoryName(edge)!);
        string partial = edge + ".partial";
        result.Save(partial);
        File.Move(partial, edge, overwrite: true);
        return edge;
    }

    /// <summary>The benchmark input: the first item of <see cref="PeerModel.Input"/> (normalized float32 NCHW; .gz read through).</summary>
    public static float[] Input(PeerModel model, int elements)
    {
        string path = PathOf(model.Input);
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        var bytes = new byte[elements * sizeof(float)];
        stream.ReadExactly(bytes);
        var values = new float[elements];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    /// <summary>Multiply-accumulates at batch 1 of the float model (Edge.Core's count, as <c>edge inspect</c> prints it).</summary>
    public static long Macs(PeerModel model) => ModelSummary.Of(OnnxImporter.Import(PathOf(model.Onnx))).TotalMacs;

    private static IReadOnlyList<PeerModel> Load()
    {
        string path = PathOf("bench/peer-models.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var options = new JsonSerializerOptions { PropertyNameCaseInsensitive = true };
        return doc.RootElement.GetProperty("models").Deserialize<PeerModel[]>(options)
               ?? throw new InvalidDataException($"{path}: no models");
    }

    private static string FindRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Edge.sln"))) return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("the repository root (a folder holding Edge.sln) is not above the working directory nor the benchmark");
    }
}
