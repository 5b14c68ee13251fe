using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Edge.Runtime.CodeGen;
using Edge.Runtime.Kernels.Gemm;

namespace Edge.Runtime.Kernels.Conv;

/// <summary>
/// The generated sums of <see cref="DirectPixelLanes"/>: output pixels in the 16 int32 lanes of a zmm register and one
/// register per output channel and block of 16 pixels, so a convolution with few output channels fills every lane where
/// the channel-lane tiles would fill 6 of 16. Per kernel row and block, one 64-byte load of the padded row window
/// (<see cref="ConvRowWindow"/>, written as <c>u = x + 128</c>) from the block's first pixel; per quad j, one
/// <c>vpermb</c> (AVX-512 VBMI) gathers each lane's four window bytes <c>[ow·sW·C + 4j, + 4)</c> into its dword; then per
/// output channel one <c>vpdpbusd</c> against that channel's quad of weights broadcast to every lane (into a register
/// that serves both blocks of a two-block call; a one-block call takes it as <c>{1to16}</c> memory operand).
/// The accumulators start at the channels' biases (<see cref="GemmPanels.VnniBias"/>: the zero point and the −128·Σw of
/// the unsigned window folded in), and end stored as int32, <c>sums[(channel·Blocks + block)·16 + lane]</c>.
/// <para>
/// Exact for the reason the VNNI tiles are (<see cref="VnniTileCode"/>): each product is at most 255·127, the four of a
/// quad are added to the lane without saturation, and the sum wraps modulo 2^32 as the contract's accumulator.
/// <c>kernel(args)</c>, System V (rdi); the same saved registers and placement as the tiles; one kernel per
/// <see cref="PixelLaneKernel"/>, assembled on first use.
/// </para>
/// </summary>
internal static unsafe class PixelLaneCode
{
    /// <summary>Output channels of a two-block kernel: two blocks of accumulators per channel, 16 in all.</summary>
    public const int MaxChannels = 8;

    /// <summary>Output channels of a one-block kernel with the stage in it (<see cref="PixelLaneKernel.Staged"/>): one accumulator each.</summary>
    public const int MaxWideChannels = 16;

    /// <summary>Quads per kernel row (their <c>vpermb</c> indices stay in registers).</summary>
    public const int MaxQuads = 4;

    public const int MaxRows = 11;

    private static readonly ConcurrentDictionary<PixelLaneKernel, nint> Placed = new();

    /// <summary>True when this process runs generated code (the VNNI tiles' conditions) and has <c>vpermb</c> (AVX-512 VBMI).</summary>
    public static bool IsSupported => VnniTileCode.IsSupported && System.Runtime.Intrinsics.X86.Avx512Vbmi.IsSupported;

    /// <summary>The kernel <paramref name="kernel"/> describes, placed on first use; null where generated code does not run.</summary>
    public static delegate* unmanaged[SuppressGCTransition]<PixelLaneArgs*, void> Kernel(PixelLaneKernel kernel)
    {
        if (!IsSupported) return null;
        nint entry = Placed.GetOrAdd(kernel, static k => (nint)ExecutableMemory.TryPlace(Assemble(k), $"pixel-lanes {k}"));
        return (delegate* unmanaged[SuppressGCTransition]<PixelLaneArgs*, void>)entry;
    }

    private const int Weight0 = 16;

