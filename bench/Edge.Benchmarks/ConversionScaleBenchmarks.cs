using BenchmarkDotNet.Attributes;
using Edge.Core.Graph;
using Edge.Core.Graph.Nodes;
using Edge.Core.Tensors;
using Edge.Quantization;
using Edge.Quantization.Calibration;

namespace Edge.Benchmarks;

/// <summary>
/// Conversion time against graph size (issue 14: a 100,000-node ReLU chain took 240 s, 3,000 dead nodes 119 s, from
/// quadratic lookups in the passes and the quantization plan). Linear conversion keeps the ratio of the two sizes
/// near 10. <c>dotnet run -c Release --project bench/Edge.Benchmarks -- --filter '*ConversionScale*'</c>
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
[MemoryDiagnoser]
public class ConversionScaleBenchmarks
{
    [Params(10_000, 100_000)]
    public int Nodes { get; set; }

    /// <summary>How many of the nodes are dead (read the input, feed no output): 0, or one in ten.</summary>
    [Params(0, 10)]
    public int DeadPercent { get; set; }

    private ModelGraph _graph = null!;

    [GlobalSetup]
    public void Setup()
    {
        int dead = Nodes * DeadPercent / 100, live = Nodes - dead;
        var nodes = new List<Node>(Nodes);
        for (int i = 0; i < live; i++) nodes.Add(new ReluNode($"relu{i}", i == 0 ? "x" : $"r{i - 1}", $"r{i}"));
        for (int i = 0; i < dead; i++) nodes.Add(new ReluNode($"dead{i}", "x", $"d{i}"));
        _graph = new ModelGraph("chain", [new TensorInfo("x", new TensorShape(1, 4))], [$"r{live - 1}"], nodes);
    }

    [Benchmark]
    public int Convert()
        => Converter.Convert(_graph, new Items(), new ConverterOptions { Calibrator = "minmax" }).Model.Ops.Count;

    private sealed class Items() : CalibrationSource("items", [4])
    {
        public override int Count => 2;
        public override string Describe() => "2 items";
        public override void Read(int index, Span<float> destination) => ((float[])[index - 0.5f, 0.25f, -1f, 1f]).CopyTo(destination);
    }
}
