using System.Globalization;
using System.Runtime.InteropServices;
using Edge.Core.Shapes;
using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Conv;
using Edge.Runtime.Kernels.DepthwiseConv;
using Edge.Runtime.Session;

namespace Edge.Benchmarks;

/// <summary>
/// A quick kernel timer for before/after comparisons on a shared machine (bench/RESULTS.md, issue 10 round 2): the
/// MobileNetV2, LeNet-5 and MobileNet-Fashion layers that dominate their models, on seeded int8 data, each checked equal
/// to the scalar reference, timed by the thread's CPU clock (<c>CLOCK_THREAD_CPUTIME_ID</c>: steadier than the wall clock
/// when other work shares the cores), the median of 15 samples of 40 ms after 0.6 s of warm-up; and MobileNetV2-224 whole
/// through <see cref="EdgeSession"/> with float and int8 input when bench/models/mobilenetv2-224.edge exists. Build two
/// checkouts and alternate them for an A/B. Linux only (the clock).
/// <code>dotnet run -c Release --project bench/Edge.Benchmarks -- kernels [NAME-FILTER|all|model] [Avx2|Avx512BW|Vector128|…]</code>
/// </summary>
public static class KernelTimer
{
    public static int Run(string[] args)
    {
        string which = args.Length > 0 ? args[0] : "all";
        var path = args.Length > 1 ? Enum.Parse<KernelPath>(args[1], ignoreCase: true) : KernelPath.Avx2;
        var rng = new Random(42);
        foreach (var (name, shape, depthwise) in Cases)
        {
            if (which != "all" && !name.Contains(which, StringComparison.Ordinal)) continue;
            var (run, reference, same) = Prepare(rng, shape, depthwise, path);
            reference();
            run();
            double us = Median(run, 40_000, 15);
            long macs = (long)shape.OutputLength * shape.KernelLength;
            Console.WriteLine(FormattableString.Invariant($"{name,-26} {us,9:F1} µs  {macs / us / 1000,6:F1} G MAC/s  exact={same()}"));
        }
        if (which == "all" || QuantizeCase.Contains(which, StringComparison.Ordinal)) TimeInputQuantize(rng, path);
        string model = Path.Combine("bench", "models", "mobilenetv2-224.edge");
        if ((which == "all" || which == "model") && File.Exists(model))
        {
            using var session = EdgeSession.Load(model, new EdgeSessionOptions { Kernels = (KernelSelection)path });
            var x = new float[session.Inputs[0].ElementCount];
            for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
            var xq = new sbyte[x.Length];
            var y = new float[session.Outputs[0].ElementCount];
            Console.WriteLine(FormattableString.Invariant($"{"MobileNetV2-224 float in",-26} {Median(() => session.Run(x, y), 200_000, 9),9:F1} µs"));
            Console.WriteLine(FormattableString.Invariant($"{"MobileNetV2-224 int8 in",-26} {Median(() => session.Run(xq, y), 200_000, 9),9:F1} µs"));
        }
        return 0;
    }

    private const string QuantizeCase = "quantize 224²×3 NCHW→NHWC";

    /// <summary>
    /// A 224×224 RGB float input's quantization as a session writes it (Float32Quantize.Strided: each NCHW plane into every
    /// third byte of the NHWC tensor), values spread over the quantized range, checked against the scalar rule.
    /// </summary>
    private static void TimeInputQuantize(Random rng, KernelPath path)
    {
        const int plane = 224 * 224, channels = 3;
        var p = new QuantizationParams(0.018658f, -14);
        var x = new float[plane * channels];
        for (int i = 0; i < x.Length; i++) x[i] = (float)((rng.NextDouble() * 2 - 1) * 2.4);
        var y = new sbyte[x.Length];
        var expected = new sbyte[x.Length];
        void Run(sbyte[] to, KernelPath runs)
        {
            for (int c = 0; c < channels; c++)
                Edge.Runtime.Kernels.Float.Float32Quantize.Strided(x.AsSpan(c * plane, plane), to.AsSpan(c), channels, p, runs);
        }
        Run(expected, KernelPath.Scalar);
        Run(y, path);
        double us = Median(() => Run(y, path), 40_000, 15);
        Console.WriteLine(FormattableString.Invariant($"{QuantizeCase,-26} {us,9:F1} µs  {x.Length / us / 1000,6:F2} G values/s  exact={y.AsSpan().SequenceEqual(expected)}"));
    }

