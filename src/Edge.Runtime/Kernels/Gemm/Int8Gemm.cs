using System.Runtime.InteropServices;
using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels.Conv;

namespace Edge.Runtime.Kernels.Gemm;

/// <summary>
/// Int8 fully connected layer: <c>Y[N, M] = X[N, K]·Wᵀ + b</c> with W [M, K] as the float graph holds it. Per the
/// contract: <c>acc[n, m] = bias[m] + Σ_k (x[n, k] − zp_x)·w[m, k]</c>, then the output stage with channel m's multiplier.
/// A Flatten before it is free: the converter permutes W's columns from CHW to HWC order, so X is the NHWC tensor as it lies.
/// <para>
/// Prepared once: W packed into the register tiles' panels with <c>−zp_x·Σw</c> folded into the bias
/// (<see cref="GemmPanels"/>), and the output stage. The SIMD paths run <see cref="Int8GemmTile"/> on the rows of X in
/// place. The static <c>Run</c> methods allocate nothing.
/// </para>
/// </summary>
public sealed class Int8Gemm
{
    private Int8Gemm(int batch, GemmPanels panels, int[] bias, int inputZeroPoint, OutputStage output)
    {
        (Batch, Panels, Bias, InputZeroPoint, Output) = (batch, panels, bias, inputZeroPoint, output);
        Work = GemmWork.For(batch, panels.PanelsPerGroup, splitPanels: true);
    }

    /// <summary>N, the rows of X and Y.</summary>
    public int Batch { get; }
    public int InFeatures => Panels.K;
    public int OutFeatures => Panels.ChannelsPerGroup;
    public int InputZeroPoint { get; }
    public OutputStage Output { get; }

    /// <summary>
    /// Scratch bytes the SIMD paths need (per worker, for <see cref="RunRange"/>): a block of up to eight rows of X, K padded
    /// to a multiple of 8, where a tile's in-place reads would pass the end of X. The scalar reference needs none.
    /// </summary>
    public int ScratchLength => Int8GemmTile.MaxRows * Panels.KPadded;

    /// <summary>Work items for <see cref="RunRange"/>: blocks of rows × blocks of 16-output panels (see <see cref="GemmWork"/>).</summary>
    public int WorkItems => Work.Items;

    public int InputLength => Batch * InFeatures;
    public int OutputLength => Batch * OutFeatures;

    internal GemmPanels Panels { get; }
    internal int[] Bias { get; }
    internal GemmWork Work { get; }

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
        var panels = GemmPanels.Pack(weights, 1, outFeatures, inFeatures, bias, inputZeroPoint);
        return new Int8Gemm(batch, panels, PackedWeights.CopyBias(bias, outFeatures), inputZeroPoint, output);
    }

    /// <summary>The output pixels (rows) one register tile of <paramref name="path"/> computes at once on this machine (MR).</summary>
    public static int TileRows(KernelPath path) => Int8GemmTile.RowsPerTile(Int8GemmTile.Resolve(path));

    /// <summary>The path <see cref="Run"/> runs for <paramref name="path"/> on this machine.</summary>
    public static KernelPath PathFor(KernelPath path) => Int8GemmTile.Resolve(path);

    /// <summary>
    /// Runs <paramref name="path"/>, or the widest path below it that this machine accelerates (<see cref="PathFor"/>):
    /// Scalar, Vector128, Avx2, Avx512BW, Avx512Vnni (generated tiles), AdvSimd, AdvSimdDp (AvxVnni runs Avx2).
    /// </summary>
    public static void Run(Int8Gemm op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch, KernelPath path)
    {
        RunRange(op, input, output, scratch, path, 0, op.WorkItems);
    }

    /// <summary>
    /// Work items [<paramref name="begin"/>, <paramref name="end"/>) of <see cref="WorkItems"/> on <paramref name="path"/>
    /// (resolved as in <see cref="Run"/>; the scalar reference runs whole rows, so it runs items of whole rows — all of
    /// them at once). <paramref name="scratch"/> is this caller's own, <see cref="ScratchLength"/> bytes.
    /// </summary>
    public static void RunRange(Int8Gemm op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch, KernelPath path, int begin, int end)
    {
        Guard.Length(input.Length, op.InputLength, "input");
        Guard.Length(output.Length, op.OutputLength, "output");
        var resolved = op.Work.BeginRange(path, begin, end, scratch.Length, op.ScratchLength);
        if (resolved == KernelPath.Scalar)
        {
            RunScalar(op, input, output, scratch);
            return;
        }
        var block = MemoryMarshal.Cast<byte, sbyte>(scratch)[..op.ScratchLength];
        Span<int> tile = stackalloc int[Int8GemmTile.TileInts];
        int k = op.InFeatures, m = op.OutFeatures;
        for (int item = begin; item < end;)
        {
            var (m0, m1, p0, p1) = op.Work.Next(ref item, end);
            Int8GemmTile.RunInPlaceRows(resolved, op.Panels, op.Output, input[..op.InputLength], k, m0, m1, p0, p1, output, m, block, tile);
        }
    }

    /// <summary>The scalar reference, the contract written out. <paramref name="scratch"/> is unused.</summary>
    public static void RunScalar(Int8Gemm op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch)
    {
        Guard.Length(input.Length, op.InputLength, "input");
        Guard.Length(output.Length, op.OutputLength, "output");
        int k = op.InFeatures, m = op.OutFeatures;
        for (int n = 0; n < op.Batch; n++)
            for (int o = 0; o < m; o++)
            {
                int acc = op.Bias[o];
                for (int i = 0; i < k; i++) acc += (input[n * k + i] - op.InputZeroPoint) * op.Panels.Weight(o, i);
                output[n * m + o] = op.Output.Apply(acc, o);
            }
    }

    public override string ToString() => $"Int8Gemm N{Batch} K{InFeatures} → M{OutFeatures} zp_x {InputZeroPoint}, {Output}";
}