    /// <summary>
    /// The machine code of <paramref name="k"/>: accumulators zmm0–15 (channel·Blocks + block), broadcast weights zmm16–23
    /// (two blocks: each weight quad serves both), the quads' indices zmm24–27, gathered quads zmm28–29, the blocks' window
    /// bytes zmm30–31.
    /// </summary>
    internal static byte[] Assemble(PixelLaneKernel k)
    {
        bool wide = k.Channels > MaxChannels, flat = k.RowLength > 0;
        if (k.Rows is < 1 or > MaxRows || k.Quads < 1 || !flat && k.Quads > MaxQuads || k.Channels is < 1 or > MaxWideChannels || k.Blocks is < 1 or > 2
            || wide && (k.Blocks != 1 || !k.Staged) || flat && (k.RowLength < 3 || k.Quads != FlatQuads(k.Rows, k.RowLength)))
            throw new ArgumentOutOfRangeException(nameof(k), k, "no pixel-lane kernel for this shape");
        const int index0 = 24, quad0 = 28, window = 30;
        var asm = new X64Assembler();
        asm.Prologue();
        // A staged kernel runs RowCount output rows (the same pixels of each), RowAdvance window bytes and YAdvance output
        // bytes apart: the loop runs from here, re-reading its constants (all L1 hits) each row.
        int row = asm.Position;
        asm.MovLoad(Gpr.Rax, Gpr.Rdi, PixelLaneArgs.RowOffset);
        asm.MovLoad(Gpr.Rcx, Gpr.Rdi, PixelLaneArgs.RowStepOffset);
        asm.MovLoad(Gpr.R10, Gpr.Rdi, PixelLaneArgs.BlockStepOffset);
        asm.MovLoad(Gpr.Rdx, Gpr.Rdi, PixelLaneArgs.WeightsOffset);
        asm.MovLoad(Gpr.Rsi, Gpr.Rdi, PixelLaneArgs.BiasOffset);
        asm.MovLoad(Gpr.R8, Gpr.Rdi, PixelLaneArgs.IndicesOffset);
        asm.MovLoad(Gpr.R9, Gpr.Rdi, PixelLaneArgs.SumsOffset);
        if (!flat)
            for (int j = 0; j < k.Quads; j++) asm.Load(index0 + j, Gpr.R8, null, 64 * j);
        for (int c = 0; c < k.Channels; c++)
            for (int b = 0; b < k.Blocks; b++)
                asm.VpbroadcastdLoad(c * k.Blocks + b, Gpr.Rsi, null, 4 * c);
        if (flat) FlatSums(asm, k);
        for (int kh = 0; kh < k.Rows && !flat; kh++)
        {
            if (kh > 0) asm.Add(Gpr.Rax, Gpr.Rcx);
            if (k.Blocks == 1)
            {
                asm.Load(window, Gpr.Rax, null, 0);
                for (int j = 0; j < k.Quads; j++)
                {
                    int quad = quad0 + (j & 1);
                    asm.Vpermb(quad, index0 + j, window);
                    for (int c = 0; c < k.Channels; c++)
                        asm.VpdpbusdBroadcast(c, quad, Gpr.Rdx, 4 * ((kh * k.Quads + j) * k.Channels + c));
                }
                continue;
            }
            // Two blocks: each weight quad broadcast once into a register (zmm16–23 in turn) for both.
            asm.Load(window, Gpr.Rax, null, 0);
            asm.Load(window + 1, Gpr.Rax, Gpr.R10, 0);
            for (int j = 0; j < k.Quads; j++)
            {
                asm.Vpermb(quad0, index0 + j, window);
                asm.Vpermb(quad0 + 1, index0 + j, window + 1);
                for (int c = 0; c < k.Channels; c++)
                {
                    int w = Weight0 + (j * k.Channels + c) % 8;
                    asm.VpbroadcastdLoad(w, Gpr.Rdx, null, 4 * ((kh * k.Quads + j) * k.Channels + c));
                    asm.Vpdpbusd(2 * c, quad0, w);
                    asm.Vpdpbusd(2 * c + 1, quad0 + 1, w);
                }
            }
        }
        if (k.Staged)
        {
            Stage(asm, k);
            asm.MovLoad(Gpr.Rax, Gpr.Rdi, PixelLaneArgs.RowOffset);
            asm.AddLoad(Gpr.Rax, Gpr.Rdi, PixelLaneArgs.RowAdvanceOffset);
            asm.MovStore(Gpr.Rdi, PixelLaneArgs.RowOffset, Gpr.Rax);
            asm.MovLoad(Gpr.Rax, Gpr.Rdi, PixelLaneArgs.YOffset);
            asm.AddLoad(Gpr.Rax, Gpr.Rdi, PixelLaneArgs.YAdvanceOffset);
            asm.MovStore(Gpr.Rdi, PixelLaneArgs.YOffset, Gpr.Rax);
            asm.MovLoad(Gpr.Rax, Gpr.Rdi, PixelLaneArgs.RowCountOffset);
            asm.Dec(Gpr.Rax);
            asm.MovStore(Gpr.Rdi, PixelLaneArgs.RowCountOffset, Gpr.Rax); // mov leaves dec's ZF
            asm.Jnz(row);
        }
        else
            for (int acc = 0; acc < k.Channels * k.Blocks; acc++) asm.Store(Gpr.R9, 64 * acc, acc);
        asm.Epilogue();
        return asm.ToArray();
    }