    private static Window2d Pad3x3(int stride) => new(3, 3, stride, stride, 1, 1, 1, 1);

    private static readonly (string Name, Conv2dShape Shape, bool Depthwise)[] Cases =
    [
        ("first 224²×3→32 s2", new Conv2dShape(1, 224, 224, 3, 32, Pad3x3(2)), false),
        ("lenet conv1 28²×1→6 5×5", new Conv2dShape(1, 28, 28, 1, 6, new Window2d(5, 5, 1, 1, 2, 2, 2, 2)), false),
        ("lenet conv2 14²×6→16 5×5", new Conv2dShape(1, 14, 14, 6, 16, new Window2d(5, 5)), false),
        ("fashion conv1 28²×1→16", new Conv2dShape(1, 28, 28, 1, 16, Pad3x3(1)), false),
        ("1x1 112²×16→96", new Conv2dShape(1, 112, 112, 16, 96, new Window2d(1, 1)), false),
        ("1x1 56²×24→144", new Conv2dShape(1, 56, 56, 24, 144, new Window2d(1, 1)), false),
        ("1x1 56²×144→24", new Conv2dShape(1, 56, 56, 144, 24, new Window2d(1, 1)), false),
        ("1x1 14²×96→576", new Conv2dShape(1, 14, 14, 96, 576, new Window2d(1, 1)), false),
        ("3x3 56²×64→64", new Conv2dShape(1, 56, 56, 64, 64, Pad3x3(1)), false),
        ("dw 112²×32", new Conv2dShape(1, 112, 112, 32, 32, Pad3x3(1), group: 32), true),
        ("dw 112²×96 s2", new Conv2dShape(1, 112, 112, 96, 96, Pad3x3(2), group: 96), true),
        ("dw 56²×144", new Conv2dShape(1, 56, 56, 144, 144, Pad3x3(1), group: 144), true),
        ("dw 14²×576", new Conv2dShape(1, 14, 14, 576, 576, Pad3x3(1), group: 576), true),
        ("fashion dw 14²×96", new Conv2dShape(1, 14, 14, 96, 96, Pad3x3(1), group: 96), true),
        ("fashion dw 7²×128", new Conv2dShape(1, 7, 7, 128, 128, Pad3x3(1), group: 128), true),
        ("fashion dw 28²×16 s2", new Conv2dShape(1, 28, 28, 16, 16, Pad3x3(2), group: 16), true),
        ("fc 400→120 (LeNet)", new Conv2dShape(1, 1, 1, 400, 120, new Window2d(1, 1)), false),
        ("fc 512→1000 (ResNet-18)", new Conv2dShape(1, 1, 1, 512, 1000, new Window2d(1, 1)), false),
        ("fc 1280→1000 (MobileNetV2)", new Conv2dShape(1, 1, 1, 1280, 1000, new Window2d(1, 1)), false),
        ("resnet conv1 224²×3→64 7×7 s2", new Conv2dShape(1, 224, 224, 3, 64, new Window2d(7, 7, 2, 2, 3, 3, 3, 3)), false),
        ("resnet 3x3 28²×128", new Conv2dShape(1, 28, 28, 128, 128, Pad3x3(1)), false),
        ("resnet 3x3 14²×256", new Conv2dShape(1, 14, 14, 256, 256, Pad3x3(1)), false),
        ("resnet 3x3 7²×512", new Conv2dShape(1, 7, 7, 512, 512, Pad3x3(1)), false),
        ("resnet 3x3 s2 14²×256→512", new Conv2dShape(1, 14, 14, 256, 512, Pad3x3(2)), false),
        ("resnet 1x1 s2 56²×64→128", new Conv2dShape(1, 56, 56, 64, 128, new Window2d(1, 1, 2, 2)), false),
        ("resnet 1x1 s2 28²×128→256", new Conv2dShape(1, 28, 28, 128, 256, new Window2d(1, 1, 2, 2)), false),
        ("resnet 1x1 s2 14²×256→512", new Conv2dShape(1, 14, 14, 256, 512, new Window2d(1, 1, 2, 2)), false),
    ];

