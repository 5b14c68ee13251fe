using BenchmarkDotNet.Attributes;
using Edge.Core.Shapes;
using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Conv;
using Edge.Runtime.Kernels.DepthwiseConv;
using Edge.Runtime.Kernels.Gemm;

namespace Edge.Benchmarks;

/// <summary>
/// The int8 conv, depthwise and GEMM kernels on MobileNet/VGG-sized layers and on the shipped LeNet-5 / MobileNet-Fashion
/// layers that dominate their batch-1 latency, scalar reference vs every SIMD path, batch 1. Figures go to bench/RESULTS.md.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[WarmupCount(3)]
[IterationCount(10)]
public class Int8KernelBenchmarks
{
    public enum Layer
    {
        Conv3x3_56x56x64to64,
        Conv1x1_28x28x128to128,
        Conv3x3s2_224x224x3to32,
        Depthwise3x3_112x112x32,
        Depthwise3x3s2_56x56x128,
        Gemm_1024to1000,
        LeNetConv5x5p2_28x28x1to6,
        LeNetConv5x5_14x14x6to16,
        LeNetGemm_400to120,
        MobileNetConv3x3p1_28x28x1to16,
        MobileNetConv1x1_14x14x24to96,
    }

    private Int8Conv2d? _conv;
    private Int8DepthwiseConv2d? _depthwise;
    private Int8Gemm? _gemm;
    private sbyte[] _input = [];
    private sbyte[] _output = [];
    private byte[] _scratch = [];

    [Params(Layer.Conv3x3_56x56x64to64, Layer.Conv1x1_28x28x128to128, Layer.Conv3x3s2_224x224x3to32,
        Layer.Depthwise3x3_112x112x32, Layer.Depthwise3x3s2_56x56x128, Layer.Gemm_1024to1000,
        Layer.LeNetConv5x5p2_28x28x1to6, Layer.LeNetConv5x5_14x14x6to16, Layer.LeNetGemm_400to120,
        Layer.MobileNetConv3x3p1_28x28x1to16, Layer.MobileNetConv1x1_14x14x24to96)]
    public Layer Case { get; set; }

    /// <summary>
    /// Every path; a path this machine lacks runs the widest one below it in its family (on x86 AdvSimd/AdvSimdDp run
    /// Vector128, on ARM64 Avx2/Avx512BW run the widest ARM64 path), so filter with <c>--filter</c> to the ones it has.
    /// </summary>
    [Params(KernelPath.Scalar, KernelPath.Vector128, KernelPath.Avx2, KernelPath.Avx512BW, KernelPath.AdvSimd, KernelPath.AdvSimdDp)]
    public KernelPath Path { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        switch (Case)
        {
            case Layer.Conv3x3_56x56x64to64: SetupConv(rng, new Conv2dShape(1, 56, 56, 64, 64, Pad3x3(1))); break;
            case Layer.Conv1x1_28x28x128to128: SetupConv(rng, new Conv2dShape(1, 28, 28, 128, 128, new Window2d(1, 1))); break;
            case Layer.Conv3x3s2_224x224x3to32: SetupConv(rng, new Conv2dShape(1, 224, 224, 3, 32, Pad3x3(2))); break;
            case Layer.Depthwise3x3_112x112x32: SetupDepthwise(rng, new Conv2dShape(1, 112, 112, 32, 32, Pad3x3(1), group: 32)); break;
            case Layer.Depthwise3x3s2_56x56x128: SetupDepthwise(rng, new Conv2dShape(1, 56, 56, 128, 128, Pad3x3(2), group: 128)); break;
            case Layer.Gemm_1024to1000: SetupGemm(rng, 1024, 1000); break;
            case Layer.LeNetConv5x5p2_28x28x1to6: SetupConv(rng, new Conv2dShape(1, 28, 28, 1, 6, new Window2d(5, 5, 1, 1, 2, 2, 2, 2))); break;
            case Layer.LeNetConv5x5_14x14x6to16: SetupConv(rng, new Conv2dShape(1, 14, 14, 6, 16, new Window2d(5, 5))); break;
            case Layer.LeNetGemm_400to120: SetupGemm(rng, 400, 120); break;
            case Layer.MobileNetConv3x3p1_28x28x1to16: SetupConv(rng, new Conv2dShape(1, 28, 28, 1, 16, Pad3x3(1))); break;
            case Layer.MobileNetConv1x1_14x14x24to96: SetupConv(rng, new Conv2dShape(1, 14, 14, 24, 96, new Window2d(1, 1))); break;
        }
    }

    [Benchmark]
    public void Run()
    {
        if (_conv is not null) Int8Conv2d.Run(_conv, _input, _output, _scratch, Path);
        else if (_depthwise is not null) Int8DepthwiseConv2d.Run(_depthwise, _input, _output, _scratch, Path);
        else Int8Gemm.Run(_gemm!, _input, _output, _scratch, Path);
    }

    private static Window2d Pad3x3(int stride) => new(3, 3, stride, stride, 1, 1, 1, 1);

    private void SetupConv(Random rng, Conv2dShape s)
    {
        _conv = Int8Conv2d.Prepare(s, Weights(rng, s.OutChannels * s.KernelLength), Bias(rng, s.OutChannels), -5, Stage(rng, s.OutChannels));
        Allocate(rng, s.Batch * s.InH * s.InW * s.InChannels, s.Batch * s.OutH * s.OutW * s.OutChannels, _conv.ScratchLength);
    }

    private void SetupGemm(Random rng, int inFeatures, int outFeatures)
    {
        _gemm = Int8Gemm.Prepare(1, inFeatures, outFeatures, Weights(rng, outFeatures * inFeatures), Bias(rng, outFeatures), 3, Stage(rng, outFeatures));
        Allocate(rng, inFeatures, outFeatures, _gemm.ScratchLength);
    }

    private void SetupDepthwise(Random rng, Conv2dShape s)
    {
        _depthwise = Int8DepthwiseConv2d.Prepare(s, Weights(rng, s.OutChannels * 9), Bias(rng, s.OutChannels), -5, Stage(rng, s.OutChannels));
        Allocate(rng, s.Batch * s.InH * s.InW * s.InChannels, s.Batch * s.OutH * s.OutW * s.OutChannels, _depthwise.ScratchLength);
    }

    private void Allocate(Random rng, int inputLength, int outputLength, int scratchLength)
    {
        _input = new sbyte[inputLength];
        rng.NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_input.AsSpan()));
        _output = new sbyte[outputLength];
        _scratch = new byte[scratchLength];
    }

    private static sbyte[] Weights(Random rng, int n) => Enumerable.Range(0, n).Select(_ => (sbyte)rng.Next(-127, 128)).ToArray();
    private static int[] Bias(Random rng, int n) => Enumerable.Range(0, n).Select(_ => rng.Next(-5000, 5000)).ToArray();

    private static OutputStage Stage(Random rng, int channels)
        => new(Enumerable.Range(0, channels).Select(_ => QuantizedMultiplier.FromReal(0.0005 + rng.NextDouble() * 0.002)).ToArray(), -10, ClampRange.Full);
}
