using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Edge.Runtime.CodeGen;
using Edge.Runtime.Kernels.Gemm;

namespace Edge.Runtime.Kernels.DepthwiseConv;

/// <summary>
/// The depthwise kernels on AVX-512 VNNI for filters of up to four rows (3×3, 3×5, 1×1, …), as machine code made once per
/// process (the reason and the switches as for <see cref="VnniTileCode"/>). They read the zero-point-padded rows of
/// <see cref="DepthwiseRows"/> straight, with no quad rows built in between: for 64 channels of one padded column,
/// the KH rows' bytes (XORed with 0x80 on load, so u = x + 128) are interleaved by two rounds of unpacks —
/// <c>vpunpck{l,h}bw</c> pairs rows 0–1 and 2–3, <c>vpunpck{l,h}wd</c> joins the pairs — into four quads per channel,
/// <c>[u_kh0, u_kh1, u_kh2, u_kh3]</c>, one zmm per 16 channels, so one <c>vpdpbusd</c> against a kernel column's
/// <c>[w_0,kw … w_3,kw]</c> (zeros past KH) adds that column for 16 channels. A column is built once and serves every
/// pixel of the group whose window holds it (a 3×3 stride-1 group of four pixels: six columns for twelve
/// (pixel, column) pairs).
/// <para>
/// The unpacks work within 128-bit lanes, so quad register j holds, in lane L, channels <c>16L + 4j … 16L + 4j + 3</c>:
/// the weights, biases and stage tables are laid out in that order (<see cref="Channel"/>), and the two packs at the
/// end (<c>vpackssdw</c> of registers 0,1 and 2,3, then <c>vpacksswb</c>) put the 64 bytes back in channel order, each
/// step saturating as <c>vpmovsdb</c> would. Exactness as in DepthwiseVnniCode.cs: <c>vpdpbusd</c> adds four u8·s8
/// products (each at most 255·127) to an int32 lane without saturation, the taps past KH meet weight 0, and the bias
/// carries <c>−128·Σw</c>, so each lane ends with the contract's accumulator modulo 2^32.
/// </para>
/// <para>
/// One call: one output row, <see cref="DepthwiseColumnArgs.Blocks"/> groups of 64 channels in turn, each of
/// <see cref="DepthwiseColumnArgs.Groups"/> groups of <see cref="DepthwiseColumnKernel.Pixels"/> pixels and then
/// <see cref="DepthwiseColumnKernel.Tail"/> pixels. Registers: zmm0–15 the accumulators (pixel i, quad j: 4i + j),
/// zmm16–19 the bias, zmm20–27 the loaded rows, unpacks and quads (in the stage: its tables and temporaries), zmm28 the
/// 0x80 bytes, zmm29 the stage's <c>vpermt2d</c> index, zmm30–31 the clamp's bytes; k1 the group's channels.
/// </para>
/// </summary>
internal static unsafe class DepthwiseColumnCode
{
    /// <summary>The most kernel rows (one quad) and pixels per group (four accumulators each).</summary>
    public const int MaxRows = 4, MaxPixels = 4;

    /// <summary>Channels per group: four quad registers of 16.</summary>
    public const int GroupChannels = 64;

    private static readonly ConcurrentDictionary<DepthwiseColumnKernel, nint> Placed = new();

    /// <summary>True when this process runs the generated kernels (the VNNI tiles' conditions).</summary>
    public static bool IsSupported => VnniTileCode.IsSupported;

    /// <summary>
    /// The channel at position <paramref name="position"/> of the kernels' order within a group of 64, where each 128-bit
    /// lane holds <paramref name="lanePixels"/> pixels' worth of channels: quad j (position / 16), lane L and dword m of the
    /// 16 (position % 16 = 4L + m) hold channel 16β + 4j + m of lane L's block β = L mod (4 / lanePixels) — with one pixel
    /// per zmm, channel 16L + 4j + m; with 2 or 4 (32 or 16 channels), the same channels again for each pixel.
    /// </summary>
    public static int Channel(int position, int lanePixels = 1)
    {
        int j = position % 64 / 16, lane = position % 16 / 4, m = position % 4;
        return position / 64 * 64 + 16 * (lane % (4 / lanePixels)) + 4 * j + m;
    }

