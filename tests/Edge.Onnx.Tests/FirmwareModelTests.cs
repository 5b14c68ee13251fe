using System.Text.Json;
using Edge.Core.Tensors;

namespace Edge.Onnx.Tests;

/// <summary>
/// Every model listed in firmware-models/manifest.json (its "onnx" and "bn_onnx" files, exported by PyTorch from
/// tools/train) imports, validates and shape-infers, with the manifest's input and output.
/// </summary>
public class FirmwareModelTests
{
    public static TheoryData<string, string, bool> ManifestModels()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var m in Manifest().GetProperty("models").EnumerateArray())
        {
            data.Add(m.GetProperty("name").GetString()!, m.GetProperty("onnx").GetString()!, false);
            data.Add(m.GetProperty("name").GetString()!, m.GetProperty("bn_onnx").GetString()!, true);
        }
        return data;
    }

    /// <param name="keepsBatchNorm">The bn_onnx export keeps BatchNormalization nodes; the onnx one has them folded into the convolutions.</param>
    [Theory]
    [MemberData(nameof(ManifestModels))]
    public void ImportsValidatesAndInfersShapes(string name, string file, bool keepsBatchNorm)
    {
        var entry = Manifest().GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == name);
        var graph = OnnxImporter.Import(Path.Combine(FirmwareDirectory(), file));

        graph.Validate();
        var shapes = graph.InferShapes(1);
        var input = Assert.Single(graph.Inputs);
        Assert.Equal(entry.GetProperty("input_name").GetString(), input.Name);
        var manifestShape = entry.GetProperty("input_shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
        Assert.Equal(new TensorShape(manifestShape), shapes[input.Name]);
        Assert.Equal(TensorShape.Dynamic, input.Shape[0]);
        var output = Assert.Single(graph.Outputs);
        Assert.Equal(entry.GetProperty("output_name").GetString(), output);
        int classes = entry.GetProperty("num_classes").GetInt32();
        Assert.Equal(new TensorShape(1, classes), shapes[output]);
        Assert.Equal(new TensorShape(4, classes), graph.InferShapes(4)[output]);
        Assert.Equal(entry.GetProperty("opset").GetInt32().ToString(), graph.Metadata["opset"]);
        // The manifest counts PyTorch's parameters, BatchNorm's γ and β included: exactly what the bn_onnx file holds.
        long parameters = entry.GetProperty("params").GetInt64();
        if (keepsBatchNorm) Assert.Equal(parameters, graph.ParameterCount);
        else Assert.InRange(graph.ParameterCount, 1, parameters);
    }

    private static JsonElement Manifest()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(FirmwareDirectory(), "manifest.json")));
        return doc.RootElement.Clone();
    }

    private static string FirmwareDirectory() => Path.Combine(RepoRoot(), "firmware-models");

    /// <summary>The directory holding Edge.sln, found by walking up from the test binaries.</summary>
    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Edge.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"Edge.sln not found above {AppContext.BaseDirectory}");
    }
}
