using System.Diagnostics;
using Edge.Runtime.Session;

namespace Edge.Benchmarks;

/// <summary>
/// Where a model's batch-1 time goes: each operator of an <see cref="EdgeSession"/> timed on its own, from the timestamps
/// an observer takes after every operator of <see cref="EdgeSession.RunObserved"/> (the first interval also holds the
/// input's quantization). Prints the median of every operator over the runs, their sum, and the median of plain
/// <c>Run</c> calls interleaved with the observed ones. Figures go to bench/RESULTS.md.
/// </summary>
public static class OperatorProfile
{
    public static int Run(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: profile MODEL.edge [auto|scalar|vector128|avx2] [RUNS]");
            return 2;
        }
        var kernels = (args.Length > 1 ? args[1] : "auto") switch
        {
            "scalar" => KernelSelection.Scalar,
            "vector128" => KernelSelection.Vector128,
            "avx2" => KernelSelection.Avx2,
            _ => KernelSelection.Auto,
        };
        int runs = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 2000;
        var session = EdgeSession.Load(args[0], new EdgeSessionOptions { Kernels = kernels });
        var rng = new Random(1);
        var input = new float[session.Inputs[0].ElementCount];
        for (int i = 0; i < input.Length; i++) input[i] = (float)(rng.NextDouble() * 2 - 0.8);
        var output = new float[session.Outputs[0].ElementCount];
        int count = session.Operators.Count;
        var stamps = new long[count + 1];
        TensorObserver observer = (op, _, _) => stamps[op.Index + 1] = Stopwatch.GetTimestamp();
        var times = new double[count][];
        for (int i = 0; i < count; i++) times[i] = new double[runs];
        var total = new double[runs];

        // Warm-up past tiered compilation (hot methods are recompiled optimized after ~30 calls and a delay).
        var warmup = Stopwatch.StartNew();
        while (warmup.ElapsedMilliseconds < 1500)
        {
            session.RunObserved(input, output, observer);
            session.Run(input, output);
        }
        double toMicroseconds = 1e6 / Stopwatch.Frequency;
        for (int r = 0; r < runs; r++)
        {
            stamps[0] = Stopwatch.GetTimestamp();
            session.RunObserved(input, output, observer);
            for (int i = 0; i < count; i++) times[i][r] = (stamps[i + 1] - stamps[i]) * toMicroseconds;
            long start = Stopwatch.GetTimestamp();
            session.Run(input, output);
            total[r] = (Stopwatch.GetTimestamp() - start) * toMicroseconds;
        }

        Console.WriteLine($"{Path.GetFileName(args[0])}, kernels {session.KernelPath}, {runs} runs; {CpuFeatures.Describe()}");
        double sum = 0;
        foreach (var op in session.Operators)
        {
            double median = Median(times[op.Index]);
            sum += median;
            Console.WriteLine($"{op.Index,4}  {op.Type,-18} {op.Kernel + "/" + op.Path,-34} {median,9:F2} µs");
        }
        Console.WriteLine($"sum of the operators' medians {sum:F1} µs; median Run {Median(total):F1} µs");
        return 0;
    }

    private static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }
}
