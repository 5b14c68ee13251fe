using System.Runtime.InteropServices;
using Edge.Runtime.CodeGen;
using X86Isa = System.Runtime.Intrinsics.X86;

namespace Edge.Runtime.Kernels.Gemm;

/// <summary>
/// The AVX-512 VNNI register tiles as machine code made once per process. .NET 10 reaches <c>vpdpbusd</c> only through
/// <c>AvxVnni</c> (the VEX form of Alder Lake and Zen 5); CPUs with the EVEX form alone (AVX512_VNNI: Zen 4, Ice Lake,
/// Cascade Lake, Sapphire Rapids servers) get no intrinsic for it, so these tiles are assembled here
/// (<see cref="X64Assembler"/>) into executable pages and called through an unmanaged function pointer without a GC
/// transition (they run for microseconds, touch no managed state and call nothing).
/// <para>
/// One tile: <see cref="Rows"/> A rows × <c>panels</c> (1 or 2) panels of 16 channels, one zmm accumulator per row and
/// panel held across the whole K loop. Per quad q: each panel's quad of weights is one zmm load (16 channels × 4 k), each
/// A row's 4 bytes one <c>vpbroadcastd</c>, XORed with 0x80 to <c>u = x + 128</c> (0–255, unsigned), then
/// <c>vpdpbusd acc, u, w</c>: <c>acc[c] += Σ_j u_j·w[c][j]</c> exactly in int32 (wrapping, never saturating). So each lane
/// ends with <c>Σ_k x_k·w[c][k] + 128·Σ_k w[c][k]</c>; <see cref="GemmPanels.VnniBias"/> subtracts the second term.
/// The accumulators are stored to <c>tile[(panel·Rows + row)·16]</c>; the caller adds the bias and runs the output stage.
/// </para>
/// <para>
/// K runs as <see cref="VnniTileShape.Segments"/> segments of <see cref="VnniTileShape.Quads"/> quads: a GEMM's A row is
/// one segment; a direct convolution's rows are output pixels in the padded row window, each kernel row one segment, the
/// next one <see cref="VnniTileShape.Jump"/> bytes past the end of the last (the window's row stride less the segment).
/// </para>
/// <para>
/// System V calling convention: <c>tile(a, lda, b, shape, tile, panelStride)</c> in rdi, rsi, rdx, rcx, r8, r9; rbx, rbp
/// and r12–r15 are saved; zmm registers are caller-saved. Linux x86-64 only (<see cref="ExecutableMemory"/>).
/// </para>
/// </summary>
internal static unsafe class VnniTileCode
{
    /// <summary>A rows of one tile (MR).</summary>
    public const int Rows = 8;

    private static readonly nint[] Entries = Build();

    /// <summary>
    /// True when this process runs the VNNI tiles: x86-64 Linux, AVX-512BW reported by .NET (so <c>DOTNET_EnableAVX512=0</c>
    /// turns them off with the rest), CPUID's AVX512_VNNI bit (leaf 7, ECX bit 11), <c>DOTNET_EnableAVXVNNI</c> not 0
    /// (the switch that turns off .NET's own VNNI paths), and executable pages granted.
    /// </summary>
    public static bool IsSupported => Entries.Length != 0;

    /// <summary>The tile over <paramref name="panels"/> (1 or 2) panels; see the type's summary for the arguments.</summary>
    public static delegate* unmanaged[SuppressGCTransition]<sbyte*, nint, sbyte*, VnniTileShape*, int*, nint, void> Tile(int panels) =>
        (delegate* unmanaged[SuppressGCTransition]<sbyte*, nint, sbyte*, VnniTileShape*, int*, nint, void>)Entries[panels - 1];