    /// <summary>Quads of a flat kernel: the KH·RowLength window bytes of a pixel, four at a time across kernel rows.</summary>
    public static int FlatQuads(int rows, int rowLength) => (rows * rowLength + 3) / 4;

    /// <summary>
    /// The sums of a flat kernel (<see cref="PixelLaneKernel.RowLength"/> &gt; 0): the window's KH·L bytes taken as one run,
    /// quad q holding bytes 4q … 4q + 3 of it, which lie in one kernel row or, with L ≥ 3, in two neighbouring ones. So a
    /// 5×5 filter on one channel takes 7 quads where per-row quads take 10. Per quad its <c>vpermb</c> indices are loaded
    /// (zmm24, shared by both blocks); each block's kernel row ra is loaded (zmm28–29) and gathered in place by
    /// <c>vpermb</c>, or, where the quad reaches into row ra + 1 (loaded into zmm30–31), by <c>vpermt2b</c> with both
    /// (index bit 6 picks the row). Then one <c>vpdpbusd</c> per channel and block as in the per-row kernels. rax walks
    /// the kernel rows by RowStep (rcx), r11 = rax + BlockStep for block 1.
    /// </summary>
    private static void FlatSums(X64Assembler asm, PixelLaneKernel k)
    {
        const int index = 24, quad0 = 28, next0 = 30;
        int length = k.Rows * k.RowLength, at = 0;
        Gpr[] bases = [Gpr.Rax, Gpr.R11];
        if (k.Blocks == 2) asm.Lea(Gpr.R11, Gpr.Rax, Gpr.R10);
        for (int q = 0; q < k.Quads; q++)
        {
            int first = 4 * q / k.RowLength, last = Math.Min(4 * q + 3, length - 1) / k.RowLength;
            for (; at < first; at++)
                for (int b = 0; b < k.Blocks; b++) asm.Add(bases[b], Gpr.Rcx);
            asm.Load(index, Gpr.R8, null, 64 * q);
            for (int b = 0; b < k.Blocks; b++)
            {
                asm.Load(quad0 + b, bases[b], null, 0);
                if (last > first)
                {
                    asm.Load(next0 + b, bases[b], Gpr.Rcx, 0);
                    asm.Vpermt2b(quad0 + b, index, next0 + b);
                }
                else asm.Vpermb(quad0 + b, index, quad0 + b);
            }
            for (int c = 0; c < k.Channels; c++)
            {
                int offset = 4 * (q * k.Channels + c);
                if (k.Blocks == 1)
                {
                    asm.VpdpbusdBroadcast(c, quad0, Gpr.Rdx, offset);
                    continue;
                }
                int w = Weight0 + (q * k.Channels + c) % 8;
                asm.VpbroadcastdLoad(w, Gpr.Rdx, null, offset);
                asm.Vpdpbusd(2 * c, quad0, w);
                asm.Vpdpbusd(2 * c + 1, quad0 + 1, w);
            }
        }
    }