    /// <summary>The kernel <paramref name="kernel"/> describes, assembled and placed on first use; null where no executable pages can be had.</summary>
    public static delegate* unmanaged[SuppressGCTransition]<DepthwiseColumnArgs*, void> Kernel(DepthwiseColumnKernel kernel)
    {
        if (!IsSupported) return null;
        nint entry = Placed.GetOrAdd(kernel, static k => (nint)ExecutableMemory.TryPlace(Assemble(k), $"depthwise-column {k}"));
        return (delegate* unmanaged[SuppressGCTransition]<DepthwiseColumnArgs*, void>)entry;
    }

    private static Gpr[] RowRegisters => [Gpr.Rsi, Gpr.Rdx, Gpr.Rcx, Gpr.R8];
    private const int Bias0 = 16, Build0 = 20, Flip = 28, Index = 29, Lo = 30, Hi = 31;
    private const Gpr Args = Gpr.Rdi, W = Gpr.R9, Y = Gpr.R10, Groups = Gpr.R11, T = Gpr.Rax;

    private static int Acc(int pixel, int quad) => 4 * pixel + quad;

    /// <summary>The machine code of <paramref name="kernel"/>.</summary>
    internal static byte[] Assemble(DepthwiseColumnKernel kernel)
    {
        kernel.Validate();
        var asm = new X64Assembler();
        asm.Prologue();
        asm.MovLoad(T, Args, DepthwiseColumnArgs.IndexOffset);
        asm.Load(Index, T, null, 0);
        asm.VpbroadcastdLoad(Flip, Args, null, DepthwiseColumnArgs.FlipOffset);
        if (kernel.ClampLow)
        {
            asm.MovLoad(T, Args, DepthwiseColumnArgs.ClampLowOffset);
            asm.Load(Lo, T, null, 0);
        }
        if (kernel.ClampHigh)
        {
            asm.MovLoad(T, Args, DepthwiseColumnArgs.ClampHighOffset);
            asm.Load(Hi, T, null, 0);
        }
        if (kernel.TailPartial)
        {
            asm.MovLoad(T, Args, DepthwiseColumnArgs.TailMaskOffset);
            asm.KmovqLoad(2, T, 0);
        }

        // Per group of 64 channels: its mask, bias, weights and row pointers; its pixels; the args' pointers advance after it.
        int block = asm.Position;
        asm.MovLoad(T, Args, DepthwiseColumnArgs.MasksOffset);
        asm.KmovqLoad(1, T, 0);
        asm.MovLoad(T, Args, DepthwiseColumnArgs.BiasOffset);
        for (int j = 0; j < 4; j++) asm.Load(Bias0 + j, T, null, 64 * j);
        asm.MovLoad(W, Args, DepthwiseColumnArgs.WeightsOffset);
        var rows = RowRegisters;
        for (int kh = 0; kh < kernel.Rows; kh++) asm.MovLoad(rows[kh], Args, DepthwiseColumnArgs.RowsOffset + 8 * kh);
        asm.MovLoad(Y, Args, DepthwiseColumnArgs.YOffset);
        asm.MovLoad(Groups, Args, DepthwiseColumnArgs.GroupsOffset);

        int loop = asm.Position, span = kernel.Pixels * kernel.LanePixels;
        EmitPixels(asm, kernel, kernel.Pixels, partialLast: false);
        for (int kh = 0; kh < kernel.Rows; kh++) asm.AddImm(rows[kh], span * kernel.StrideW * kernel.PixelBytes);
        asm.AddImm(Y, span * kernel.Channels);
        asm.Dec(Groups);
        asm.Jnz(loop);
        if (kernel.Tail > 0) EmitPixels(asm, kernel, kernel.Tail, kernel.TailPartial);

        // The next group: 8 bytes of mask, its weights, 64 biases, the tables' 64 lanes, 64 bytes on in rows and output.
        asm.AddToQword(Args, DepthwiseColumnArgs.MasksOffset, 8, T);
        asm.AddToQword(Args, DepthwiseColumnArgs.WeightsOffset, kernel.KernelW * 4 * 64, T);
        asm.AddToQword(Args, DepthwiseColumnArgs.BiasOffset, 256, T);
        asm.AddToQword(Args, DepthwiseColumnArgs.MultiplierOffset, 256, T);
        asm.AddToQword(Args, DepthwiseColumnArgs.AddOffset, kernel.Long ? 512 : 256, T);
        asm.AddToQword(Args, DepthwiseColumnArgs.ShiftOffset, kernel.Long ? 512 : 256, T);
        asm.AddToQword(Args, DepthwiseColumnArgs.YOffset, 64, T);
        for (int kh = 0; kh < kernel.Rows; kh++) asm.AddToQword(Args, DepthwiseColumnArgs.RowsOffset + 8 * kh, 64, T);
        asm.MovLoad(T, Args, DepthwiseColumnArgs.BlocksOffset);
        asm.Dec(T);
        asm.MovStore(Args, DepthwiseColumnArgs.BlocksOffset, T);
        asm.Jnz(block);

        asm.Epilogue();
        return asm.ToArray();
    }

