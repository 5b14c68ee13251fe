using System.Collections.Concurrent;
using Edge.Core.Graph;
using Edge.Core.Tensors;
using Edge.Onnx;
using Edge.Quantization;
using Edge.Quantization.Evaluation;
using Edge.Quantization.Quantizer;
using Edge.Reference;
using Edge.Runtime.Format;
using Edge.Runtime.Session;
using Edge.Tests.Shared;

namespace Edge.Runtime.Tests.Session.Support;

/// <summary>
/// The shipped ONNX models converted to int8 once per test run, with the converter's default calibrator
/// (<c>Calibrator.DefaultName</c>) and a small calibration subset so the conversion stays quick: the data set's
/// calibration images where the model has them, its golden inputs otherwise (the zoo models, as
/// firmware-models/README.md suggests). The model goes through the .edge writer and reader before a session loads it.
/// </summary>
internal static class ConvertedModels
{
    private static readonly ConcurrentDictionary<string, Lazy<Converted>> Cache = new();

    /// <summary>Calibration samples per model: enough for sensible ranges, few enough for a fast test.</summary>
    private static int Samples(string model) => model == "mobilenetv2-224" ? 8 : 32;

    public static Converted Get(string name) => Cache.GetOrAdd(name, n => new Lazy<Converted>(() => Convert(FirmwareModels.Get(n), []))).Value;

    /// <summary>
    /// The model converted with the nodes <paramref name="keepFloat"/> picks from its optimized graph (the int8
    /// conversion's plan) left in float32 (<c>--keep-float</c>); <paramref name="variant"/> names the choice in the cache.
    /// </summary>
    public static Converted GetKeepingFloat(string name, string variant, Func<Node, bool> keepFloat)
        => Cache.GetOrAdd($"{name}/{variant}", _ => new Lazy<Converted>(() =>
        {
            var names = Get(name).Result.Plan.Graph.Nodes.Where(keepFloat).Select(n => n.Name).ToArray();
            return Convert(FirmwareModels.Get(name), names);
        })).Value;

    private static Converted Convert(ShippedModel m, IReadOnlyCollection<string> keepFloat)
    {
        var graph = OnnxImporter.Import(FirmwareModels.OnnxPath(m, "onnx"));
        var golden = FirmwareModels.LoadGolden(m);
        string calibration = m.CalibrationData is { } data ? m.PathOf(data.Images) : m.PathOf(FirmwareModels.GoldenInputFile(m));
        var options = new ConverterOptions
        {
            Normalization = m.Normalization,
            Samples = Samples(m.Name),
            Labels = m.ClassLabels,
            SourceName = m.Onnx,
            Quantizer = new QuantizerOptions { KeepFloat = keepFloat },
        };
        var result = Converter.Convert(graph, calibration, options);
        var file = EdgeModelWriter.ToBytes(result.Model);
        return new Converted(m, graph, result, file, golden);
    }
}

/// <summary>A converted shipped model: its plan (for the fake-quant simulation), its .edge bytes and its golden inputs.</summary>
internal sealed class Converted(ShippedModel entry, ModelGraph graph, ConversionResult result, byte[] file, Golden golden)
{
    private FakeQuantSimulator? _simulator;

    public ShippedModel Entry { get; } = entry;
    public ModelGraph Graph { get; } = graph;
    public ConversionResult Result { get; } = result;
    public byte[] File { get; } = file;
    public Golden Golden { get; } = golden;

    public FakeQuantSimulator Simulator => _simulator ??= new FakeQuantSimulator(Result.Plan);

    public int ItemLength => Golden.Input.Length / Golden.Count;

    public ReadOnlySpan<float> GoldenInput(int i) => Golden.Input.AsSpan(i * ItemLength, ItemLength);

    public EdgeSession Session(KernelSelection kernels) => EdgeSession.Load(File.AsMemory(), new EdgeSessionOptions { Kernels = kernels }, Entry.Name + ".edge");

    /// <summary>Every tensor of a simulation run on golden input <paramref name="i"/>: float values and fake-quantized copies (<c>name/fq</c>), NCHW.</summary>
    public Dictionary<string, float[]> SimulateTensors(int i)
    {
        var observer = new Recorder();
        Simulator.Run(new Dictionary<string, float[]> { [Graph.Inputs[0].Name] = GoldenInput(i).ToArray() }, 1, observer);
        return observer.Tensors;
    }

    private sealed class Recorder : ITensorObserver
    {
        public Dictionary<string, float[]> Tensors { get; } = new();
        public void OnTensor(string tensorName, Node? producer, TensorShape shape, ReadOnlySpan<float> data) => Tensors[tensorName] = data.ToArray();
    }
}
