using System.Collections.Concurrent;
using Edge.Onnx;
using Edge.Quantization.Evaluation;
using Edge.Runtime.Session;
using Edge.Tests.Shared;

namespace Edge.Accuracy.Tests;

/// <summary>
/// One conversion (default calibrator and sample count, on the shipped calibration subset) and one full-test-set evaluation per
/// trained model, shared by the tests of the class.
/// </summary>
public sealed class AccuracyFixture
{
    private readonly ConcurrentDictionary<string, Lazy<EvaluationResult>> _results = new();

    public EvaluationResult For(string name) => _results.GetOrAdd(name, n => new Lazy<EvaluationResult>(() => Evaluate(n))).Value;

    private static EvaluationResult Evaluate(string name)
    {
        var model = FirmwareModels.Get(name);
        var graph = OnnxImporter.Import(model.OnnxPath);
        var session = EdgeSession.FromModel(model.Convert(graph).Model, source: name);
        return Evaluator.Evaluate(session, model.TestSet(), graph, floatBatch: 200, threads: Environment.ProcessorCount);
    }
}
