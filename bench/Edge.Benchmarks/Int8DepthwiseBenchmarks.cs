using BenchmarkDotNet.Attributes;
using Edge.Core.Shapes;
using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.DepthwiseConv;

namespace Edge.Benchmarks;

/// <summary>
/// The depthwise convolution on MobileNet v1/v2 and EfficientNet-sized layers (3×3 stride 1 and 2, 5×5) and on the shipped
/// MobileNet-Fashion's, every path up to AVX-512 BW, batch 1, whole and (Rows) as one of two threads would run it.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[WarmupCount(3)]
[IterationCount(10)]
public class Int8DepthwiseBenchmarks
{
    public enum Layer
    {
        Depthwise3x3_112x112x32,
        Depthwise3x3s2_56x56x128,
        Depthwise3x3_14x14x576,
        Depthwise5x5_28x28x96,
        Depthwise5x5s2_28x28x240,
        FashionDepthwise3x3_14x14x24,
    }

    private Int8DepthwiseConv2d _op = null!;
    private sbyte[] _input = [];
    private sbyte[] _output = [];
    private byte[] _scratch = [];

    [Params(Layer.Depthwise3x3_112x112x32, Layer.Depthwise3x3s2_56x56x128, Layer.Depthwise3x3_14x14x576, Layer.Depthwise5x5_28x28x96,
        Layer.Depthwise5x5s2_28x28x240, Layer.FashionDepthwise3x3_14x14x24)]
    public Layer Case { get; set; }

    [Params(KernelPath.Scalar, KernelPath.Vector128, KernelPath.Avx2, KernelPath.Avx512BW)]
    public KernelPath Path { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var shape = Case switch
        {
            Layer.Depthwise3x3_112x112x32 => Shape(112, 32, 3, 1),
            Layer.Depthwise3x3s2_56x56x128 => Shape(56, 128, 3, 2),
            Layer.Depthwise3x3_14x14x576 => Shape(14, 576, 3, 1),
            Layer.Depthwise5x5_28x28x96 => Shape(28, 96, 5, 1),
            Layer.Depthwise5x5s2_28x28x240 => Shape(28, 240, 5, 2),
            _ => Shape(14, 24, 3, 1),
        };
        var rng = new Random(42);
        int taps = shape.Window.KernelH * shape.Window.KernelW;
        var weights = Enumerable.Range(0, shape.OutChannels * taps).Select(_ => (sbyte)rng.Next(-127, 128)).ToArray();
        var bias = Enumerable.Range(0, shape.OutChannels).Select(_ => rng.Next(-5000, 5000)).ToArray();
        var stage = new OutputStage(Enumerable.Range(0, shape.OutChannels).Select(_ => QuantizedMultiplier.FromReal(0.0005 + rng.NextDouble() * 0.002)).ToArray(), -10, ClampRange.Full);
        _op = Int8DepthwiseConv2d.Prepare(shape, weights, bias, -5, stage);
        _input = new sbyte[shape.InputLength];
        rng.NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_input.AsSpan()));
        _output = new sbyte[shape.OutputLength];
        _scratch = new byte[_op.ScratchLength];
    }

    private static Conv2dShape Shape(int size, int channels, int k, int stride)
        => new(1, size, size, channels, channels, new Window2d(k, k, stride, stride, k / 2, k / 2, k / 2, k / 2), channels);

    [Benchmark]
    public void Run() => Int8DepthwiseConv2d.Run(_op, _input, _output, _scratch, Path);

    /// <summary>The first half of the output rows: one of two threads' share.</summary>
    [Benchmark]
    public void Rows() => Int8DepthwiseConv2d.RunRows(_op, _input, _output, _scratch, Path, 0, _op.RowCount / 2);
}
