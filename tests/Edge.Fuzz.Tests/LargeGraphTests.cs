using System.Diagnostics;
using Edge.Core.Tensors;
using Edge.Onnx;
using Edge.Quantization;
using Edge.Quantization.Calibration;
using Edge.Runtime.Format;
using Edge.Runtime.Session;
using Edge.Tests.Shared;
using Xunit.Abstractions;

namespace Edge.Fuzz.Tests;

/// <summary>
/// Graph size classes of issue 14: a 100,000-node ReLU chain and thousands of dead nodes convert, and what no output
/// needs is pruned from the model and reported. Before the fix the chain took 240 s (quadratic lookups in the passes
/// and the quantization plan), 3,000 dead nodes 119 s; times are printed, never asserted (the machine is shared).
/// </summary>
public sealed class LargeGraphTests(ITestOutputHelper output)
{
    /// <summary>input [1, 4] → Relu × <paramref name="length"/> → output, plus <paramref name="dead"/> Relus that read the input and feed nothing.</summary>
    internal static byte[] ReluChain(int length, int dead = 0)
    {
        var b = new OnnxModelBuilder(opset: 13).Input("x", 1, 4);
        string previous = "x";
        for (int i = 0; i < length; i++)
        {
            b.Node("Relu", [previous], [$"r{i}"], $"relu{i}");
            previous = $"r{i}";
        }
        for (int i = 0; i < dead; i++) b.Node("Relu", [i % 2 == 0 ? "x" : $"d{i - 1}"], [$"d{i}"], $"dead{i}");
        return b.Output(previous).ToBytes();
    }

    internal static ConversionResult Convert(byte[] onnx, out TimeSpan import, out TimeSpan convert)
    {
        var start = Stopwatch.GetTimestamp();
        var graph = OnnxImporter.Import(onnx, "chain.onnx");
        import = Stopwatch.GetElapsedTime(start);
        var source = new ArraySource([[-1f, 0.25f, 0.5f, 1f], [1f, -0.5f, 0.75f, -1f]]);
        start = Stopwatch.GetTimestamp();
        var result = Converter.Convert(graph, source, new ConverterOptions { Calibrator = "minmax" });
        convert = Stopwatch.GetElapsedTime(start);
        return result;
    }

    [Fact]
    public void A_100000_node_relu_chain_converts_loads_and_runs()
    {
        var result = Convert(ReluChain(100_000), out var import, out var convert);
        var start = Stopwatch.GetTimestamp();
        var session = EdgeSession.FromModel(EdgeModelReader.Read(EdgeModelWriter.ToBytes(result.Model), "chain.edge"), source: "chain.edge");
        var load = Stopwatch.GetElapsedTime(start);
        var y = new float[4];
        session.Run([-1f, 0.25f, 0.5f, 1f], y);
        output.WriteLine($"100,000 Relus: import {import.TotalSeconds:F2} s, convert {convert.TotalSeconds:F2} s, write+load {load.TotalSeconds:F2} s; {result.Model.Ops.Count} ops");
        Assert.Equal(0f, y[0]);
        Assert.Equal(1f, y[3], 0.02f);
    }

    [Fact]
    public void Dead_nodes_are_pruned_and_reported()
    {
        var result = Convert(ReluChain(3, dead: 3_000), out var import, out var convert);
        output.WriteLine($"3 live + 3,000 dead Relus: import {import.TotalSeconds:F2} s, convert {convert.TotalSeconds:F2} s; {result.Model.Ops.Count} ops");
        Assert.True(result.Model.Ops.Count <= 4, $"{result.Model.Ops.Count} ops: the dead nodes were kept");
        Assert.Contains(result.Report.Removed, r => r.Contains("3000 nodes", StringComparison.Ordinal) && r.Contains("dead0", StringComparison.Ordinal));
    }

    [Fact]
    public void Ten_thousand_dead_nodes_convert()
    {
        var result = Convert(ReluChain(10, dead: 10_000), out var import, out var convert);
        output.WriteLine($"10 live + 10,000 dead Relus: import {import.TotalSeconds:F2} s, convert {convert.TotalSeconds:F2} s; {result.Model.Ops.Count} ops");
        Assert.True(result.Model.Ops.Count <= 11);
    }

    /// <summary>Calibration items held in memory.</summary>
    internal sealed class ArraySource(float[][] items, int[]? itemShape = null) : CalibrationSource("items", itemShape ?? [items[0].Length])
    {
        public override int Count => items.Length;
        public override string Describe() => $"{items.Length} test items";
        public override void Read(int index, Span<float> destination) => items[index].CopyTo(destination);
    }
}

/// <summary>Issue 14's "writes a model it cannot load": a Pad on the batch axis is refused at conversion, naming the node.</summary>
public sealed class LoadableOutputTests
{
    [Theory]
    [InlineData(new long[] { 1, 0, 0, 0, 0, 0, 0, 0 }, "batch")]
    [InlineData(new long[] { 0, 0, 0, 0, 0, 2, 0, 0 }, "channel")]
    public void A_pad_the_runtime_cannot_run_is_refused_at_conversion_naming_the_node(long[] pads, string axis)
    {
        var onnx = new OnnxModelBuilder(opset: 13).Input("x", 1, 1, 4, 4)
            .Int64Initializer("pads", pads)
            .Node("Pad", ["x", "pads"], ["p"], "the_pad")
            .Node("Relu", ["p"], ["y"], "relu")
            .Output("y").ToBytes();
        var graph = OnnxImporter.Import(onnx, "pad.onnx");
        var source = new LargeGraphTests.ArraySource([Enumerable.Range(0, 16).Select(i => i / 16f - 0.5f).ToArray()], [1, 4, 4]);
        var e = Assert.Throws<ConversionException>(() => Converter.Convert(graph, source, new ConverterOptions { Calibrator = "minmax" }));
        Assert.Contains("the_pad", e.Message);
        Assert.Contains(axis, e.Message);
    }
}
