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
    /// <summary>Output channels of one kernel: two blocks of accumulators per channel, 16 in all.</summary>
    public const int MaxChannels = 8;

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
        nint entry = Placed.GetOrAdd(kernel, static k => (nint)ExecutableMemory.TryPlace(Assemble(k)));
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
        if (k.Rows is < 1 or > MaxRows || k.Quads is < 1 or > MaxQuads || k.Channels is < 1 or > MaxChannels || k.Blocks is < 1 or > 2)
            throw new ArgumentOutOfRangeException(nameof(k), k, "no pixel-lane kernel for this shape");
        const int index0 = 24, quad0 = 28, window = 30;
        var asm = new X64Assembler();
        asm.Prologue();
        asm.MovLoad(Gpr.Rax, Gpr.Rdi, PixelLaneArgs.RowOffset);
        asm.MovLoad(Gpr.Rcx, Gpr.Rdi, PixelLaneArgs.RowStepOffset);
        asm.MovLoad(Gpr.R10, Gpr.Rdi, PixelLaneArgs.BlockStepOffset);
        asm.MovLoad(Gpr.Rdx, Gpr.Rdi, PixelLaneArgs.WeightsOffset);
        asm.MovLoad(Gpr.Rsi, Gpr.Rdi, PixelLaneArgs.BiasOffset);
        asm.MovLoad(Gpr.R8, Gpr.Rdi, PixelLaneArgs.IndicesOffset);
        asm.MovLoad(Gpr.R9, Gpr.Rdi, PixelLaneArgs.SumsOffset);
        for (int j = 0; j < k.Quads; j++) asm.Load(index0 + j, Gpr.R8, null, 64 * j);
        for (int c = 0; c < k.Channels; c++)
            for (int b = 0; b < k.Blocks; b++)
                asm.VpbroadcastdLoad(c * k.Blocks + b, Gpr.Rsi, null, 4 * c);
        for (int kh = 0; kh < k.Rows; kh++)
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
        for (int acc = 0; acc < k.Channels * k.Blocks; acc++) asm.Store(Gpr.R9, 64 * acc, acc);
        asm.Epilogue();
        return asm.ToArray();
    }
}

/// <summary>One generated pixel-lane kernel: kernel rows, quads per kernel row, output channels, blocks of 16 pixels (1 or 2).</summary>
internal readonly record struct PixelLaneKernel(int Rows, int Quads, int Channels, int Blocks);

/// <summary>What a pixel-lane kernel (<see cref="PixelLaneCode.Kernel"/>) reads.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct PixelLaneArgs
{
    public const int RowOffset = 0, RowStepOffset = 8, BlockStepOffset = 16, WeightsOffset = 24, BiasOffset = 32, IndicesOffset = 40, SumsOffset = 48;

    /// <summary>Kernel row 0's window bytes at the first block's first pixel; kernel row kh at + kh·RowStep; block 1 at + BlockStep.</summary>
    public byte* Row;
    public long RowStep, BlockStep;

    /// <summary><c>[KH][Q][channels]</c> quads of int8 weights: kernel row kh's window bytes 4j … 4j + 3, zeros past KW·C.</summary>
    public sbyte* Weights;

    /// <summary>Per channel, the accumulator's start (<see cref="GemmPanels.VnniBias"/>).</summary>
    public int* Bias;

    /// <summary>Per quad, the 64 <c>vpermb</c> indices: byte 4·lane + t ← window byte lane·sW·C + 4j + t.</summary>
    public byte* Indices;

    /// <summary>The int32 sums out: <c>[channel][block][16]</c>.</summary>
    public int* Sums;
}
