using System.Collections.Concurrent;
using Edge.Core.Tensors;
using Edge.Onnx;
using Edge.Quantization.Calibration;
using Edge.Quantization.Evaluation;
using Edge.Tests.Shared;

namespace Edge.Quantization.Tests.Models;

/// <summary>
/// Converts the shipped models for tests, once per (model, form, calibrator) per test run, with bounded calibration:
/// the trained models on their committed calibration images, mobilenetv2-224 on Fashion-MNIST calibration images
/// (resized to 224, as its golden inputs were made), the random-weight zoo models on seeded N(0, 1) tensors (their
/// BatchNorm statistics came from N(0, 1) batches).
/// </summary>
internal static class Conversions
{
    private static readonly ConcurrentDictionary<(string, string, string), Lazy<ConversionResult>> Cache = new();

    /// <summary>Calibration samples per model: a few dozen, fewer for the 224×224 model.</summary>
    public static int Samples(string model) => model.Contains("224") ? 6 : 32;

    public static ConversionResult Get(string model, string form, string calibrator = Calibrator.DefaultName)
        => Cache.GetOrAdd((model, form, calibrator), key => new Lazy<ConversionResult>(() => Convert(key.Item1, key.Item2, key.Item3))).Value;

    public static ConversionResult Convert(string name, string form, string calibrator)
    {
        var m = FirmwareModels.Get(name);
        var graph = OnnxImporter.Import(FirmwareModels.OnnxPath(m, form));
        var options = new ConverterOptions
        {
            Calibrator = calibrator,
            Samples = Samples(name),
            Normalization = m.Normalization,
            Labels = m.ClassLabels,
            SourceName = FirmwareModels.OnnxPath(m, form),
        };
        return Converter.Convert(graph, CalibrationPath(m), options);
    }

    /// <summary>The calibration data of a model, as a path <c>edge convert --calib</c> would take.</summary>
    public static string CalibrationPath(ShippedModel m)
    {
        if (m.CalibrationData is not null) return m.PathOf(m.CalibrationData.Images);
        if (m.Name == "mobilenetv2-224") return FirmwareModels.PathOf("data/fashion-calib-images-idx3-ubyte.gz");
        return GaussianTensors.Value.GetOrAdd(m.Name, _ =>
        {
            int item = m.InputShape.Skip(1).Aggregate(1, (a, b) => a * b);
            var r = new Random(1234);
            var data = new float[Samples(m.Name) * item];
            for (int i = 0; i < data.Length; i++) data[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble()));
            string path = Path.Combine(TempDirectory.Value, $"{m.Name}.calib.f32");
            Float32File.Write(path, data);
            return path;
        });
    }

    private static readonly Lazy<ConcurrentDictionary<string, string>> GaussianTensors = new(() => new());

    public static readonly Lazy<string> TempDirectory = new(() =>
    {
        var d = Path.Combine(Path.GetTempPath(), $"edge-quantization-tests-{Environment.ProcessId}");
        Directory.CreateDirectory(d);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(d, recursive: true); } catch (IOException) { } };
        return d;
    });
}
