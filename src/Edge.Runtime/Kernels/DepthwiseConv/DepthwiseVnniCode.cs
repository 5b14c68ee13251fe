using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Edge.Runtime.CodeGen;
using Edge.Runtime.Kernels.Gemm;

namespace Edge.Runtime.Kernels.DepthwiseConv;

/// <summary>
/// The depthwise kernels on AVX-512 VNNI, as machine code made once per process (the reason, and the calling
/// convention, as for <see cref="VnniTileCode"/>, whose switches turn these off too). They read the quad rows of
/// <see cref="DepthwiseQuadRows"/>: per output pixel and kernel row, 16 channels × one quad of up to four taps
/// <c>[u_kw, u_kw+1, u_kw+2, u_kw+3]</c> (u = x + 128), so one <c>vpdpbusd</c> against the block's
/// <c>[w_kh,kw … w_kh,kw+3]</c> (zeros past KW) adds a whole kernel row of 16 channels: a 3×3 filter is three
/// <c>vpdpbusd</c> per pixel and block, where the AVX2 pair kernel needs twelve <c>vpmaddwd</c> and their adds.
/// <para>
/// One call: <see cref="DepthwiseVnniArgs.Blocks"/> 16-channel blocks in turn, each of <see cref="DepthwiseVnniArgs.Groups"/>
/// groups of P neighbouring output pixels (P from 1 to 8, chosen per layer so that groups tile the output row where they
/// can): one call per output row, not per block (the call and its setup had cost about as much as a small block's
/// pixels). A block's weights (KH·Q zmm, Q = ⌈KW/4⌉ quads per kernel row), its bias and the output stage's constants stay
/// in registers across its groups, and the arguments' pointers advance to the next block's; each pixel's accumulator starts at the bias, takes KH·Q
/// <c>vpdpbusd</c> and then the short stage (<see cref="VnniTileCode"/>'s: <c>⌊(acc·M + 2^(n−1)) / 2^n⌋</c> as the high
/// dword of the 64-bit products, one add and one arithmetic shift, then the clamp in int32, <c>vpmovsdb</c>, a store
/// masked to the block's channels). Against the tiles' stage two steps are folded away: the bias add (the accumulator
/// starts there), and the zero-point add, which rides in the rounding add (<see cref="DepthwiseVnniArgs.Add"/> holds
/// <c>2^(s−1) + zp·2^s</c>: <c>⌊(h + a + zp·2^s) / 2^s⌋ = ⌊(h + a) / 2^s⌋ + zp</c> exactly while the sum stays in int32,
/// which the operator checks). A clamp bound of −128 or 127 is left to <c>vpmovsdb</c>'s saturation, the same value.
/// Layers with a multiplier from 1/4 to 1/2 take the long stage instead (<see cref="DepthwiseVnniKernel.Long"/>: the
/// contract's int64 add and shift on the products, <see cref="VnniStageTables"/>). Registers: zmm0–7 accumulators, then
/// four (long stage: two) for the loaded quads, ten for the weights, eight (ten) for the stage's constants, zmm30–31 its
/// temporaries; k1 the channel mask. Arguments in <see cref="DepthwiseVnniArgs"/> (rdi).
/// </para>
/// </summary>
internal static unsafe class DepthwiseVnniCode
{
    /// <summary>The most kernel rows (one general register each) and weight registers (KH·Q) a kernel holds.</summary>
    public const int MaxRows = 7, MaxWeights = 10;

    /// <summary>The most pixels per group (one accumulator each).</summary>
    public const int MaxGroup = 8;

    private static readonly ConcurrentDictionary<DepthwiseVnniKernel, nint> Placed = new();

    /// <summary>True when this process runs the generated depthwise kernels (the VNNI tiles' conditions).</summary>
    public static bool IsSupported => VnniTileCode.IsSupported;

    /// <summary>Whether a kernel exists for <paramref name="kernelH"/> rows of <paramref name="quads"/> quads.</summary>
    public static bool Fits(int kernelH, int quads) => kernelH is >= 1 and <= MaxRows && quads is 1 or 2 && kernelH * quads <= MaxWeights;

    /// <summary>
    /// The kernel <paramref name="kernel"/> describes, assembled and placed on first use (an operator asks for its kernels
    /// when it is prepared, never in a run); null where no executable pages can be had.
    /// </summary>
    public static delegate* unmanaged[SuppressGCTransition]<DepthwiseVnniArgs*, void> Kernel(DepthwiseVnniKernel kernel)
    {
        if (!IsSupported) return null;
        nint entry = Placed.GetOrAdd(kernel, static k => (nint)ExecutableMemory.TryPlace(Assemble(k), $"depthwise-quad {k}"));
        return (delegate* unmanaged[SuppressGCTransition]<DepthwiseVnniArgs*, void>)entry;
    }

    private static Gpr[] RowRegisters => [Gpr.Rsi, Gpr.Rdx, Gpr.Rcx, Gpr.R8, Gpr.R9, Gpr.R11, Gpr.Rbx];
    private const int X0 = 8, T0 = 30, T1 = 31;

