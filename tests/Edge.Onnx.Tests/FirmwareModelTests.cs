using Edge.Core.Tensors;
using Edge.Tests.Shared;

namespace Edge.Onnx.Tests;

/// <summary>
/// Every model listed in firmware-models/manifest.json (its "onnx" and "bn_onnx" files, exported by PyTorch from
/// tools/train) imports, validates and shape-infers, with the manifest's input and output.
/// </summary>
public class FirmwareModelTests
{
    public static TheoryData<string, string> ManifestModels() => FirmwareModels.NamesAndForms();

    /// <param name="form">"bn_onnx": the export that keeps BatchNormalization nodes; "onnx": the one with them folded into the convolutions.</param>
    [Theory]
    [MemberData(nameof(ManifestModels))]
    public void ImportsValidatesAndInfersShapes(string name, string form)
    {
        var entry = FirmwareModels.Get(name);
        var graph = OnnxImporter.Import(FirmwareModels.OnnxPath(entry, form));

        graph.Validate();
        var shapes = graph.InferShapes(1);
        var input = Assert.Single(graph.Inputs);
        Assert.Equal(entry.InputName, input.Name);
        Assert.Equal(new TensorShape(entry.InputShape), shapes[input.Name]);
        Assert.Equal(TensorShape.Dynamic, input.Shape[0]);
        var output = Assert.Single(graph.Outputs);
        Assert.Equal(entry.OutputName, output);
        Assert.Equal(new TensorShape(1, entry.NumClasses), shapes[output]);
        Assert.Equal(new TensorShape(4, entry.NumClasses), graph.InferShapes(4)[output]);
        Assert.Equal(entry.Opset.ToString(), graph.Metadata["opset"]);
        // The manifest counts PyTorch's parameters, BatchNorm's γ and β included: exactly what the bn_onnx file holds.
        if (form == "bn_onnx") Assert.Equal(entry.Params, graph.ParameterCount);
        else Assert.InRange(graph.ParameterCount, 1, entry.Params);
    }
}
