using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Edge.Runtime.Kernels;
using ArmIsa = System.Runtime.Intrinsics.Arm;
using X86Isa = System.Runtime.Intrinsics.X86;

namespace Edge.Runtime.Diagnostics;

/// <summary>One multiply-accumulate micro-loop of <see cref="MacPeak"/> and what it reached on this core.</summary>
/// <param name="Name">Short id, e.g. <c>avx2-maddubs</c>.</param>
/// <param name="Instructions">What one step issues, e.g. <c>vpmaddubsw + vpmaddwd + vpaddd (256-bit)</c>.</param>
/// <param name="DataType">The products' operands: <c>int8</c>, <c>int16</c> or <c>fp32</c>.</param>
/// <param name="Path">The int8 kernel path whose kernels this loop bounds; null for the fp32 loops (what float engines stand on).</param>
/// <param name="MacsPerStep">Multiply-accumulates one step of one chain does.</param>
/// <param name="GmacPerSecond">The best of the timed repetitions, in 10⁹ multiply-accumulates per second, one thread.</param>
public sealed record MacPeakResult(string Name, string Instructions, string DataType, KernelPath? Path, int MacsPerStep, double GmacPerSecond);

/// <summary>
/// This core's multiply-accumulate peak per instruction pattern, so a kernel's GMAC/s reads as a share of the limit
/// (<c>edge bench --peak</c>). Each loop runs <see cref="Chains"/> independent accumulator chains; every step of a chain
/// reads its own accumulator (loop-carried: nothing can be hoisted out of the loop or removed, and no two steps of a chain
/// overlap), and the chains are enough to cover the instructions' latency so that their throughput is what is measured.
/// Values are meaningless (an int8 loop reads its int32 accumulator's bytes as the next activations); only the time counts.
/// One thread, the calling one; the best of several short repetitions, so a loaded machine lowers the figure less.
/// </summary>
public static class MacPeak
{
    /// <summary>Independent accumulator chains per loop: ≥ latency × issue rate of every pattern here, within 16 vector registers.</summary>
    public const int Chains = 10;

    private sealed record Loop(string Name, string Instructions, string DataType, KernelPath? Path, int MacsPerStep, bool Supported, Func<long, int> Run);

    private static readonly Loop[] Loops =
    [
        new("avx512vnni-tile", $"vpdpbusd (512-bit) in the generated 8×32 tile, K = {VnniQuads * 4}, call and stores included", "int8",
            KernelPath.Avx512Vnni, VnniTileMacs / Chains, Kernels.Gemm.VnniTileCode.IsSupported, Avx512VnniTile),
        new("avx512bw-maddubs", "vpmaddubsw + vpmaddwd + vpaddd (512-bit)", "int8", KernelPath.Avx512BW, 64, X86Isa.Avx512BW.IsSupported, Avx512Maddubs),
        new("avx512bw-maddwd", "vpmaddwd + vpaddd (512-bit)", "int16", KernelPath.Avx512BW, 32, X86Isa.Avx512BW.IsSupported, Avx512Maddwd),
        new("avx512f-fma", "vfmadd231ps (512-bit)", "fp32", null, 16, X86Isa.Avx512F.IsSupported, Avx512Fma),
        new("avxvnni-dpbusd", "vpdpbusd (256-bit)", "int8", KernelPath.AvxVnni, 32, X86Isa.AvxVnni.IsSupported, AvxVnniDpbusd),
        new("avx2-maddubs", "vpmaddubsw + vpmaddwd + vpaddd (256-bit)", "int8", KernelPath.Avx2, 32, X86Isa.Avx2.IsSupported, Avx2Maddubs),
        new("avx2-maddwd", "vpmaddwd + vpaddd (256-bit)", "int16", KernelPath.Avx2, 16, X86Isa.Avx2.IsSupported, Avx2Maddwd),
        new("avx2-fma", "vfmadd231ps (256-bit)", "fp32", null, 8, X86Isa.Fma.IsSupported, Avx2Fma),
        new("advsimd-dp-sdot", "sdot (128-bit)", "int8", KernelPath.AdvSimdDp, 16, ArmIsa.Dp.IsSupported, AdvSimdSdot),
        new("advsimd-smlal", "smlal + smlal2 (int8 → int16, 128-bit)", "int8", KernelPath.AdvSimd, 16, ArmIsa.AdvSimd.IsSupported, AdvSimdSmlal),
        new("advsimd-fma", "fmla (128-bit)", "fp32", null, 4, ArmIsa.AdvSimd.IsSupported, AdvSimdFma),
        new("vector128-int8", "Vector128: widen int8 → int16, multiply, add, widen → int32 (the portable kernels' pattern)", "int8",
            KernelPath.Vector128, 16, Vector128.IsHardwareAccelerated, PortableVector128),
    ];