    /// <summary>The machine code of <paramref name="kernel"/>.</summary>
    internal static byte[] Assemble(DepthwiseVnniKernel kernel)
    {
        var (kernelH, quads, pixels) = (kernel.Rows, kernel.Quads, kernel.Pixels);
        if (!Fits(kernelH, quads)) throw new ArgumentOutOfRangeException(nameof(kernel), $"no depthwise VNNI kernel for {kernelH} rows of {quads} quads");
        if (pixels is < 1 or > MaxGroup) throw new ArgumentOutOfRangeException(nameof(kernel), $"{pixels} pixels per group");
        // Registers: accumulators 0–7, then the loaded quads (four in turn; two for the long stage, whose constants take
        // two more), the weights, the stage's constants, and two temporaries (30, 31).
        int loads = kernel.Long ? 2 : 4, w0 = X0 + loads, c0 = w0 + MaxWeights;
        int bias = c0, evenM = c0 + 1, oddM = c0 + 2, index = c0 + 3, lo = c0 + 4, hi = c0 + 5;
        int add = c0 + 6, shift = c0 + 7, addOdd = c0 + 8, shiftOdd = c0 + 9;   // the long stage's odd tables: 30, 31 would clash
        if (kernel.Long ? shiftOdd >= T0 : shift >= T0) throw new InvalidOperationException("depthwise VNNI kernel: out of vector registers");
        var asm = new X64Assembler();
        asm.Prologue();
        const Gpr args = Gpr.Rdi, y = Gpr.R10, ldc = Gpr.Rax, at = Gpr.R12, groups = Gpr.R14, t = Gpr.R15;
        asm.MovLoad(t, args, DepthwiseVnniArgs.IndexOffset);
        asm.Load(index, t, null, 0);
        if (kernel.ClampLow) asm.VpbroadcastdLoad(lo, args, null, DepthwiseVnniArgs.ClampMinOffset);
        if (kernel.ClampHigh) asm.VpbroadcastdLoad(hi, args, null, DepthwiseVnniArgs.ClampMaxOffset);
        asm.MovLoad(ldc, args, DepthwiseVnniArgs.LdcOffset);

        // Per block: its mask, weights, bias and stage tables, its quads and outputs; the args' pointers advance after it.
        int block = asm.Position;
        asm.MovLoad(t, args, DepthwiseVnniArgs.MasksOffset);
        asm.KmovwLoad(1, t, 0);
        asm.MovLoad(t, args, DepthwiseVnniArgs.WeightsOffset);
        for (int i = 0; i < kernelH * quads; i++) asm.Load(w0 + i, t, null, 64 * i);
        asm.MovLoad(t, args, DepthwiseVnniArgs.BiasOffset);
        asm.Load(bias, t, null, 0);
        asm.MovLoad(t, args, DepthwiseVnniArgs.MultiplierOffset);
        asm.Load(evenM, t, null, 0);      // M of the even lanes (the low dword of each int64)
        asm.Load(oddM, t, null, 4);       // M of the odd lanes
        asm.MovLoad(t, args, DepthwiseVnniArgs.AddOffset);
        asm.Load(add, t, null, 0);        // short: 2^(s−1) + zp·2^s per lane; long: 2^(n−1) + zp·2^n per even lane (int64)
        if (kernel.Long) asm.Load(addOdd, t, null, 64);
        asm.MovLoad(t, args, DepthwiseVnniArgs.ShiftOffset);
        asm.Load(shift, t, null, 0);      // short: s = n − 32 per lane; long: n per even lane (int64)
        if (kernel.Long) asm.Load(shiftOdd, t, null, 64);
        var rows = RowRegisters;
        for (int kh = 0; kh < kernelH; kh++) asm.MovLoad(rows[kh], args, DepthwiseVnniArgs.RowsOffset + 8 * kh);
        asm.MovLoad(y, args, DepthwiseVnniArgs.YOffset);
        asm.MovLoad(groups, args, DepthwiseVnniArgs.GroupsOffset);
        asm.Zero(at);

        int loop = asm.Position;
        for (int i = 0; i < pixels; i++) asm.Vmovdqa64(i, bias);
        for (int kh = 0; kh < kernelH; kh++)
            for (int j = 0; j < quads; j++)
                for (int i = 0; i < pixels; i++)
                {
                    int x = X0 + i % loads;
                    asm.Load(x, rows[kh], at, (i * quads + j) * DepthwiseQuadRows.QuadBytes);
                    asm.Vpdpbusd(i, x, w0 + kh * quads + j);
                }
        for (int i = 0; i < pixels; i++)
        {
            const int e = T0, o = T1;
            if (!kernel.Long) VnniTileCode.EmitShortRequantize(asm, e, i, evenM, oddM, index, add, shift, o);
            else VnniTileCode.EmitLongRequantize(asm, e, i, evenM, oddM, index, add, addOdd, shift, shiftOdd, o);
            if (kernel.ClampLow) asm.Vpmaxsd(e, e, lo);
            if (kernel.ClampHigh) asm.Vpminsd(e, e, hi);
            asm.VpmovsdbStore(y, 0, e, mask: 1);
            asm.Add(y, ldc);
        }
        asm.AddImm(at, pixels * quads * DepthwiseQuadRows.QuadBytes);
        asm.Dec(groups);
        asm.Jnz(loop);

        // The next block: 2 bytes of masks, its weights, 16 biases, the tables' 16 lanes, its quads, 16 output bytes on.
        asm.AddToQword(args, DepthwiseVnniArgs.MasksOffset, 2, t);
        asm.AddToQword(args, DepthwiseVnniArgs.WeightsOffset, kernelH * quads * DepthwiseQuadRows.QuadBytes, t);
        asm.AddToQword(args, DepthwiseVnniArgs.BiasOffset, 64, t);
        asm.AddToQword(args, DepthwiseVnniArgs.MultiplierOffset, 64, t);
        asm.AddToQword(args, DepthwiseVnniArgs.AddOffset, kernel.Long ? 128 : 64, t);
        asm.AddToQword(args, DepthwiseVnniArgs.ShiftOffset, kernel.Long ? 128 : 64, t);
        asm.AddToQword(args, DepthwiseVnniArgs.YOffset, 16, t);
        for (int kh = 0; kh < kernelH; kh++)
        {
            asm.MovLoad(t, args, DepthwiseVnniArgs.RowsOffset + 8 * kh);
            asm.AddLoad(t, args, DepthwiseVnniArgs.BlockStrideOffset);
            asm.MovStore(args, DepthwiseVnniArgs.RowsOffset + 8 * kh, t);
        }
        asm.MovLoad(t, args, DepthwiseVnniArgs.BlocksOffset);
        asm.Dec(t);
        asm.MovStore(args, DepthwiseVnniArgs.BlocksOffset, t);
        asm.Jnz(block);

        asm.Epilogue();
        return asm.ToArray();
    }
}