    /// <summary>
    /// <paramref name="pixels"/> accumulator sets (each <see cref="DepthwiseColumnKernel.LanePixels"/> neighbouring output
    /// pixels) of one group of 64 channels: accumulators from the bias, every padded column their windows read built once
    /// into quads and added into each (set, kernel column) that holds it, then the stage, the packs, the clamp and one
    /// masked 64-byte store per set (the last with k2 where <paramref name="partialLast"/>: the row ends inside it).
    /// </summary>
    private static void EmitPixels(X64Assembler asm, DepthwiseColumnKernel k, int pixels, bool partialLast)
    {
        for (int i = 0; i < pixels; i++)
            for (int j = 0; j < 4; j++) asm.Vmovdqa64(Acc(i, j), Bias0 + j);
        var rows = RowRegisters;
        int step = k.LanePixels * k.StrideW;   // columns from one set's first pixel to the next's
        int lastColumn = (pixels - 1) * step + (k.KernelW - 1) * k.DilationW;
        for (int column = 0; column <= lastColumn; column++)
        {
            bool used = false;
            for (int i = 0; i < pixels && !used; i++)
                for (int kw = 0; kw < k.KernelW && !used; kw++) used = i * step + kw * k.DilationW == column;
            if (!used) continue;
            // Rows kh into zmm20 + kh (u = x ^ 0x80); the rows past KH repeat the last (their weights are 0). With several
            // pixels per zmm, lane L holds column + L·sW (C = 16) or column + (L / 2)·sW (C = 32): at stride 1 one load; at
            // stride 2 two, whose lanes vshufi64x2 picks.
            for (int kh = 0; kh < k.Rows; kh++)
            {
                int disp = column * k.PixelBytes;
                if (k.LanePixels == 1 || k.StrideW == 1)
                {
                    asm.VpxordLoad(Build0 + kh, Flip, rows[kh], disp);
                    continue;
                }
                asm.Load(Build0 + kh, rows[kh], null, disp);
                asm.Load(Build0 + 4, rows[kh], null, disp + 64);
                asm.Vshufi64x2(Build0 + kh, Build0 + kh, Build0 + 4, k.LanePixels == 4 ? (byte)0x88 : (byte)0x44);
                asm.Vpxord(Build0 + kh, Build0 + kh, Flip);
            }
            int x0 = Build0, x1 = Build0 + Math.Min(1, k.Rows - 1), x2 = Build0 + Math.Min(2, k.Rows - 1), x3 = Build0 + Math.Min(3, k.Rows - 1);
            int t0 = Build0 + 4, t1 = Build0 + 5, t2 = Build0 + 6, t3 = Build0 + 7;
            asm.Vpunpcklbw(t0, x0, x1);
            asm.Vpunpckhbw(t1, x0, x1);
            asm.Vpunpcklbw(t2, x2, x3);
            asm.Vpunpckhbw(t3, x2, x3);
            asm.Vpunpcklwd(Build0, t0, t2);       // quad j in zmm20 + j: lane L holds channels 16L + 4j … + 3
            asm.Vpunpckhwd(Build0 + 1, t0, t2);
            asm.Vpunpcklwd(Build0 + 2, t1, t3);
            asm.Vpunpckhwd(Build0 + 3, t1, t3);
            for (int i = 0; i < pixels; i++)
                for (int kw = 0; kw < k.KernelW; kw++)
                    if (i * step + kw * k.DilationW == column)
                        for (int j = 0; j < 4; j++) asm.VpdpbusdLoad(Acc(i, j), Build0 + j, W, (kw * 4 + j) * 64);
        }

        // The stage, quad by quad: its tables in zmm20–25, temporaries e and o after them; each result back in its accumulator.
        int evenM = Build0, oddM = Build0 + 1, add = Build0 + 2, shift = Build0 + 3, addOdd = Build0 + 4, shiftOdd = Build0 + 5;
        int e = k.Long ? Build0 + 6 : Build0 + 4, o = e + 1;
        for (int j = 0; j < 4; j++)
        {
            asm.MovLoad(T, Args, DepthwiseColumnArgs.MultiplierOffset);
            asm.Load(evenM, T, null, 64 * j);
            asm.Load(oddM, T, null, 64 * j + 4);
            asm.MovLoad(T, Args, DepthwiseColumnArgs.AddOffset);
            asm.Load(add, T, null, (k.Long ? 128 : 64) * j);
            if (k.Long) asm.Load(addOdd, T, null, 128 * j + 64);
            asm.MovLoad(T, Args, DepthwiseColumnArgs.ShiftOffset);
            asm.Load(shift, T, null, (k.Long ? 128 : 64) * j);
            if (k.Long) asm.Load(shiftOdd, T, null, 128 * j + 64);
            for (int i = 0; i < pixels; i++)
            {
                int acc = Acc(i, j);
                if (!k.Long)
                {
                    VnniTileCode.EmitShortRequantize(asm, e, acc, evenM, oddM, Index, add, shift, o, result: acc);
                    continue;
                }
                VnniTileCode.EmitLongRequantize(asm, e, acc, evenM, oddM, Index, add, addOdd, shift, shiftOdd, o);
                asm.Vmovdqa64(acc, e);
            }
        }
        for (int i = 0; i < pixels; i++)
        {
            int a = Acc(i, 0), b = Acc(i, 2);
            asm.Vpackssdw(a, a, Acc(i, 1));       // per lane: channels 16L + 0…7 as words
            asm.Vpackssdw(b, b, Acc(i, 3));       // 16L + 8…15
            asm.Vpacksswb(a, a, b);               // 16L + 0…15 as bytes: the group's 64 channels in order
            if (k.ClampLow) asm.Vpmaxsb(a, a, Lo);
            if (k.ClampHigh) asm.Vpminsb(a, a, Hi);
            asm.StoreBytesMasked(Y, i * k.LanePixels * k.Channels, a, mask: partialLast && i == pixels - 1 ? 2 : 1);
        }
    }
}

