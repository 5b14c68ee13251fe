using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.Float;

/// <summary>
/// Float32 → int8 with the output's parameters, by the contract's rule:
/// <c>q = clamp(round_half_away(x / s) + zp, −128, 127)</c> in double, ±∞ saturating, NaN to the zero point.
/// <para>
/// The vector paths (Float32Quantize.Avx2.cs, Float32Quantize.Vector128.cs) give the same bytes as
/// <see cref="QuantizationParams.Quantize"/>: the float widens to double exactly and the division is IEEE double
/// division, as in the scalar rule (the AVX-512 path multiplies floats by the reciprocal where that provably rounds
/// alike, Float32Quantize.Avx512BW.cs); <c>round_half_away(v) = t + (|v − t| ≥ ½ ? sign(v) : 0)</c> with <c>t = trunc(v)</c>,
/// where <c>v − t</c> is exact (the fraction bits of v; 0 from 2^52 on); ±∞ give <c>t = ±∞</c> and a NaN fraction, which
/// compares false, so they stay infinite and saturate in the clamp; a NaN quotient (only from a NaN input: s is finite
/// and positive) is replaced by the zero point. The clamped value is an integer in [−128, 127], so its conversion to
/// int32 is exact.
/// </para>
/// </summary>
public sealed partial class Float32Quantize
{
    private Float32Quantize(QuantizationParams output) => Output = output;

    public QuantizationParams Output { get; }

    public static Float32Quantize Prepare(QuantizationParams output)
    {
        output.Validate("quantize output");
        return new Float32Quantize(output);
    }

    public static void Run(Float32Quantize op, ReadOnlySpan<float> input, Span<sbyte> output, KernelPath path)
    {
        Guard.SameLength(input.Length, output.Length, "quantize input and output");
        Strided(input, output, 1, op.Output, path);
    }

    /// <summary>Runs the widest path this machine accelerates.</summary>
    public static void Run(Float32Quantize op, ReadOnlySpan<float> input, Span<sbyte> output) => Run(op, input, output, KernelPath.Avx512BW);

    /// <summary>
    /// The path <see cref="Strided"/> runs for <paramref name="path"/> on this machine: Avx512BW (for Avx512BW and above,
    /// with AVX-512 VBMI: on the VNNI path too, also where the other managed kernels run AVX2 — the division it falls back
    /// to runs at one rate on both widths, and AVX-512 stores a block at once), Avx2 (for Avx2 and above), Vector128 or Scalar.
    /// </summary>
    public static KernelPath PathFor(KernelPath path)
    {
        var resolved = KernelPaths.Supported(path);
        if (resolved >= KernelPath.Avx512BW && System.Runtime.Intrinsics.X86.Avx512Vbmi.IsSupported) return KernelPath.Avx512BW;
        if (resolved.IsX86()) return KernelPath.Avx2;
        return resolved != KernelPath.Scalar && Vector128.IsHardwareAccelerated ? KernelPath.Vector128 : KernelPath.Scalar;
    }

    /// <summary>
    /// <c>y[i·stride] = quantize(x[i])</c> for every i (a stride of C writes one channel of an NHWC tensor from an NCHW
    /// plane) on <paramref name="path"/> or the widest path below it this machine accelerates: Avx512BW and above run
    /// AVX-512 (eight doubles per division), Avx2 256-bit AVX (four), Vector128 and the ARM64 paths two, Scalar the
    /// contract's rule value by value. The AVX-512 blocks leave a remainder (and strides above 4) to the AVX2 blocks.
    /// </summary>
    public static void Strided(ReadOnlySpan<float> x, Span<sbyte> y, int stride, QuantizationParams p, KernelPath path)
    {
        if (stride < 1) throw new ArgumentOutOfRangeException(nameof(stride), stride, "the stride must be at least 1");
        if (x.Length > 0 && (long)(x.Length - 1) * stride >= y.Length)
            throw new ArgumentException($"{x.Length} values at stride {stride} do not fit {y.Length} outputs");
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref sbyte ry = ref MemoryMarshal.GetReference(y);
        var runs = PathFor(path);
        int i = runs == KernelPath.Avx512BW ? Avx512Blocks(ref rx, x.Length, ref ry, stride, p) : 0;
        i += runs switch
        {
            KernelPath.Avx512BW or KernelPath.Avx2 => Avx2Blocks(ref Unsafe.Add(ref rx, i), x.Length - i, ref Unsafe.Add(ref ry, (nint)i * stride), stride, p),
            KernelPath.Vector128 => Vector128Blocks(ref rx, x.Length, ref ry, stride, p),
            _ => 0,
        };
        for (; i < x.Length; i++) Unsafe.Add(ref ry, (nint)i * stride) = p.Quantize(Unsafe.Add(ref rx, i));
    }

    /// <summary>Stores the eight int32 values (each in [−128, 127]) as bytes at <paramref name="stride"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store8(Vector128<int> lo, Vector128<int> hi, ref sbyte y, int stride)
    {
        var bytes = Vector128.Narrow(Vector128.Narrow(lo, hi), Vector128<short>.Zero);
        if (stride == 1)
        {
            Unsafe.WriteUnaligned(ref Unsafe.As<sbyte, byte>(ref y), bytes.AsInt64().ToScalar());
            return;
        }
        ulong packed = bytes.AsUInt64().ToScalar();
        for (int j = 0; j < 8; j++, packed >>= 8) Unsafe.Add(ref y, (nint)j * stride) = (sbyte)packed;
    }

    public override string ToString() => $"Float32Quantize to {Output}";
}