    private static (Action Run, Action Reference, Func<bool> Same) Prepare(Random rng, Conv2dShape s, bool depthwise, KernelPath path)
    {
        var w = Enumerable.Range(0, s.OutChannels * s.KernelLength).Select(_ => (sbyte)rng.Next(-127, 128)).ToArray();
        var b = Enumerable.Range(0, s.OutChannels).Select(_ => rng.Next(-5000, 5000)).ToArray();
        var stage = new OutputStage(Enumerable.Range(0, s.OutChannels).Select(_ => QuantizedMultiplier.FromReal(0.0005 + rng.NextDouble() * 0.002)).ToArray(), -10, ClampRange.Full);
        var x = new sbyte[s.InputLength];
        rng.NextBytes(MemoryMarshal.AsBytes(x.AsSpan()));
        var y = new sbyte[s.OutputLength];
        var expected = new sbyte[s.OutputLength];
        Func<bool> same = () => y.AsSpan().SequenceEqual(expected);
        if (depthwise)
        {
            var op = Int8DepthwiseConv2d.Prepare(s, w, b, -5, stage);
            var scratch = new byte[op.ScratchLength];
            return (() => Int8DepthwiseConv2d.Run(op, x, y, scratch, path), () => Int8DepthwiseConv2d.Run(op, x, expected, scratch, KernelPath.Scalar), same);
        }
        var conv = Int8Conv2d.Prepare(s, w, b, -5, stage);
        var convScratch = new byte[conv.ScratchLength];
        return (() => Int8Conv2d.Run(conv, x, y, convScratch, path), () => Int8Conv2d.Run(conv, x, expected, convScratch, KernelPath.Scalar), same);
    }

    /// <summary>Median over <paramref name="samples"/> samples of the thread CPU time per call, each sample at least <paramref name="sampleUs"/> µs.</summary>
    private static double Median(Action run, double sampleUs, int samples)
    {
        // The warm-up also counts the calls per sample, so that a sample reads the clock twice, not once per call: the
        // thread CPU clock is a system call (about a microsecond), as long as a small kernel's whole run.
        int warm = 0;
        double warmStart = ThreadCpu.Microseconds();
        while (ThreadCpu.Microseconds() - warmStart < 600_000) { run(); warm++; }
        int n = Math.Max(1, (int)(warm * sampleUs / 600_000));
        var t = new double[samples];
        for (int i = 0; i < samples; i++)
        {
            double start = ThreadCpu.Microseconds();
            for (int j = 0; j < n; j++) run();
            t[i] = (ThreadCpu.Microseconds() - start) / n;
        }
        Array.Sort(t);
        return t[samples / 2];
    }

    /// <summary>The calling thread's CPU time (Linux <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>).</summary>
    private static class ThreadCpu
    {
        [StructLayout(LayoutKind.Sequential)]
        private struct TimeSpec
        {
            public long Seconds, Nanoseconds;
        }

        [DllImport("libc", EntryPoint = "clock_gettime")]
        private static extern int ClockGetTime(int clock, out TimeSpec time);

        public static double Microseconds()
        {
            if (ClockGetTime(3, out var t) != 0) throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
            return t.Seconds * 1e6 + t.Nanoseconds / 1e3;
        }
    }
}