    /// <summary>Names of the loops this machine can run, widest first.</summary>
    public static IReadOnlyList<string> Available => [.. Loops.Where(l => l.Supported).Select(l => l.Name)];

    /// <summary>
    /// Runs every loop this machine supports: steps per repetition sized to about <paramref name="repetition"/>, then
    /// <paramref name="repetitions"/> timed repetitions, the best kept. Defaults: 50 × 2 ms per loop: short repetitions, so that on a loaded machine some run between two preemptions.
    /// </summary>
    public static IReadOnlyList<MacPeakResult> Measure(TimeSpan? repetition = null, int repetitions = 50)
    {
        if (repetitions < 1) throw new ArgumentOutOfRangeException(nameof(repetitions), repetitions, "at least one repetition");
        double target = (repetition ?? TimeSpan.FromMilliseconds(2)).TotalSeconds;
        var results = new List<MacPeakResult>();
        foreach (var loop in Loops.Where(l => l.Supported))
        {
            long steps = 1024;
            double seconds;
            while ((seconds = Time(loop, steps)) < target / 4 && steps < (1L << 40)) steps *= 4;
            steps = Math.Max(1, (long)(steps * target / Math.Max(seconds, 1e-9)));
            double best = double.MaxValue;
            for (int r = 0; r < repetitions; r++) best = Math.Min(best, Time(loop, steps));
            double gmacs = (double)steps * Chains * loop.MacsPerStep / best / 1e9;
            results.Add(new MacPeakResult(loop.Name, loop.Instructions, loop.DataType, loop.Path, loop.MacsPerStep, gmacs));
        }
        return results;
    }

    /// <summary>
    /// The int8 limit that bounds kernels on <paramref name="path"/>: the best int8 or int16 loop of that path, or null when
    /// <paramref name="peaks"/> has none (the scalar reference has no loop).
    /// </summary>
    public static double? LimitFor(KernelPath path, IEnumerable<MacPeakResult> peaks)
    {
        var own = peaks.Where(p => p.Path == path).Select(p => p.GmacPerSecond).ToArray();
        return own.Length == 0 ? null : own.Max();
    }

    private static int _sink;

