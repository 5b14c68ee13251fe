using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels.Conv;

namespace Edge.Runtime.Kernels.Gemm;

/// <summary>
/// Int8 fully connected layer: <c>Y[N, M] = X[N, K]·Wᵀ + b</c> with W [M, K] as the float graph holds it. Per the
/// contract: <c>acc[n, m] = bias[m] + Σ_k (x[n, k] − zp_x)·w[m, k]</c>, then the output stage with channel m's multiplier.
/// A Flatten before it is free: the converter permutes W's columns from CHW to HWC order, so X is the NHWC tensor as it lies.
/// <para>
/// Prepared once: W packed [M][Kp] (rows zero-padded to a multiple of 16, see <see cref="PackedWeights"/>), the bias as
/// given and with <c>−zp_x·Σw</c> folded in, and the output stage. The static <c>Run</c> methods allocate nothing.
/// </para>
/// </summary>
public sealed partial class Int8Gemm
{
    private Int8Gemm(int batch, PackedWeights weights, int[] bias, int[] foldedBias, int inputZeroPoint, OutputStage output)
        => (Batch, Weights, Bias, FoldedBias, InputZeroPoint, Output) = (batch, weights, bias, foldedBias, inputZeroPoint, output);

    /// <summary>N, the rows of X and Y.</summary>
    public int Batch { get; }
    public int InFeatures => Weights.KernelLength;
    public int OutFeatures => Weights.Rows;
    public int InputZeroPoint { get; }
    public OutputStage Output { get; }

    /// <summary>
    /// Scratch bytes <see cref="RunVector128"/> and <see cref="RunAvx2"/> need: a zero-padded copy of one row of X when K
    /// is not a multiple of 16.
    /// </summary>
    public int ScratchLength => InFeatures == Weights.RowLength ? 0 : Weights.RowLength;

    public int InputLength => Batch * InFeatures;
    public int OutputLength => Batch * OutFeatures;

    internal PackedWeights Weights { get; }
    internal int[] Bias { get; }
    internal int[] FoldedBias { get; }

    /// <summary>
    /// Prepares a GEMM. <paramref name="weights"/> is [outFeatures][inFeatures] in [−127, 127]; <paramref name="bias"/> is
    /// [outFeatures] or empty; <paramref name="output"/> has one multiplier per output feature.
    /// </summary>
    public static Int8Gemm Prepare(int batch, int inFeatures, int outFeatures, ReadOnlySpan<sbyte> weights, ReadOnlySpan<int> bias, int inputZeroPoint, OutputStage output)
    {
        Guard.Positive(batch, nameof(batch));
        Guard.Positive(inFeatures, nameof(inFeatures));
        Guard.Positive(outFeatures, nameof(outFeatures));
        Int8Conv2d.CheckZeroPoint(inputZeroPoint);
        if (output.Channels != outFeatures) throw new ArgumentException($"the output stage has {output.Channels} channels, the GEMM has {outFeatures} outputs");
        var w = PackedWeights.FromRows(weights, outFeatures, inFeatures);
        return new Int8Gemm(batch, w, PackedWeights.CopyBias(bias, outFeatures), w.FoldBias(bias, inputZeroPoint), inputZeroPoint, output);
    }

    /// <summary>Runs <paramref name="path"/> (falling back to the next narrower path where it is not accelerated).</summary>
    public static void Run(Int8Gemm op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch, KernelPath path)
    {
        switch (KernelPaths.AtMost(path, KernelPath.Avx2))
        {
            case KernelPath.Avx2: RunAvx2(op, input, output, scratch); break;
            case KernelPath.Vector128: RunVector128(op, input, output, scratch); break;
            default: RunScalar(op, input, output, scratch); break;
        }
    }

    /// <summary>The scalar reference, the contract written out. <paramref name="scratch"/> is unused.</summary>
    public static void RunScalar(Int8Gemm op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch)
    {
        Guard.Length(input.Length, op.InputLength, "input");
        Guard.Length(output.Length, op.OutputLength, "output");
        int k = op.InFeatures, m = op.OutFeatures, kp = op.Weights.RowLength;
        var w = op.Weights.Data;
        for (int n = 0; n < op.Batch; n++)
            for (int o = 0; o < m; o++)
            {
                int acc = op.Bias[o];
                for (int i = 0; i < k; i++) acc += (input[n * k + i] - op.InputZeroPoint) * w[o * kp + i];
                output[n * m + o] = op.Output.Apply(acc, o);
            }
    }

    public override string ToString() => $"Int8Gemm N{Batch} K{InFeatures} → M{OutFeatures} zp_x {InputZeroPoint}, {Output}";
}
