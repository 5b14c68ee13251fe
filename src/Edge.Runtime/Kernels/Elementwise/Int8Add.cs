using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.Elementwise;

/// <summary>
/// Int8 element-wise addition of two tensors of equal shape (a residual connection), per the contract:
/// <code>
/// a' = requantize((a − zp_a) &lt;&lt; 20, M_a, n_a)         r_a = s_a / s_max2,   s_max2 = 2·max(s_a, s_b)
/// b' = requantize((b − zp_b) &lt;&lt; 20, M_b, n_b)         r_b = s_b / s_max2
/// q  = clamp(requantize(a' + b', M_o, n_o) + zp_out, q_min, q_max)      r_o = s_max2 / (2^20·s_out)
/// </code>
/// Overflow: |x − zp| ≤ 255, so (x − zp)·2^20 &lt; 2^28; with r_a, r_b ≤ 1/2, |a' + b'| &lt; 2^28.
/// </summary>
public sealed partial class Int8Add
{
    /// <summary>The left shift L that gives the inputs 20 fractional bits before they are rescaled.</summary>
    public const int LeftShift = 20;

    private Int8Add(int zpA, QuantizedMultiplier mA, int zpB, QuantizedMultiplier mB, QuantizedMultiplier mOut, int zpOut, ClampRange clamp)
    {
        (ZeroPointA, MultiplierA, ZeroPointB, MultiplierB, OutputMultiplier, OutputZeroPoint, Clamp) = (zpA, mA, zpB, mB, mOut, zpOut, clamp);
        (_vectorA, _vectorB) = (new ShiftedRequantizer(mA), new ShiftedRequantizer(mB));
    }

    public int ZeroPointA { get; }
    public QuantizedMultiplier MultiplierA { get; }
    public int ZeroPointB { get; }
    public QuantizedMultiplier MultiplierB { get; }
    public QuantizedMultiplier OutputMultiplier { get; }
    public int OutputZeroPoint { get; }
    public ClampRange Clamp { get; }

    /// <summary>Prepares an addition from the converter's parameters (multipliers at most 1/2 for the inputs, as the contract derives them).</summary>
    public static Int8Add Prepare(int zpA, QuantizedMultiplier mA, int zpB, QuantizedMultiplier mB, QuantizedMultiplier mOut, int zpOut, ClampRange clamp)
    {
        foreach (var zp in (ReadOnlySpan<int>)[zpA, zpB, zpOut])
            if (zp < sbyte.MinValue || zp > sbyte.MaxValue) throw new ArgumentOutOfRangeException(nameof(zpA), zp, "zero points must be in [−128, 127]");
        mA.Validate("input a");
        mB.Validate("input b");
        mOut.Validate("output");
        if (mA.ToDouble() > 0.5 || mB.ToDouble() > 0.5) throw new ArgumentException($"input multipliers {mA} and {mB} must be at most 1/2");
        return new Int8Add(zpA, mA, zpB, mB, mOut, zpOut, clamp);
    }

    /// <summary>
    /// Prepares an addition from the three tensors' parameters, deriving the multipliers as the contract does (in double).
    /// Throws when the output scale is so small that <c>r_o ≥ 1</c> (the quantizer widens such a scale).
    /// </summary>
    public static Int8Add FromScales(QuantizationParams a, QuantizationParams b, QuantizationParams output, ClampRange clamp)
    {
        a.Validate("input a");
        b.Validate("input b");
        output.Validate("output");
        double max2 = 2.0 * Math.Max((double)a.Scale, b.Scale);
        return Prepare(a.ZeroPoint, QuantizedMultiplier.FromReal(a.Scale / max2), b.ZeroPoint, QuantizedMultiplier.FromReal(b.Scale / max2),
            QuantizedMultiplier.FromReal(max2 / (Math.ScaleB(1.0, LeftShift) * output.Scale)), output.ZeroPoint, clamp);
    }

    /// <summary>
    /// Runs <paramref name="path"/> (falling back to the scalar reference where it is not accelerated): Avx512BW runs the
    /// AVX-512BW kernel, and so does Avx512Vnni where the managed kernels run AVX-512 (<see cref="KernelPaths.BelowVnni"/>:
    /// not on Zen 4), Avx2 and AvxVnni the AVX2 one, the ARM64 paths the Vector128 one.
    /// </summary>
    public static void Run(Int8Add op, ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b, Span<sbyte> output, KernelPath path)
    {
        if (KernelPaths.BelowVnni(path) >= KernelPath.Avx512BW) RunAvx512BW(op, a, b, output);
        else if (path >= KernelPath.Avx2) RunAvx2(op, a, b, output);
        else if (path >= KernelPath.Vector128) RunVector128(op, a, b, output);
        else RunScalar(op, a, b, output);
    }

    /// <summary>The scalar reference: <paramref name="a"/>, <paramref name="b"/> and <paramref name="output"/> have one length.</summary>
    public static void RunScalar(Int8Add op, ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b, Span<sbyte> output)
    {
        Guard.SameLength(a.Length, b.Length, "add inputs");
        Guard.SameLength(a.Length, output.Length, "add input and output");
        for (int i = 0; i < output.Length; i++)
        {
            int sa = Requantization.Requantize((a[i] - op.ZeroPointA) << LeftShift, op.MultiplierA);
            int sb = Requantization.Requantize((b[i] - op.ZeroPointB) << LeftShift, op.MultiplierB);
            output[i] = Requantization.ToInt8(sa + sb, op.OutputMultiplier, op.OutputZeroPoint, op.Clamp);
        }
    }

    public override string ToString()
        => $"Int8Add a(zp {ZeroPointA}, {MultiplierA}) + b(zp {ZeroPointB}, {MultiplierB}) → {OutputMultiplier}, zp {OutputZeroPoint}, clamp {Clamp}";
}