/// <summary>
/// One generated depthwise kernel: <see cref="Rows"/> kernel rows of <see cref="Quads"/> quads, groups of
/// <see cref="Pixels"/> pixels (1 to <see cref="DepthwiseVnniCode.MaxGroup"/>), and which bounds of the clamp bind (a bound
/// of −128 or 127 is the saturation of <c>vpmovsdb</c> itself). <see cref="Long"/>: the stage in int64 (<c>vpaddq</c>,
/// <c>vpsravq</c> on the products), for layers with a multiplier from 1/4 to 1/2, which the short stage does not take.
/// </summary>
internal readonly record struct DepthwiseVnniKernel(int Rows, int Quads, int Pixels, bool ClampLow, bool ClampHigh, bool Long = false);

/// <summary>What a generated depthwise kernel (<see cref="DepthwiseVnniCode.Kernel"/>) reads.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct DepthwiseVnniArgs
{
    public const int RowsOffset = 0, WeightsOffset = 64, BiasOffset = 72, MultiplierOffset = 80, AddOffset = 88, ShiftOffset = 96,
        IndexOffset = 104, ClampMinOffset = 112, ClampMaxOffset = 116, MasksOffset = 120, GroupsOffset = 128,
        YOffset = 136, LdcOffset = 144, BlocksOffset = 152, BlockStrideOffset = 160;

    /// <summary>Per kernel row kh, the block's quads of the first pixel (<see cref="DepthwiseQuadRows"/>); pixel i's are <c>i·Q·64</c> bytes on.</summary>
    public fixed long Rows[8];

    /// <summary>The block's weights, <c>[KH][Q][16 channels][4]</c>.</summary>
    public sbyte* Weights;

    /// <summary>The block's 16 biases (the zero point's and the 128·Σw correction folded in).</summary>
    public int* Bias;

    /// <summary>
    /// The stage's tables at the block (<see cref="VnniStageTables"/>): M from the block's first channel (the odd lanes'
    /// from the next one), the rounding add with the zero point folded in and the shift (the long stage: the block's even
    /// channels' int64, then its odd ones' 64 bytes on).
    /// </summary>
    public int* Multiplier, Add, Shift;

    /// <summary>The vpermt2d index: the products' high dwords (short stage) or the shifted sums' low dwords (long), in lane order.</summary>
    public int* Index;

    public int ClampMin, ClampMax;

    /// <summary>Per block from the first, the channels stored (bit j: channel 16·b + j).</summary>
    public ushort* Masks;

    /// <summary>Groups of P pixels, ≥ 1.</summary>
    public long Groups;

    /// <summary>The first pixel's output at the block's first channel, and the bytes between pixels (C).</summary>
    public sbyte* Y;
    public long Ldc;

    /// <summary>16-channel blocks to run, ≥ 1 (counted down by the kernel), and the bytes from one block's quads to the next's.</summary>
    public long Blocks, BlockStride;
}