    private static double Time(Loop loop, long steps)
    {
        long start = Stopwatch.GetTimestamp();
        _sink ^= loop.Run(steps);
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private const int VnniQuads = 40, VnniTileMacs = 8 * 32 * VnniQuads * 4;

    /// <summary>The generated VNNI tile (<see cref="Kernels.Gemm.VnniTileCode"/>) on L1-resident data, one call per step.</summary>
    private static unsafe int Avx512VnniTile(long steps)
    {
        var a = new sbyte[8 * VnniQuads * 4];
        var b = new sbyte[2 * VnniQuads * 64];
        var shape = Kernels.Gemm.VnniTileShape.Gemm(VnniQuads);
        int* tile = stackalloc int[Kernels.Gemm.Int8GemmTile.TileInts];
        var run = Kernels.Gemm.VnniTileCode.Tile(2);
        fixed (sbyte* pa = a, pb = b)
            for (long i = 0; i < steps; i++) run(pa, VnniQuads * 4, pb, &shape, tile, VnniQuads * 64);
        return tile[0];
    }

    // ── x86 ──────────────────────────────────────────────────────────────────────────────────────────────────────────
    // Each loop keeps Chains accumulators in registers; AggressiveOptimization compiles them fully optimized at once (no
    // tier-0 first, no on-stack replacement halfway through a repetition).

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Maddubs256(Vector256<int> acc, Vector256<sbyte> w, Vector256<short> ones)
        => X86Isa.Avx2.Add(acc, X86Isa.Avx2.MultiplyAddAdjacent(X86Isa.Avx2.MultiplyAddAdjacent(acc.AsByte(), w), ones));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Avx2Maddubs(long steps)
    {
        var w = Vector256.Create((sbyte)3);
        var ones = Vector256.Create((short)1);
        Vector256<int> a0 = Vector256.Create(1), a1 = Vector256.Create(2), a2 = Vector256.Create(3), a3 = Vector256.Create(4), a4 = Vector256.Create(5);
        Vector256<int> a5 = Vector256.Create(6), a6 = Vector256.Create(7), a7 = Vector256.Create(8), a8 = Vector256.Create(9), a9 = Vector256.Create(10);
        for (long i = 0; i < steps; i++)
        {
            a0 = Maddubs256(a0, w, ones); a1 = Maddubs256(a1, w, ones); a2 = Maddubs256(a2, w, ones); a3 = Maddubs256(a3, w, ones); a4 = Maddubs256(a4, w, ones);
            a5 = Maddubs256(a5, w, ones); a6 = Maddubs256(a6, w, ones); a7 = Maddubs256(a7, w, ones); a8 = Maddubs256(a8, w, ones); a9 = Maddubs256(a9, w, ones);
        }
        return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9).ToScalar();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Maddwd256(Vector256<int> acc, Vector256<short> w) => X86Isa.Avx2.Add(acc, X86Isa.Avx2.MultiplyAddAdjacent(acc.AsInt16(), w));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Avx2Maddwd(long steps)
    {
        var w = Vector256.Create((short)3);
        Vector256<int> a0 = Vector256.Create(1), a1 = Vector256.Create(2), a2 = Vector256.Create(3), a3 = Vector256.Create(4), a4 = Vector256.Create(5);
        Vector256<int> a5 = Vector256.Create(6), a6 = Vector256.Create(7), a7 = Vector256.Create(8), a8 = Vector256.Create(9), a9 = Vector256.Create(10);
        for (long i = 0; i < steps; i++)
        {
            a0 = Maddwd256(a0, w); a1 = Maddwd256(a1, w); a2 = Maddwd256(a2, w); a3 = Maddwd256(a3, w); a4 = Maddwd256(a4, w);
            a5 = Maddwd256(a5, w); a6 = Maddwd256(a6, w); a7 = Maddwd256(a7, w); a8 = Maddwd256(a8, w); a9 = Maddwd256(a9, w);
        }
        return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9).ToScalar();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Avx2Fma(long steps)
    {
        // acc·m + c with m just below 1 and c small stays in normal range: no denormal slow path.
        var m = Vector256.Create(0.999f);
        var c = Vector256.Create(1e-3f);
        Vector256<float> a0 = Vector256.Create(1f), a1 = Vector256.Create(2f), a2 = Vector256.Create(3f), a3 = Vector256.Create(4f), a4 = Vector256.Create(5f);
        Vector256<float> a5 = Vector256.Create(6f), a6 = Vector256.Create(7f), a7 = Vector256.Create(8f), a8 = Vector256.Create(9f), a9 = Vector256.Create(10f);
        for (long i = 0; i < steps; i++)
        {
            a0 = X86Isa.Fma.MultiplyAdd(a0, m, c); a1 = X86Isa.Fma.MultiplyAdd(a1, m, c); a2 = X86Isa.Fma.MultiplyAdd(a2, m, c);
            a3 = X86Isa.Fma.MultiplyAdd(a3, m, c); a4 = X86Isa.Fma.MultiplyAdd(a4, m, c); a5 = X86Isa.Fma.MultiplyAdd(a5, m, c);
            a6 = X86Isa.Fma.MultiplyAdd(a6, m, c); a7 = X86Isa.Fma.MultiplyAdd(a7, m, c); a8 = X86Isa.Fma.MultiplyAdd(a8, m, c);
            a9 = X86Isa.Fma.MultiplyAdd(a9, m, c);
        }
        return (int)(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9).ToScalar();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Dpbusd256(Vector256<int> acc, Vector256<sbyte> w) => X86Isa.AvxVnni.MultiplyWideningAndAdd(acc, acc.AsByte(), w);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int AvxVnniDpbusd(long steps)
    {
        var w = Vector256.Create((sbyte)3);
        Vector256<int> a0 = Vector256.Create(1), a1 = Vector256.Create(2), a2 = Vector256.Create(3), a3 = Vector256.Create(4), a4 = Vector256.Create(5);
        Vector256<int> a5 = Vector256.Create(6), a6 = Vector256.Create(7), a7 = Vector256.Create(8), a8 = Vector256.Create(9), a9 = Vector256.Create(10);
        for (long i = 0; i < steps; i++)
        {
            a0 = Dpbusd256(a0, w); a1 = Dpbusd256(a1, w); a2 = Dpbusd256(a2, w); a3 = Dpbusd256(a3, w); a4 = Dpbusd256(a4, w);
            a5 = Dpbusd256(a5, w); a6 = Dpbusd256(a6, w); a7 = Dpbusd256(a7, w); a8 = Dpbusd256(a8, w); a9 = Dpbusd256(a9, w);
        }
        return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9).ToScalar();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Maddubs512(Vector512<int> acc, Vector512<sbyte> w, Vector512<short> ones)
        => X86Isa.Avx512BW.Add(acc, X86Isa.Avx512BW.MultiplyAddAdjacent(X86Isa.Avx512BW.MultiplyAddAdjacent(acc.AsByte(), w), ones));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Avx512Maddubs(long steps)
    {
        var w = Vector512.Create((sbyte)3);
        var ones = Vector512.Create((short)1);
        Vector512<int> a0 = Vector512.Create(1), a1 = Vector512.Create(2), a2 = Vector512.Create(3), a3 = Vector512.Create(4), a4 = Vector512.Create(5);
        Vector512<int> a5 = Vector512.Create(6), a6 = Vector512.Create(7), a7 = Vector512.Create(8), a8 = Vector512.Create(9), a9 = Vector512.Create(10);
        for (long i = 0; i < steps; i++)
        {
            a0 = Maddubs512(a0, w, ones); a1 = Maddubs512(a1, w, ones); a2 = Maddubs512(a2, w, ones); a3 = Maddubs512(a3, w, ones); a4 = Maddubs512(a4, w, ones);
            a5 = Maddubs512(a5, w, ones); a6 = Maddubs512(a6, w, ones); a7 = Maddubs512(a7, w, ones); a8 = Maddubs512(a8, w, ones); a9 = Maddubs512(a9, w, ones);
        }
        return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9).ToScalar();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Maddwd512(Vector512<int> acc, Vector512<short> w) => X86Isa.Avx512BW.Add(acc, X86Isa.Avx512BW.MultiplyAddAdjacent(acc.AsInt16(), w));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Avx512Maddwd(long steps)
    {
        var w = Vector512.Create((short)3);
        Vector512<int> a0 = Vector512.Create(1), a1 = Vector512.Create(2), a2 = Vector512.Create(3), a3 = Vector512.Create(4), a4 = Vector512.Create(5);
        Vector512<int> a5 = Vector512.Create(6), a6 = Vector512.Create(7), a7 = Vector512.Create(8), a8 = Vector512.Create(9), a9 = Vector512.Create(10);
        for (long i = 0; i < steps; i++)
        {
            a0 = Maddwd512(a0, w); a1 = Maddwd512(a1, w); a2 = Maddwd512(a2, w); a3 = Maddwd512(a3, w); a4 = Maddwd512(a4, w);
            a5 = Maddwd512(a5, w); a6 = Maddwd512(a6, w); a7 = Maddwd512(a7, w); a8 = Maddwd512(a8, w); a9 = Maddwd512(a9, w);
        }
        return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9).ToScalar();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Avx512Fma(long steps)
    {
        var m = Vector512.Create(0.999f);
        var c = Vector512.Create(1e-3f);
        Vector512<float> a0 = Vector512.Create(1f), a1 = Vector512.Create(2f), a2 = Vector512.Create(3f), a3 = Vector512.Create(4f), a4 = Vector512.Create(5f);
        Vector512<float> a5 = Vector512.Create(6f), a6 = Vector512.Create(7f), a7 = Vector512.Create(8f), a8 = Vector512.Create(9f), a9 = Vector512.Create(10f);
        for (long i = 0; i < steps; i++)
        {
            a0 = X86Isa.Avx512F.FusedMultiplyAdd(a0, m, c); a1 = X86Isa.Avx512F.FusedMultiplyAdd(a1, m, c); a2 = X86Isa.Avx512F.FusedMultiplyAdd(a2, m, c);
            a3 = X86Isa.Avx512F.FusedMultiplyAdd(a3, m, c); a4 = X86Isa.Avx512F.FusedMultiplyAdd(a4, m, c); a5 = X86Isa.Avx512F.FusedMultiplyAdd(a5, m, c);
            a6 = X86Isa.Avx512F.FusedMultiplyAdd(a6, m, c); a7 = X86Isa.Avx512F.FusedMultiplyAdd(a7, m, c); a8 = X86Isa.Avx512F.FusedMultiplyAdd(a8, m, c);
            a9 = X86Isa.Avx512F.FusedMultiplyAdd(a9, m, c);
        }
        return (int)(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9).ToScalar();
    }

    // ── ARM64 ────────────────────────────────────────────────────────────────────────────────────────────────────────

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Sdot(Vector128<int> acc, Vector128<sbyte> w) => ArmIsa.Dp.DotProduct(acc, acc.AsSByte(), w);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int AdvSimdSdot(long steps)
    {
        var w = Vector128.Create((sbyte)3);
        Vector128<int> a0 = Vector128.Create(1), a1 = Vector128.Create(2), a2 = Vector128.Create(3), a3 = Vector128.Create(4), a4 = Vector128.Create(5);
        Vector128<int> a5 = Vector128.Create(6), a6 = Vector128.Create(7), a7 = Vector128.Create(8), a8 = Vector128.Create(9), a9 = Vector128.Create(10);
        for (long i = 0; i < steps; i++)
        {
            a0 = Sdot(a0, w); a1 = Sdot(a1, w); a2 = Sdot(a2, w); a3 = Sdot(a3, w); a4 = Sdot(a4, w);
            a5 = Sdot(a5, w); a6 = Sdot(a6, w); a7 = Sdot(a7, w); a8 = Sdot(a8, w); a9 = Sdot(a9, w);
        }
        return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9).ToScalar();
    }

    /// <summary>8 + 8 int8 products into int16 lanes (what a NEON int8 kernel without <c>sdot</c> issues).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<short> Smlal(Vector128<short> acc, Vector128<sbyte> w)
    {
        var x = acc.AsSByte();
        acc = ArmIsa.AdvSimd.MultiplyWideningLowerAndAdd(acc, x.GetLower(), w.GetLower());
        return ArmIsa.AdvSimd.MultiplyWideningUpperAndAdd(acc, x, w);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int AdvSimdSmlal(long steps)
    {
        var w = Vector128.Create((sbyte)3);
        Vector128<short> a0 = Vector128.Create((short)1), a1 = Vector128.Create((short)2), a2 = Vector128.Create((short)3), a3 = Vector128.Create((short)4);
        Vector128<short> a4 = Vector128.Create((short)5), a5 = Vector128.Create((short)6), a6 = Vector128.Create((short)7), a7 = Vector128.Create((short)8);
        Vector128<short> a8 = Vector128.Create((short)9), a9 = Vector128.Create((short)10);
        for (long i = 0; i < steps; i++)
        {
            a0 = Smlal(a0, w); a1 = Smlal(a1, w); a2 = Smlal(a2, w); a3 = Smlal(a3, w); a4 = Smlal(a4, w);
            a5 = Smlal(a5, w); a6 = Smlal(a6, w); a7 = Smlal(a7, w); a8 = Smlal(a8, w); a9 = Smlal(a9, w);
        }
        return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9).ToScalar();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int AdvSimdFma(long steps)
    {
        var m = Vector128.Create(0.999f);
        var c = Vector128.Create(1e-3f);
        Vector128<float> a0 = Vector128.Create(1f), a1 = Vector128.Create(2f), a2 = Vector128.Create(3f), a3 = Vector128.Create(4f), a4 = Vector128.Create(5f);
        Vector128<float> a5 = Vector128.Create(6f), a6 = Vector128.Create(7f), a7 = Vector128.Create(8f), a8 = Vector128.Create(9f), a9 = Vector128.Create(10f);
        for (long i = 0; i < steps; i++)
        {
            // FusedMultiplyAdd(addend, left, right) = addend + left·right.
            a0 = ArmIsa.AdvSimd.FusedMultiplyAdd(c, a0, m); a1 = ArmIsa.AdvSimd.FusedMultiplyAdd(c, a1, m); a2 = ArmIsa.AdvSimd.FusedMultiplyAdd(c, a2, m);
            a3 = ArmIsa.AdvSimd.FusedMultiplyAdd(c, a3, m); a4 = ArmIsa.AdvSimd.FusedMultiplyAdd(c, a4, m); a5 = ArmIsa.AdvSimd.FusedMultiplyAdd(c, a5, m);
            a6 = ArmIsa.AdvSimd.FusedMultiplyAdd(c, a6, m); a7 = ArmIsa.AdvSimd.FusedMultiplyAdd(c, a7, m); a8 = ArmIsa.AdvSimd.FusedMultiplyAdd(c, a8, m);
            a9 = ArmIsa.AdvSimd.FusedMultiplyAdd(c, a9, m);
        }
        return (int)(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9).ToScalar();
    }

    // ── Portable ─────────────────────────────────────────────────────────────────────────────────────────────────────

    /// <summary>16 int8 products as the Vector128 kernels form them (Int8Dot.Vector128.cs): widen, multiply in int16, add the halves, widen, accumulate.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Widening128(Vector128<int> acc, Vector128<short> wl, Vector128<short> wh)
    {
        var x = acc.AsSByte();
        var p = Vector128.WidenLower(x) * wl + Vector128.WidenUpper(x) * wh;
        return acc + Vector128.WidenLower(p) + Vector128.WidenUpper(p);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int PortableVector128(long steps)
    {
        var wl = Vector128.Create((short)3);
        var wh = Vector128.Create((short)-5);
        Vector128<int> a0 = Vector128.Create(1), a1 = Vector128.Create(2), a2 = Vector128.Create(3), a3 = Vector128.Create(4), a4 = Vector128.Create(5);
        Vector128<int> a5 = Vector128.Create(6), a6 = Vector128.Create(7), a7 = Vector128.Create(8), a8 = Vector128.Create(9), a9 = Vector128.Create(10);
        for (long i = 0; i < steps; i++)
        {
            a0 = Widening128(a0, wl, wh); a1 = Widening128(a1, wl, wh); a2 = Widening128(a2, wl, wh); a3 = Widening128(a3, wl, wh); a4 = Widening128(a4, wl, wh);
            a5 = Widening128(a5, wl, wh); a6 = Widening128(a6, wl, wh); a7 = Widening128(a7, wl, wh); a8 = Widening128(a8, wl, wh); a9 = Widening128(a9, wl, wh);
        }
        return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9).ToScalar();
    }
}