    /// <summary>
    /// The short output stage on the accumulators in place, channel by channel with its constants broadcast (zmm16 M,
    /// zmm17 the rounding add, zmm18 the shift): <c>OutputStage.ShortLanes16</c>'s steps — the even and odd lanes'
    /// 64-bit products, their high dwords gathered by <c>vpermt2d</c> (zmm19), the add, the arithmetic shift — and the zero
    /// point (zmm20). Then per block the two saturating packs (channels past the layer's read zmm31, zero), the clamp
    /// where a bound binds (zmm23, zmm24: the bound's byte in every lane), the transpose to [pixel][channel]
    /// (<c>vpermt2b</c>, indices zmm25–26) and byte stores masked to the block's pixels (k2, k3 from the arguments): the
    /// operations and order of DirectPixelLanes' managed stage, so the same bytes.
    /// </summary>
    private static void Stage(X64Assembler asm, PixelLaneKernel k)
    {
        const int m = 16, add = 17, shift = 18, high = 19, zp = 20, e = 21, o = 22, min = 23, max = 24, t0 = 25, t1 = 26;
        const int pa = 27, pb = 28, lo = 29, hi = 30, zero = 31;
        asm.MovLoad(Gpr.R8, Gpr.Rdi, PixelLaneArgs.MultiplierOffset);
        asm.MovLoad(Gpr.R10, Gpr.Rdi, PixelLaneArgs.AddOffset);
        asm.MovLoad(Gpr.R11, Gpr.Rdi, PixelLaneArgs.ShiftOffset);
        asm.MovLoad(Gpr.Rax, Gpr.Rdi, PixelLaneArgs.HighIndexOffset);
        asm.Load(high, Gpr.Rax, null, 0);
        asm.VpbroadcastdLoad(zp, Gpr.Rdi, null, PixelLaneArgs.ZeroPointOffset);
        if (k.ClampLow) asm.VpbroadcastdLoad(min, Gpr.Rdi, null, PixelLaneArgs.ClampMinOffset);
        if (k.ClampHigh) asm.VpbroadcastdLoad(max, Gpr.Rdi, null, PixelLaneArgs.ClampMaxOffset);
        for (int c = 0; c < k.Channels; c++)
        {
            asm.VpbroadcastdLoad(m, Gpr.R8, null, 4 * c);
            asm.VpbroadcastdLoad(add, Gpr.R10, null, 4 * c);
            asm.VpbroadcastdLoad(shift, Gpr.R11, null, 4 * c);
            for (int b = 0; b < k.Blocks; b++)
            {
                int acc = c * k.Blocks + b;
                VnniTileCode.EmitShortRequantize(asm, e, acc, m, m, high, add, shift, o);
                asm.Vpaddd(acc, e, zp);
            }
        }
        asm.Vpxord(zero, zero, zero);
        if (k.Channels > MaxChannels)
        {
            WideStores(asm, k);
            return;
        }
        asm.MovLoad(Gpr.Rax, Gpr.Rdi, PixelLaneArgs.TransposeOffset);
        asm.Load(t0, Gpr.Rax, null, 0);
        bool two = k.Channels > 4;
        if (two) asm.Load(t1, Gpr.Rax, null, 64);
        asm.MovLoad(Gpr.R9, Gpr.Rdi, PixelLaneArgs.YOffset);
        for (int b = 0; b < k.Blocks; b++)
        {
            int Acc(int c) => c < k.Channels ? c * k.Blocks + b : zero;
            asm.Vpackssdw(pa, Acc(0), Acc(1));
            asm.Vpackssdw(pb, Acc(2), Acc(3));
            asm.Vpacksswb(lo, pa, pb);
            int upper = lo;
            if (two)
            {
                asm.Vpackssdw(pa, Acc(4), Acc(5));
                asm.Vpackssdw(pb, Acc(6), Acc(7));
                asm.Vpacksswb(hi, pa, pb);
                upper = hi;
            }
            if (k.ClampLow)
            {
                asm.Vpmaxsb(lo, lo, min);
                if (two) asm.Vpmaxsb(hi, hi, min);
            }
            if (k.ClampHigh)
            {
                asm.Vpminsb(lo, lo, max);
                if (two) asm.Vpminsb(hi, hi, max);
            }
            int y = b * 16 * k.Channels;
            asm.KmovqLoad(2, Gpr.Rdi, PixelLaneArgs.MasksOffset + 16 * b);
            if (two)
            {
                asm.KmovqLoad(3, Gpr.Rdi, PixelLaneArgs.MasksOffset + 16 * b + 8);
                asm.Vmovdqa64(pa, lo);
                asm.Vpermt2b(pa, t0, upper);
                asm.StoreBytesMasked(Gpr.R9, y, pa, mask: 2);
                asm.Vpermt2b(lo, t1, upper);
                asm.StoreBytesMasked(Gpr.R9, y + 64, lo, mask: 3);
            }
            else
            {
                asm.Vpermt2b(lo, t0, upper);
                asm.StoreBytesMasked(Gpr.R9, y, lo, mask: 2);
            }
        }
    }

