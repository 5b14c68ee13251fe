using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text.Json;
using Edge.Runtime.Format;
using Edge.Runtime.Kernels;
using Edge.Runtime.Session;

namespace Edge.Conformance.Models;

/// <summary>
/// The recorded int8 outputs of one shipped <c>.edge</c> model on its golden inputs (firmware-models/golden,
/// <c>&lt;name&gt;.int8-output.json</c> beside the raw bytes it names): <see cref="Count"/> × the elements of
/// <see cref="Tensor"/>, the int8 tensor the model's output is dequantized from (the output itself when it is int8).
/// <see cref="EdgeSha256"/> is the hash of the <c>.edge</c> file they were recorded from.
/// </summary>
public sealed record RecordedOutputs(string Model, string Edge, string EdgeSha256, string Input, int Count, string Tensor, int[] Shape, string File, string Command);

/// <summary>
/// Every shipped <c>.edge</c> model (those <c>firmware-models/manifest.json</c> names) run on its golden inputs on one
/// kernel path must give its recorded int8 outputs byte for byte (<c>ShippedModel/&lt;path&gt;</c>, one case per model).
/// The models are integer arithmetic end to end (the input quantization is one IEEE division and a rounding), so the
/// bytes are the same on every path and every CPU; <see cref="Record"/> writes them and refuses when two paths disagree.
/// Runtime-only (no converter, no ONNX): it runs on the device as it does on x86.
/// </summary>
public static class ShippedModelConformance
{
    /// <summary>The command that writes the records (see firmware-models/README.md).</summary>
    public const string RecordCommand = "edge selftest --record";

    /// <summary>Golden inputs per model with <c>quick</c>; all of them (32) otherwise.</summary>
    public const int QuickInputs = 4;

    /// <summary>The family over the firmware-models folder <paramref name="directory"/>.</summary>
    public static ConformanceFamily Family(string directory) => new("ShippedModel", (path, quick) => Cases(directory, path, quick));

    /// <summary>One case per shipped <c>.edge</c> model on <paramref name="path"/> (every path, the scalar reference included).</summary>
    public static IEnumerable<ConformanceCase> Cases(string directory, KernelPath path, bool quick)
    {
        foreach (var model in ShippedEdgeModels(directory))
        {
            string family = $"ShippedModel/{path}";
            string recordPath = Path.Combine(directory, "golden", RecordName(model.Name));
            yield return new ConformanceCase(family, $"{model.Name} ({model.Edge}), {(quick ? $"golden inputs 0-{QuickInputs - 1}" : "every golden input")}", () =>
            {
                if (!System.IO.File.Exists(recordPath))
                    return $"no recorded int8 outputs ({recordPath}); record them with '{RecordCommand}'";
                var record = ReadRecord(recordPath);
                var file = System.IO.File.ReadAllBytes(Path.Combine(directory, model.Edge));
                string sha = Sha256Hex(file);
                if (sha != record.EdgeSha256)
                    return $"{model.Edge} has SHA-256 {sha}, but its outputs were recorded from {record.EdgeSha256}; after checking the change, re-record with '{RecordCommand}'";
                var expected = System.IO.File.ReadAllBytes(Path.Combine(directory, "golden", record.File));
                int count = quick ? Math.Min(QuickInputs, record.Count) : record.Count;
                var actual = RunGolden(file, model, directory, path, count, out string tensor);
                if (tensor != record.Tensor) return $"the recorded tensor is '{record.Tensor}', the model's int8 output tensor is '{tensor}'";
                int per = expected.Length / record.Count;
                var d = Compare.FirstDifference<sbyte>(
                    MemoryMarshal.Cast<byte, sbyte>(expected.AsSpan(0, count * per)), MemoryMarshal.Cast<byte, sbyte>(actual),
                    i => $" (golden input {i / per}, element {i % per} of '{tensor}')");
                return d is null ? null : $"{d} (recorded on the scalar path by '{RecordCommand}')";
            });
        }
    }

    /// <summary>
    /// Runs every shipped model on all its golden inputs on the scalar reference and on each of <paramref name="paths"/>,
    /// and, when they all give the same bytes, writes the records into <c>golden/</c>. Returns what it wrote; throws
    /// <see cref="InvalidOperationException"/> naming the model and path when a path disagrees with the scalar reference
    /// (nothing is written then).
    /// </summary>
    public static IReadOnlyList<(RecordedOutputs Record, string Path)> Record(string directory, IReadOnlyList<KernelPath> paths)
    {
        var written = new List<(RecordedOutputs, string, byte[])>();
        foreach (var model in ShippedEdgeModels(directory))
        {
            var file = System.IO.File.ReadAllBytes(Path.Combine(directory, model.Edge));
            var golden = ReadGolden(directory, model);
            var scalar = RunGolden(file, model, directory, KernelPath.Scalar, golden.Count, out string tensor);
            foreach (var path in paths.Where(p => p != KernelPath.Scalar))
            {
                var other = RunGolden(file, model, directory, path, golden.Count, out _);
                if (Compare.FirstDifference<byte>(scalar, other) is { } d)
                    throw new InvalidOperationException($"{model.Name}: the {path} path differs from the scalar reference ({d}); nothing recorded");
            }
            var t = Tensor(EdgeModelReader.Read(file, model.Edge), tensor);
            var record = new RecordedOutputs(model.Name, model.Edge, Sha256Hex(file), golden.File, golden.Count, tensor,
                [golden.Count, .. t.Shape.Skip(1)], $"{model.Name}.int8-output.i8", RecordCommand);
            written.Add((record, Path.Combine(directory, "golden", RecordName(model.Name)), scalar));
        }
        foreach (var (record, path, bytes) in written)
        {
            System.IO.File.WriteAllBytes(Path.Combine(Path.GetDirectoryName(path)!, record.File), bytes);
            System.IO.File.WriteAllText(path, JsonSerializer.Serialize(record, Json).ReplaceLineEndings("\n") + "\n");
        }
        return [.. written.Select(w => (w.Item1, w.Item2))];
    }

