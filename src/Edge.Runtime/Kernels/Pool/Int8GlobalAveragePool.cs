using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.Pool;

/// <summary>
/// Int8 global average pooling, NHWC [N, H, W, C] → [N, 1, 1, C], per the contract:
/// <c>q = clamp(div_round(Σ (x − zp), H·W) + zp, −128, 127)</c>; the output has the input's parameters.
/// The sum is at most 255·H·W in magnitude: int32 holds it for any plane below 8 million pixels.
/// </summary>
public sealed partial class Int8GlobalAveragePool
{
    private Int8GlobalAveragePool(int batch, int height, int width, int channels, int zeroPoint)
        => (Batch, Height, Width, Channels, ZeroPoint) = (batch, height, width, channels, zeroPoint);

    public int Batch { get; }
    public int Height { get; }
    public int Width { get; }
    public int Channels { get; }

    /// <summary>The zero point of the input, and so of the output.</summary>
    public int ZeroPoint { get; }

    public int InputLength => Batch * Height * Width * Channels;
    public int OutputLength => Batch * Channels;

    public static Int8GlobalAveragePool Prepare(int batch, int height, int width, int channels, int zeroPoint)
    {
        Guard.Positive(batch, nameof(batch));
        Guard.Positive(height, nameof(height));
        Guard.Positive(width, nameof(width));
        Guard.Positive(channels, nameof(channels));
        if ((long)height * width > (1 << 23)) throw new ArgumentException($"a {height}x{width} plane is too large for an int32 sum");
        if (zeroPoint < sbyte.MinValue || zeroPoint > sbyte.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(zeroPoint), zeroPoint, "the zero point must be in [−128, 127]");
        return new Int8GlobalAveragePool(batch, height, width, channels, zeroPoint);
    }

    /// <summary>
    /// Runs <paramref name="path"/> (falling back to the scalar reference where it is not accelerated): x86 paths from AVX2
    /// up run the AVX2 version, ARM64's the Vector128 one (this kernel has no wider versions).
    /// </summary>
    public static void Run(Int8GlobalAveragePool op, ReadOnlySpan<sbyte> input, Span<sbyte> output, KernelPath path)
    {
        var runs = op.PathFor(path);
        if (runs == KernelPath.Avx2) RunAvx2(op, input, output);
        else if (runs >= KernelPath.Vector128) RunVector128(op, input, output);
        else RunScalar(op, input, output);
    }

    /// <summary>
    /// The path <see cref="Run"/> takes for <paramref name="path"/>: Avx2 for x86 paths from AVX2 up where AVX2 runs and the
    /// layer has at least 32 channels, else at most Vector128.
    /// </summary>
    public KernelPath PathFor(KernelPath path)
        => path >= KernelPath.Avx2 && KernelPaths.Supported(KernelPath.Avx2) == KernelPath.Avx2 && Channels >= 32
            ? KernelPath.Avx2 : KernelPaths.AtMost(path, KernelPath.Vector128);

    /// <summary>The scalar reference.</summary>
    public static void RunScalar(Int8GlobalAveragePool op, ReadOnlySpan<sbyte> input, Span<sbyte> output)
    {
        Guard.Length(input.Length, op.InputLength, "input");
        Guard.Length(output.Length, op.OutputLength, "output");
        int pixels = op.Height * op.Width;
        for (int n = 0; n < op.Batch; n++)
            for (int c = 0; c < op.Channels; c++)
            {
                int sum = 0;
                for (int p = 0; p < pixels; p++) sum += input[(n * pixels + p) * op.Channels + c] - op.ZeroPoint;
                int mean = Rounding.DivRound(sum, pixels);
                output[n * op.Channels + c] = (sbyte)Math.Clamp(mean + op.ZeroPoint, sbyte.MinValue, sbyte.MaxValue);
            }
    }

    public override string ToString() => $"Int8GlobalAveragePool N{Batch} {Height}x{Width}x{Channels} zp {ZeroPoint}";
}
