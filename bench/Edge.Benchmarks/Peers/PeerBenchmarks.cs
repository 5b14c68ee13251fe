using BenchmarkDotNet.Attributes;
using Edge.Runtime.Session;
using Microsoft.ML.OnnxRuntime;

namespace Edge.Benchmarks.Peers;

/// <summary>
/// Edge int8 (<see cref="EdgeSession"/>) against ONNX Runtime fp32 on the same model and the same preprocessed input,
/// batch 1, at 1 and 2 threads: what a .NET user would pick instead of Edge. One <c>Run</c> per invocation on each side:
/// Edge quantizes the float NCHW input, runs, dequantizes output 0; ONNX Runtime runs on pre-allocated input and output
/// <see cref="OrtValue"/>s (its fastest documented API for repeated runs: no tensor is made per call), with
/// IntraOpNumThreads = threads, sequential execution, all graph optimizations.
/// Models: <c>bench/peer-models.json</c> via <see cref="PeerModels"/>; <see cref="PeerRunner"/> runs this class and
/// prints the table (bench/README.md).
/// </summary>
public class PeerBenchmarks
{
    /// <summary>The models the run takes (present ones only; <see cref="PeerRunner"/> narrows them, and reports the absent ones).</summary>
    public static IEnumerable<string> ModelNames => PeerSelection.Models;

    public static IEnumerable<int> ThreadCounts => PeerSelection.Threads;

    [ParamsSource(nameof(ModelNames))]
    public string Model { get; set; } = "";

    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; } = 1;

    private EdgeSession? _edge;
    private float[] _edgeInput = [];
    private float[] _edgeOutput = [];
    private InferenceSession? _ort;
    private RunOptions? _runOptions;
    private string[] _ortInputNames = [];
    private string[] _ortOutputNames = [];
    private OrtValue[] _ortInputs = [];
    private OrtValue[] _ortOutputs = [];
    private float[] _ortInput = [];
    private float[] _ortOutput = [];

    /// <summary>The one place the Edge session's options are made: <paramref name="threads"/> threads, as ONNX Runtime gets.</summary>
    public static EdgeSessionOptions EdgeOptions(int threads) => new()
    {
        Kernels = KernelSelection.Auto,
        Threads = threads,
    };

    /// <summary>
    /// Each engine is set up for its own benchmark only (BenchmarkDotNet runs a GlobalSetup per case), so that no other
    /// engine's threads are alive while one is measured: with both sessions made and warmed, ONNX Runtime's 2-thread
    /// workers, still spinning after its warm-up, shared the 2 vCPUs with Edge's second thread (MobileNetV2-224 at 2
    /// threads measured 1.03–1.10× its 1-thread speed in this harness and 1.5–1.7× in `edge bench` minutes apart;
    /// bench/RESULTS.md, seventh session), and Edge's workers, spinning for a few ms after each job, with ONNX Runtime's.
    /// </summary>
    [GlobalSetup(Target = nameof(EdgeInt8))]
    public void SetupEdge()
    {
        var model = PeerModels.All.Single(m => m.Name == Model);
        _edge = EdgeSession.Load(PeerModels.EnsureEdge(model, Console.Out), EdgeOptions(Threads));
        _edgeInput = PeerModels.Input(model, _edge.Inputs[0].ElementCount);
        _edgeOutput = new float[_edge.Outputs[0].ElementCount];
        // A broken model fails here, not as a timing; then at least 1 s of runs, past .NET's tiered compilation (hot
        // methods are recompiled optimized after 30 calls and a delay, in the background): BenchmarkDotNet's own warm-up
        // iterations are too short for a model of 0.06 ms to get there in-process.
        Warm(EdgeInt8);
    }

    /// <summary>ONNX Runtime alone (see <see cref="SetupEdge"/>), on the same input values as Edge's.</summary>
    [GlobalSetup(Target = nameof(OrtFp32))]
    public void SetupOrt()
    {
        var model = PeerModels.All.Single(m => m.Name == Model);
        var options = new SessionOptions
        {
            IntraOpNumThreads = Threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _ort = new InferenceSession(PeerModels.PathOf(model.Onnx), options);
        _runOptions = new RunOptions();
        _ortInputNames = [_ort.InputNames[0]];
        _ortOutputNames = [_ort.OutputNames[0]];
        // Batch 1: the dynamic batch axis pinned to 1; the input Edge gets, in a buffer of ONNX Runtime's own.
        long[] inputShape = [.. _ort.InputMetadata[_ortInputNames[0]].Dimensions.Select(d => d < 0 ? 1L : d)];
        long[] outputShape = [.. _ort.OutputMetadata[_ortOutputNames[0]].Dimensions.Select(d => d < 0 ? 1L : d)];
        long elements = inputShape.Aggregate(1L, (a, d) => a * d);
        // The same model on both sides: a one-thread Edge session (no workers) only to read its input's size.
        using (var edge = EdgeSession.Load(PeerModels.EnsureEdge(model, Console.Out), EdgeOptions(1)))
            if (elements != edge.Inputs[0].ElementCount)
                throw new InvalidOperationException($"{model.Name}: ONNX input [{string.Join(", ", inputShape)}] is not the .edge input's {edge.Inputs[0].ElementCount} elements");
        _ortInput = PeerModels.Input(model, checked((int)elements));
        _ortOutput = new float[outputShape.Aggregate(1L, (a, d) => a * d)];
        _ortInputs = [OrtValue.CreateTensorValueFromMemory(_ortInput, inputShape)];
        _ortOutputs = [OrtValue.CreateTensorValueFromMemory(_ortOutput, outputShape)];
        Warm(OrtFp32);
    }

    private static void Warm(Action run)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 50 || clock.ElapsedMilliseconds < 1000; i++) run();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // Whichever engine this case set up (the other fields are null or empty).
        // The Edge session too: a session with threads keeps its workers (spinning for a few ms between jobs) until disposed,
        // which would take CPU from the cases after it.
        _edge?.Dispose();
        _edge = null;
        foreach (var v in _ortInputs.Concat(_ortOutputs)) v.Dispose();
        _ortInputs = [];
        _ortOutputs = [];
        _runOptions?.Dispose();
        _runOptions = null;
        _ort?.Dispose();
        _ort = null;
    }

    [Benchmark(Description = "Edge int8")]
    public void EdgeInt8() => _edge!.Run(_edgeInput, _edgeOutput);

    [Benchmark(Description = "ORT fp32")]
    public void OrtFp32() => _ort!.Run(_runOptions, _ortInputNames, _ortInputs, _ortOutputNames, _ortOutputs);
}

/// <summary>Which models and thread counts <see cref="PeerBenchmarks"/> takes: every present model, 1 and 2 threads, unless narrowed.</summary>
public static class PeerSelection
{
    public static IReadOnlyList<string> Models { get; set; } = PeerModels.Present.Select(m => m.Name).ToArray();

    public static IReadOnlyList<int> Threads { get; set; } = [1, 2];
}