    /// <summary>
    /// The stores of a one-block kernel with 9–16 channels, after the stage: per group of four channels g the two packs
    /// (channels past the layer's read zmm31, zero) into R_g (zmm26–29), whose 128-bit lane k holds pixels 4k … 4k + 3 of
    /// those channels (byte <c>4·(c mod 4) + p mod 4</c>); the clamp; then per k the lanes k of R_0 … R_3 gathered into
    /// one register by two rounds of <c>vshufi64x2</c>, one <c>vpermb</c> (index from the arguments' transpose table) to
    /// [pixel][channel] with the layer's C channels per pixel, and a byte store of pixels 4k … 4k + 3 at 4k·C, masked
    /// to the block's pixels (k2–k5 from the arguments' masks).
    /// </summary>
    private static void WideStores(X64Assembler asm, PixelLaneKernel k)
    {
        const int e = 21, o = 22, min = 23, max = 24, index = 25, r0 = 26, x0 = 30, zero = 31;
        int Acc(int c) => c < k.Channels ? c : zero;
        for (int g = 0; g < 4; g++)
        {
            asm.Vpackssdw(e, Acc(4 * g), Acc(4 * g + 1));
            asm.Vpackssdw(o, Acc(4 * g + 2), Acc(4 * g + 3));
            asm.Vpacksswb(r0 + g, e, o);
            if (k.ClampLow) asm.Vpmaxsb(r0 + g, r0 + g, min);
            if (k.ClampHigh) asm.Vpminsb(r0 + g, r0 + g, max);
        }
        asm.MovLoad(Gpr.Rax, Gpr.Rdi, PixelLaneArgs.TransposeOffset);
        asm.Load(index, Gpr.Rax, null, 0);
        asm.MovLoad(Gpr.R9, Gpr.Rdi, PixelLaneArgs.YOffset);
        for (int half = 0; half < 2; half++)
        {
            // Lanes 2·half and 2·half + 1 of R0, R1 (into x0) and of R2, R3 (into e), then lane k of each in order.
            byte pick = half == 0 ? (byte)0x44 : (byte)0xEE;
            asm.Vshufi64x2(x0, r0, r0 + 1, pick);
            asm.Vshufi64x2(e, r0 + 2, r0 + 3, pick);
            for (int j = 0; j < 2; j++)
            {
                int chunk = 2 * half + j;
                asm.Vshufi64x2(o, x0, e, j == 0 ? (byte)0x88 : (byte)0xDD);
                asm.Vpermb(o, index, o);
                asm.KmovqLoad(2 + j, Gpr.Rdi, PixelLaneArgs.MasksOffset + 8 * chunk);
                asm.StoreBytesMasked(Gpr.R9, 4 * chunk * k.Channels, o, mask: 2 + j);
            }
        }
    }
}

