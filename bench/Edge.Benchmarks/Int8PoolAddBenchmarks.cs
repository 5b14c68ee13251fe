using BenchmarkDotNet.Attributes;
using Edge.Core.Shapes;
using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Elementwise;
using Edge.Runtime.Kernels.Pool;

namespace Edge.Benchmarks;

/// <summary>
/// The int8 pools and the residual Add, scalar reference vs Vector128, batch 1, on the layers of the shipped models
/// (LeNet-5's max pools, MobileNet-Fashion's residual adds and global pool) and of the larger targets (ResNet's stem pool,
/// Inception's average pool, MobileNetV2's global pool). Figures go to bench/RESULTS.md.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[WarmupCount(3)]
[IterationCount(10)]
public class Int8PoolAddBenchmarks
{
    public enum Layer
    {
        MaxPool2x2s2_28x28x6,
        MaxPool2x2s2_10x10x16,
        MaxPool3x3s2p1_112x112x64,
        AvgPool3x3s1p1_28x28x192,
        GlobalAvgPool_7x7x256,
        GlobalAvgPool_7x7x1280,
        Add_14x14x24,
        Add_56x56x64,
    }

    private Int8MaxPool? _max;
    private Int8AveragePool? _average;
    private Int8GlobalAveragePool? _global;
    private Int8Add? _add;
    private sbyte[] _a = [];
    private sbyte[] _b = [];
    private sbyte[] _output = [];

    [Params(Layer.MaxPool2x2s2_28x28x6, Layer.MaxPool2x2s2_10x10x16, Layer.MaxPool3x3s2p1_112x112x64, Layer.AvgPool3x3s1p1_28x28x192,
        Layer.GlobalAvgPool_7x7x256, Layer.GlobalAvgPool_7x7x1280, Layer.Add_14x14x24, Layer.Add_56x56x64)]
    public Layer Case { get; set; }

    [Params(KernelPath.Scalar, KernelPath.Vector128)]
    public KernelPath Path { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        switch (Case)
        {
            case Layer.MaxPool2x2s2_28x28x6: Max(rng, new Pool2dShape(1, 28, 28, 6, new Window2d(2, 2, 2, 2))); break;
            case Layer.MaxPool2x2s2_10x10x16: Max(rng, new Pool2dShape(1, 10, 10, 16, new Window2d(2, 2, 2, 2))); break;
            case Layer.MaxPool3x3s2p1_112x112x64: Max(rng, new Pool2dShape(1, 112, 112, 64, new Window2d(3, 3, 2, 2, 1, 1, 1, 1))); break;
            case Layer.AvgPool3x3s1p1_28x28x192:
                var s = new Pool2dShape(1, 28, 28, 192, new Window2d(3, 3, 1, 1, 1, 1, 1, 1));
                _average = Int8AveragePool.Prepare(s, countIncludePad: false, zeroPoint: -7);
                Allocate(rng, s.InputLength, s.OutputLength);
                break;
            case Layer.GlobalAvgPool_7x7x256: Global(rng, 7, 7, 256); break;
            case Layer.GlobalAvgPool_7x7x1280: Global(rng, 7, 7, 1280); break;
            case Layer.Add_14x14x24: AddCase(rng, 14 * 14 * 24); break;
            case Layer.Add_56x56x64: AddCase(rng, 56 * 56 * 64); break;
        }
    }

    [Benchmark]
    public void Run()
    {
        if (_max is not null) Int8MaxPool.Run(_max, _a, _output, Path);
        else if (_average is not null) Int8AveragePool.Run(_average, _a, _output, Path);
        else if (_global is not null) Int8GlobalAveragePool.Run(_global, _a, _output, Path);
        else Int8Add.Run(_add!, _a, _b, _output, Path);
    }

    private void Max(Random rng, Pool2dShape s)
    {
        _max = Int8MaxPool.Prepare(s);
        Allocate(rng, s.InputLength, s.OutputLength);
    }

    private void Global(Random rng, int h, int w, int c)
    {
        _global = Int8GlobalAveragePool.Prepare(1, h, w, c, -128);
        Allocate(rng, h * w * c, c);
    }

    private void AddCase(Random rng, int length)
    {
        // Parameters like a MobileNet residual: inputs of similar scales, a wider output, ReLU-free.
        var a = new QuantizationParams(0.016f, 3);
        var b = new QuantizationParams(0.012f, -10);
        var y = new QuantizationParams(0.023f, -5);
        _add = Int8Add.FromScales(a, b, y, ClampRange.Full);
        Allocate(rng, length, length);
        _b = new sbyte[length];
        rng.NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_b.AsSpan()));
    }

    private void Allocate(Random rng, int inputLength, int outputLength)
    {
        _a = new sbyte[inputLength];
        rng.NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_a.AsSpan()));
        _output = new sbyte[outputLength];
    }
}