    /// <summary>The record's file name in golden/: <c>&lt;model&gt;.int8-output.json</c>.</summary>
    public static string RecordName(string model) => $"{model}.int8-output.json";

    public static RecordedOutputs ReadRecord(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<RecordedOutputs>(System.IO.File.ReadAllText(path), Json) ?? throw new JsonException("the record is null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>A model of the manifest that ships an int8 file.</summary>
    public sealed record ShippedEdgeModel(string Name, string Edge, string Golden);

    /// <summary>The models of <c>manifest.json</c> in <paramref name="directory"/> that name an <c>edge</c> file, in manifest order.</summary>
    public static IReadOnlyList<ShippedEdgeModel> ShippedEdgeModels(string directory)
    {
        string manifest = Path.Combine(directory, "manifest.json");
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(manifest));
        var models = new List<ShippedEdgeModel>();
        foreach (var m in doc.RootElement.GetProperty("models").EnumerateArray())
        {
            if (!m.TryGetProperty("edge", out var edge) || edge.ValueKind != JsonValueKind.String) continue;
            models.Add(new ShippedEdgeModel(m.GetProperty("name").GetString()!, edge.GetString()!, m.GetProperty("golden").GetString()!));
        }
        return models;
    }

    /// <summary>
    /// The firmware-models folder: <paramref name="directory"/> when given (it must hold manifest.json), else the first
    /// <c>firmware-models</c> with a manifest in the working directory or above it, or beside the program or above it.
    /// Null when there is none.
    /// </summary>
    public static string? Locate(string? directory)
    {
        if (directory is not null) return System.IO.File.Exists(Path.Combine(directory, "manifest.json")) ? directory : null;
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                var candidate = Path.Combine(d.FullName, "firmware-models");
                if (System.IO.File.Exists(Path.Combine(candidate, "manifest.json"))) return candidate;
            }
        return null;
    }

    private sealed record GoldenInputs(string File, int Count, float[] Data);

    private static GoldenInputs ReadGolden(string directory, ShippedEdgeModel model)
    {
        string sidecar = Path.Combine(directory, model.Golden);
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(sidecar));
        var input = doc.RootElement.GetProperty("input");
        string file = input.GetProperty("file").GetString()!;
        int count = doc.RootElement.GetProperty("count").GetInt32();
        string path = Path.Combine(Path.GetDirectoryName(sidecar)!, file);
        byte[] raw;
        if (file.EndsWith(".gz", StringComparison.Ordinal))
        {
            using var gz = new GZipStream(System.IO.File.OpenRead(path), CompressionMode.Decompress);
            using var ms = new MemoryStream();
            gz.CopyTo(ms);
            raw = ms.ToArray();
        }
        else raw = System.IO.File.ReadAllBytes(path);
        if (raw.Length % (4 * count) != 0) throw new InvalidDataException($"{path}: {raw.Length} bytes do not hold {count} float32 inputs");
        var data = new float[raw.Length / 4];
        for (int i = 0; i < data.Length; i++) data[i] = BitConverter.ToSingle(raw, 4 * i); // little-endian on x86 and ARM64
        return new GoldenInputs(file, count, data);
    }

    /// <summary>The int8 bytes of the recorded tensor for the first <paramref name="count"/> golden inputs, on <paramref name="path"/>.</summary>
    private static byte[] RunGolden(byte[] file, ShippedEdgeModel model, string directory, KernelPath path, int count, out string tensorName)
    {
        var session = EdgeSession.Load(file, new EdgeSessionOptions { Kernels = (KernelSelection)path }, model.Edge);
        int tensor = RecordedTensor(session.Model);
        var t = session.Model.Tensors[tensor];
        tensorName = t.Name;
        var golden = ReadGolden(directory, model);
        int inputLength = session.Inputs[0].ElementCount;
        if (golden.Data.Length != golden.Count * inputLength)
            throw new InvalidDataException($"{model.Golden}: {golden.Data.Length / golden.Count} floats per input, {model.Edge} takes {inputLength}");
        int per = (int)t.ElementCount;
        var result = new byte[count * per];
        var output = new float[session.Outputs[0].ElementCount];
        for (int i = 0; i < count; i++)
        {
            var slice = result.AsMemory(i * per, per);
            session.RunObserved(golden.Data.AsSpan(i * inputLength, inputLength), output, (op, written, data) =>
            {
                if (written == tensor) data.CopyTo(slice.Span);
            });
        }
        return result;
    }

    /// <summary>The model's output tensor when it is int8; otherwise the int8 tensor its final Dequantize reads.</summary>
    private static int RecordedTensor(EdgeModel model)
    {
        int output = model.Outputs[0];
        if (model.Tensors[output].DataType == EdgeDataType.Int8) return output;
        var producer = model.Ops.LastOrDefault(o => o.Outputs.Contains(output));
        if (producer is { Type: EdgeOpType.Dequantize } && model.Tensors[producer.Inputs[0]].DataType == EdgeDataType.Int8) return producer.Inputs[0];
        throw new InvalidDataException($"output '{model.Tensors[output].Name}' is float and not dequantized from an int8 tensor: nothing int8 to record");
    }

    private static EdgeTensor Tensor(EdgeModel model, string name) => model.Tensors.Single(t => t.Name == name);

    private static string Sha256Hex(byte[] data)
    {
        Span<byte> hash = stackalloc byte[Sha256.HashLength];
        Sha256.Hash(data, hash);
        return Convert.ToHexStringLower(hash);
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };
}