/// <summary>
/// One generated column kernel (<see cref="DepthwiseColumnCode"/>): <see cref="Rows"/> kernel rows (1–4) of
/// <see cref="KernelW"/> taps, the column stride and dilation, the padded rows' bytes per pixel (<see cref="PixelBytes"/>,
/// C rounded up to 16) and the output's (<see cref="Channels"/>), groups of <see cref="Pixels"/> accumulator sets then a
/// tail of <see cref="Tail"/> sets (its last only partly in the row where <see cref="TailPartial"/>), which clamp bounds
/// bind, and the stage (<see cref="Long"/>: int64, multipliers from 1/4 to 1/2). <see cref="LanePixels"/>: pixels per
/// zmm — 1 (groups of 64 channels), or 2 or 4 for layers of exactly 32 or 16 channels at stride 1 or 2, whose pixels
/// then share a zmm instead of leaving three quarters or half of it empty.
/// </summary>
internal readonly record struct DepthwiseColumnKernel(int Rows, int KernelW, int StrideW, int DilationW, int PixelBytes, int Channels,
    int Pixels, int Tail, bool ClampLow, bool ClampHigh, bool Long, int LanePixels = 1, bool TailPartial = false)
{
    public void Validate()
    {
        if (Rows is < 1 or > DepthwiseColumnCode.MaxRows) throw new ArgumentOutOfRangeException(nameof(Rows), Rows, "1 to 4 kernel rows");
        if (Pixels is < 1 or > DepthwiseColumnCode.MaxPixels || Tail < 0 || Tail > Pixels || (Tail == Pixels && LanePixels == 1) || (TailPartial && Tail == 0))
            throw new ArgumentOutOfRangeException(nameof(Pixels), $"{Pixels} pixels per group, tail {Tail}");
        if (KernelW < 1 || StrideW < 1 || DilationW < 1 || PixelBytes < Channels || Channels < 1)
            throw new ArgumentOutOfRangeException(nameof(KernelW), $"{this}");
        if (LanePixels != 1 && (LanePixels is not (2 or 4) || Channels != 64 / LanePixels || PixelBytes != Channels || StrideW > 2))
            throw new ArgumentOutOfRangeException(nameof(LanePixels), $"{this}: several pixels per zmm need 16 or 32 channels and stride 1 or 2");
        long reach = ((long)(Pixels - 1) * LanePixels * StrideW + (long)(KernelW - 1) * DilationW) * PixelBytes + 64L * 4 * KernelW;
        if (reach > int.MaxValue / 2) throw new ArgumentOutOfRangeException(nameof(KernelW), $"{this}: displacements past int32");
    }
}

