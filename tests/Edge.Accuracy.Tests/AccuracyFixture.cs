using System.Collections.Concurrent;
using Edge.Core.Graph;
using Edge.Onnx;
using Edge.Quantization;
using Edge.Quantization.Evaluation;
using Edge.Runtime.Session;
using Edge.Tests.Shared;

namespace Edge.Accuracy.Tests;

/// <summary>
/// One conversion per trained model as <c>edge demo</c> makes it (<see cref="ShippedModel.Convert"/>: default calibrator
/// and sample count, on the shipped calibration subset) and one full-test-set evaluation of it, shared by the tests of
/// the <see cref="TrainedModelsCollection"/>.
/// </summary>
public sealed class AccuracyFixture
{
    private readonly ConcurrentDictionary<string, Lazy<(ModelGraph Graph, ConversionResult Result)>> _conversions = new();
    private readonly ConcurrentDictionary<string, Lazy<EvaluationResult>> _results = new();

    /// <summary>The model's ONNX export, imported, and its conversion.</summary>
    public (ModelGraph Graph, ConversionResult Result) Conversion(string name)
        => _conversions.GetOrAdd(name, n => new Lazy<(ModelGraph, ConversionResult)>(() => Convert(n))).Value;

    /// <summary>The conversion, int8 and float, on the full committed test set.</summary>
    public EvaluationResult For(string name) => _results.GetOrAdd(name, n => new Lazy<EvaluationResult>(() => Evaluate(n))).Value;

    private static (ModelGraph, ConversionResult) Convert(string name)
    {
        var model = FirmwareModels.Get(name);
        var graph = OnnxImporter.Import(model.OnnxPath);
        return (graph, model.Convert(graph));
    }

    private EvaluationResult Evaluate(string name)
    {
        var (graph, conversion) = Conversion(name);
        var session = EdgeSession.FromModel(conversion.Model, source: name);
        return Evaluator.Evaluate(session, FirmwareModels.Get(name).TestSet(), graph, floatBatch: 200, threads: Environment.ProcessorCount);
    }
}

/// <summary>The test classes that share one <see cref="AccuracyFixture"/>: the trained models are converted and evaluated once.</summary>
[CollectionDefinition(Name)]
public sealed class TrainedModelsCollection : ICollectionFixture<AccuracyFixture>
{
    public const string Name = "trained models";
}
