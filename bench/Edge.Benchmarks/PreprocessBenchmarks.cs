using BenchmarkDotNet.Attributes;
using Edge.Runtime.Arithmetic;
using Edge.Runtime.Format;
using Edge.Vision.Preprocessing;
using Edge.Vision.Sources;

namespace Edge.Benchmarks;

/// <summary>
/// One 640×480 I420 camera frame (limited range, as rpicam-vid and ffmpeg write it) into a model's int8 NHWC input:
/// centre crop 480×480, YUV → gray or RGB, area or bilinear resize, normalization and quantization
/// (<see cref="FramePreprocessor"/>), vectorized and scalar. Targets: ≤ 1 ms per frame for 28×28×1 and 224×224×3, 0 bytes
/// allocated. Figures go to bench/RESULTS.md.
/// <c>dotnet run -c Release --project bench/Edge.Benchmarks -- --filter '*Preprocess*'</c>
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[WarmupCount(3)]
[IterationCount(10)]
public class PreprocessBenchmarks
{
    public enum Target
    {
        Gray28x28,
        Rgb224x224,
    }

    private FramePreprocessor? _pre;
    private byte[] _frame = [];
    private sbyte[] _input = [];

    [Params(Target.Gray28x28, Target.Rgb224x224)]
    public Target Input { get; set; }

    [Params(ResizeMode.Area, ResizeMode.Bilinear)]
    public ResizeMode Mode { get; set; }

    [Params(true, false)]
    public bool Vectorized { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var format = new FrameFormat(640, 480, FramePixelFormat.I420, YuvRange.Limited);
        _frame = new byte[format.FrameBytes];
        new Random(42).NextBytes(_frame);
        _pre = Input == Target.Gray28x28
            ? new FramePreprocessor(format, 28, 28, EdgeChannelOrder.Gray, [0.286f], [0.353f], new QuantizationParams(0.0111f, -54), Mode, Vectorized)
            : new FramePreprocessor(format, 224, 224, EdgeChannelOrder.Rgb, [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f], new QuantizationParams(0.0187f, -14), Mode, Vectorized);
        _input = new sbyte[_pre.InputLength];
    }

    [Benchmark]
    public void Process() => _pre!.Process(_frame, _input);
}