    /// <summary>True when the CPU and the process switches allow the tiles (before any code is made).</summary>
    internal static bool CpuHasVnni()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64 || !OperatingSystem.IsLinux()) return false;
        if (!X86Isa.Avx512BW.IsSupported || !X86Isa.X86Base.IsSupported) return false;
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVXVNNI") == "0") return false;
        if (X86Isa.X86Base.CpuId(0, 0).Eax < 7) return false;
        return (X86Isa.X86Base.CpuId(7, 0).Ecx & (1 << 11)) != 0;
    }

    private static nint[] Build()
    {
        if (!CpuHasVnni()) return [];
        var entries = new nint[2];
        for (int panels = 1; panels <= 2; panels++)
        {
            byte* code = ExecutableMemory.TryPlace(Assemble(panels));
            if (code == null) return [];
            entries[panels - 1] = (nint)code;
        }
        return entries;
    }

    /// <summary>The machine code of the 8-row tile over <paramref name="panels"/> panels.</summary>
    internal static byte[] Assemble(int panels)
    {
        if (panels is < 1 or > 2) throw new ArgumentOutOfRangeException(nameof(panels));
        var asm = new X64Assembler();
        Gpr[] saved = [Gpr.Rbx, Gpr.Rbp, Gpr.R12, Gpr.R13, Gpr.R14, Gpr.R15];
        foreach (var r in saved) asm.Push(r);

        // Row pointers a + i·lda; the quad's byte offset k in r15, the same for every row.
        Gpr[] rows = [Gpr.Rdi, Gpr.R10, Gpr.R11, Gpr.Rax, Gpr.Rbx, Gpr.R12, Gpr.R13, Gpr.R14];
        for (int i = 1; i < Rows; i++) asm.Lea(rows[i], rows[i - 1], Gpr.Rsi);
        // Panel pointers: b, and b + panelStride in r9.
        Gpr[] weights = [Gpr.Rdx, Gpr.R9];
        if (panels == 2) asm.Lea(Gpr.R9, Gpr.Rdx, Gpr.R9);

        const int bias128 = 31, w0 = 24, x0 = 26; // accumulators 0–15, weights 24–25, row quads 26–29
        asm.MovImm32(Gpr.R15, 0x80808080);
        asm.VpbroadcastdGpr(bias128, Gpr.R15);
        asm.Zero(Gpr.R15);
        for (int acc = 0; acc < Rows * panels; acc++) asm.Vpxord(acc, acc, acc);

        // The shape in rbp; segments left in rsi (lda is spent), quads left in rcx.
        asm.Mov(Gpr.Rbp, Gpr.Rcx);
        asm.MovLoad(Gpr.Rsi, Gpr.Rbp, VnniTileShape.SegmentsOffset);
        int segment = asm.Position;
        asm.MovLoad(Gpr.Rcx, Gpr.Rbp, VnniTileShape.QuadsOffset);
        int loop = asm.Position;
        for (int p = 0; p < panels; p++) asm.Load(w0 + p, weights[p], null, 0);
        for (int i = 0; i < Rows; i++)
        {
            int x = x0 + (i & 3); // four temporaries in turn: the loads of later rows need not wait on a register's reuse
            asm.VpbroadcastdLoad(x, rows[i], Gpr.R15, 0);
            asm.Vpxord(x, x, bias128);
            for (int p = 0; p < panels; p++) asm.Vpdpbusd(p * Rows + i, x, w0 + p);
        }
        asm.AddImm(Gpr.R15, 4);
        for (int p = 0; p < panels; p++) asm.AddImm(weights[p], GemmPanels.QuadBytes);
        asm.Dec(Gpr.Rcx);
        asm.Jnz(loop);
        asm.AddLoad(Gpr.R15, Gpr.Rbp, VnniTileShape.JumpOffset);
        asm.Dec(Gpr.Rsi);
        asm.Jnz(segment);

        for (int acc = 0; acc < Rows * panels; acc++) asm.Store(Gpr.R8, acc * 64, acc);
        asm.Vzeroupper();
        for (int i = saved.Length - 1; i >= 0; i--) asm.Pop(saved[i]);
        asm.Ret();
        return asm.ToArray();
    }
}

/// <summary>How a VNNI tile walks K: <see cref="Segments"/> runs of <see cref="Quads"/> quads, <see cref="Jump"/> bytes between them.</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct VnniTileShape(long quads, long segments, long jump)
{
    public const int QuadsOffset = 0, SegmentsOffset = 8, JumpOffset = 16;

    /// <summary>Quads (4 bytes of each A row, 64 of each panel) per segment, ≥ 1.</summary>
    public readonly long Quads = quads;

    /// <summary>Segments, ≥ 1.</summary>
    public readonly long Segments = segments;

    /// <summary>Bytes added to the A rows' offset after each segment (the weights run on without a gap).</summary>
    public readonly long Jump = jump;

    /// <summary>One segment: a GEMM's K.</summary>
    public static VnniTileShape Gemm(int quads) => new(quads, 1, 0);
}
