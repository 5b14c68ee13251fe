using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.Elementwise;

/// <summary>
/// Int8 product of two tensors, per the contract (docs/int8-arithmetic.md, "Mul"):
/// <code>
/// acc = (a[i] − zp_a) × (b[i mod len(b)] − zp_b)                  |acc| ≤ 255² &lt; 2^16
/// q   = clamp(requantize(acc, M, n) + zp_out, q_min, q_max)       r = s_a·s_b / s_out
/// </code>
/// <c>b</c> has <c>a</c>'s length (equal shapes), the channel count (the squeeze-excitation gate [1, 1, 1, C] against
/// NHWC [1, H, W, C]) or one element. The scalar reference is the only path: the op is memory-bound next to the convolutions
/// around it.
/// </summary>
public sealed class Int8Mul
{
    private Int8Mul(int zpA, int zpB, QuantizedMultiplier m, int zpOut, ClampRange clamp)
        => (ZeroPointA, ZeroPointB, Multiplier, OutputZeroPoint, Clamp) = (zpA, zpB, m, zpOut, clamp);

    public int ZeroPointA { get; }
    public int ZeroPointB { get; }
    public QuantizedMultiplier Multiplier { get; }
    public int OutputZeroPoint { get; }
    public ClampRange Clamp { get; }

    public static Int8Mul Prepare(int zpA, int zpB, QuantizedMultiplier multiplier, int zpOut, ClampRange clamp)
    {
        foreach (var zp in (ReadOnlySpan<int>)[zpA, zpB, zpOut])
            if (zp < sbyte.MinValue || zp > sbyte.MaxValue) throw new ArgumentOutOfRangeException(nameof(zpA), zp, "zero points must be in [−128, 127]");
        multiplier.Validate("mul");
        return new Int8Mul(zpA, zpB, multiplier, zpOut, clamp);
    }

    /// <summary>Derives the multiplier from the three tensors' parameters as the converter does (<c>r = s_a·s_b / s_out</c>, in double).</summary>
    public static Int8Mul FromScales(QuantizationParams a, QuantizationParams b, QuantizationParams output, ClampRange clamp)
    {
        a.Validate("mul input a");
        b.Validate("mul input b");
        output.Validate("mul output");
        return Prepare(a.ZeroPoint, b.ZeroPoint, QuantizedMultiplier.FromReal((double)a.Scale * b.Scale / output.Scale), output.ZeroPoint, clamp);
    }

    /// <summary>
    /// The scalar reference: <paramref name="output"/> has <paramref name="a"/>'s length, which is a multiple of
    /// <paramref name="b"/>'s. <paramref name="output"/> may be <paramref name="a"/> itself (in place).
    /// </summary>
    public static void Run(Int8Mul op, ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b, Span<sbyte> output)
    {
        Guard.SameLength(a.Length, output.Length, "mul input a and output");
        if (b.Length == 0 || a.Length % b.Length != 0) throw new ArgumentException($"mul input b ({b.Length} elements) does not repeat evenly over a ({a.Length})");
        int period = b.Length, zpA = op.ZeroPointA, zpB = op.ZeroPointB;
        for (int start = 0; start < a.Length; start += period)
        {
            var rowA = a.Slice(start, period);
            var rowY = output.Slice(start, period);
            for (int i = 0; i < period; i++)
                rowY[i] = Requantization.ToInt8((rowA[i] - zpA) * (b[i] - zpB), op.Multiplier, op.OutputZeroPoint, op.Clamp);
        }
    }

    public override string ToString() => $"Int8Mul a(zp {ZeroPointA}) × b(zp {ZeroPointB}) → {Multiplier}, zp {OutputZeroPoint}, clamp {Clamp}";
}