/// <summary>
/// One generated pixel-lane kernel: kernel rows, quads per kernel row, output channels, blocks of 16 pixels (1 or 2);
/// <see cref="Staged"/>: the short output stage and the stores in the kernel (every channel on the short stage), with
/// the clamp bounds that bind; else the int32 sums out. <see cref="RowLength"/> &gt; 0: a flat kernel over the window's
/// Rows kernel rows of RowLength (KW·C ≥ 3) bytes each, <see cref="Quads"/> then counting the quads of the whole window.
/// </summary>
internal readonly record struct PixelLaneKernel(int Rows, int Quads, int Channels, int Blocks, bool Staged = false, bool ClampLow = false, bool ClampHigh = false,
    int RowLength = 0);

/// <summary>What a pixel-lane kernel (<see cref="PixelLaneCode.Kernel"/>) reads.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct PixelLaneArgs
{
    public const int RowOffset = 0, RowStepOffset = 8, BlockStepOffset = 16, WeightsOffset = 24, BiasOffset = 32, IndicesOffset = 40, SumsOffset = 48,
        MultiplierOffset = 56, AddOffset = 64, ShiftOffset = 72, HighIndexOffset = 80, ZeroPointOffset = 88, ClampMinOffset = 92, ClampMaxOffset = 96,
        TransposeOffset = 104, YOffset = 112, MasksOffset = 120, RowCountOffset = 152, RowAdvanceOffset = 160, YAdvanceOffset = 168;

    /// <summary>Kernel row 0's window bytes at the first block's first pixel; kernel row kh at + kh·RowStep; block 1 at + BlockStep.</summary>
    public byte* Row;
    public long RowStep, BlockStep;

    /// <summary>
    /// <c>[KH][Q][channels]</c> quads of int8 weights: kernel row kh's window bytes 4j … 4j + 3, zeros past KW·C; flat
    /// kernels: <c>[Q][channels]</c>, quad q the window's bytes 4q … 4q + 3 across its rows, zeros past KH·KW·C.
    /// </summary>
    public sbyte* Weights;

    /// <summary>Per channel, the accumulator's start (<see cref="GemmPanels.VnniBias"/>).</summary>
    public int* Bias;

    /// <summary>
    /// Per quad, the 64 <c>vpermb</c> indices: byte 4·lane + t ← window byte lane·sW·C + 4j + t; flat kernels: the
    /// <c>vpermt2b</c> indices, 64 added for the bytes from the quad's second kernel row.
    /// </summary>
    public byte* Indices;

    /// <summary>The int32 sums out: <c>[channel][block][16]</c> (unstaged kernels).</summary>
    public int* Sums;

    /// <summary>Staged kernels: per channel the short stage's M, rounding add 2^(s−1) and s (<c>OutputStage.ShortTables</c>).</summary>
    public int* Multiplier, Add, Shift;

    /// <summary>The <c>vpermt2d</c> index of the products' high dwords (<see cref="VnniTileCode.HighDwords"/>).</summary>
    public int* HighIndex;

    /// <summary>The output zero point; the clamp's bounds, each as its byte in all four of a dword's bytes.</summary>
    public int ZeroPoint, ClampMin, ClampMax;
    private int _pad;

    /// <summary>The 128 <c>vpermt2b</c> indices from the packs' order to [pixel][channel] (DirectPixelLanes).</summary>
    public byte* Transpose;

    /// <summary>Block 0's first output byte (block 1's are 16·C on).</summary>
    public sbyte* Y;

    /// <summary>
    /// Per block, the byte masks of its two 64-byte stores (the pixels it holds × C bytes); a wide kernel (more than 8
    /// channels): the masks of its four stores of four pixels.
    /// </summary>
    public fixed ulong Masks[4];

    /// <summary>
    /// Staged kernels: output rows to run (≥ 1; counted down, and Row and Y advanced, by the kernel), the window bytes
    /// between their first pixels, and the output bytes.
    /// </summary>
    public long RowCount, RowAdvance, YAdvance;
}