/// <summary>What a generated column kernel (<see cref="DepthwiseColumnCode.Kernel"/>) reads.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct DepthwiseColumnArgs
{
    public const int RowsOffset = 0, WeightsOffset = 32, BiasOffset = 40, MultiplierOffset = 48, AddOffset = 56, ShiftOffset = 64,
        IndexOffset = 72, ClampLowOffset = 80, ClampHighOffset = 88, MasksOffset = 96, GroupsOffset = 104, YOffset = 112,
        BlocksOffset = 120, FlipOffset = 128, TailMaskOffset = 136;

    /// <summary>Per kernel row kh, its padded row at column 0 and the group's first channel (<see cref="DepthwiseRows"/>).</summary>
    public fixed long Rows[4];

    /// <summary>The group's weights, <c>[KW][quad j 4][16 lanes][4 rows]</c> in the kernels' channel order.</summary>
    public sbyte* Weights;

    /// <summary>The group's 64 biases in the kernels' order (the zero point's and the 128·Σw corrections folded in).</summary>
    public int* Bias;

    /// <summary>The stage's tables at the group (<see cref="VnniStageTables"/> over the channels in the kernels' order).</summary>
    public int* Multiplier, Add, Shift;

    /// <summary>The vpermt2d index (<see cref="VnniStageTables.Index"/>).</summary>
    public int* Index;

    /// <summary>64 bytes each of the clamp's bounds.</summary>
    public sbyte* ClampLow, ClampHigh;

    /// <summary>Per group from the first, the channels stored (bit i: channel 64·g + i).</summary>
    public ulong* Masks;

    /// <summary>Groups of P pixels, ≥ 1.</summary>
    public long Groups;

    /// <summary>The output row at the group's first channel.</summary>
    public sbyte* Y;

    /// <summary>Groups of 64 channels to run, ≥ 1 (counted down by the kernel).</summary>
    public long Blocks;

    /// <summary>0x80808080: the XOR that makes int8 bytes u = x + 128.</summary>
    public int Flip;

    /// <summary>With <see cref="DepthwiseColumnKernel.TailPartial"/>: the bytes of the row's last set that are in the row.</summary>
    public ulong* TailMask;
}
