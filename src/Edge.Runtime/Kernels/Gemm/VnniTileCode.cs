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
    /// The <c>vpermt2d</c> index of the generated short stages (these tiles' and the depthwise kernels'): the high dwords
    /// of the even products (1, 3, …) and of the odd ones (17, 19, …), in lane order.
    /// </summary>
    internal static readonly int[] HighDwords = [1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31];

    /// <summary>
    /// True when this process runs the VNNI tiles: x86-64 Linux, AVX-512BW reported by .NET (so <c>DOTNET_EnableAVX512=0</c>
    /// turns them off with the rest), CPUID's AVX512_VNNI bit (leaf 7, ECX bit 11), <c>DOTNET_EnableAVXVNNI</c> not 0
    /// (the switch that turns off .NET's own VNNI paths), and executable pages granted.
    /// </summary>
    public static bool IsSupported => Entries.Length != 0;

    /// <summary>
    /// The tile over <paramref name="panels"/> (1 or 2) panels that stores its sums; see the type's summary for the
    /// arguments. <paramref name="unsignedA"/>: the A bytes are already <c>u = x + 128</c> (a row window written so), and
    /// the tile skips its <c>vpxord</c> per broadcast.
    /// </summary>
    public static delegate* unmanaged[SuppressGCTransition]<sbyte*, nint, sbyte*, VnniTileShape*, int*, nint, void> Tile(int panels, bool unsignedA = false) =>
        (delegate* unmanaged[SuppressGCTransition]<sbyte*, nint, sbyte*, VnniTileShape*, int*, nint, void>)Entries[(unsignedA ? 2 : 0) + panels - 1];

    /// <summary>
    /// The tile of <paramref name="rows"/> (1 – <see cref="Rows"/> − 1) A rows already unsigned (<c>u = x + 128</c>) over
    /// <paramref name="panels"/> panels, storing its sums as <see cref="Tile"/> does (<c>tile[(panel·Rows + row)·16]</c>,
    /// rows past <paramref name="rows"/> untouched): a direct convolution's last pixels of an output row, which the 8-row
    /// tile would cover only by recomputing pixels already stored (LeNet-5's conv2: 10 pixels a row, 8 + 2).
    /// </summary>
    public static delegate* unmanaged[SuppressGCTransition]<sbyte*, nint, sbyte*, VnniTileShape*, int*, nint, void> PartialTile(int panels, int rows)
    {
        if (rows is < 1 or >= Rows) throw new ArgumentOutOfRangeException(nameof(rows), rows, $"a partial tile has 1–{Rows - 1} rows");
        return (delegate* unmanaged[SuppressGCTransition]<sbyte*, nint, sbyte*, VnniTileShape*, int*, nint, void>)Entries[PartialEntries + (panels - 1) * (Rows - 1) + rows - 1];
    }

    /// <summary>
    /// The kernel over <paramref name="panels"/> panels that runs <see cref="VnniStageArgs.Tiles"/> full tiles, each with the
    /// short output stage in registers and a store of int8: <c>staged(shape, args)</c>; <paramref name="variant"/> is the
    /// stage's <see cref="StageVariant"/> (which clamp bounds bind, whether Add holds the zero point).
    /// <paramref name="prefetch"/>: the K loop also prefetches one line per quad towards L2 (<c>prefetcht1</c>), tiles in
    /// turn from <see cref="VnniStageArgs.Prefetch0"/> and <see cref="VnniStageArgs.Prefetch1"/> (the next panel pair's
    /// two panels: a tile's quads span one panel), for weights too large to stay in L2 between panel pairs.
    /// </summary>
    public static delegate* unmanaged[SuppressGCTransition]<VnniTileShape*, VnniStageArgs*, void> StagedTiles(int panels, bool unsignedA, int variant, bool prefetch = false) =>
        (delegate* unmanaged[SuppressGCTransition]<VnniTileShape*, VnniStageArgs*, void>)Entries[StagedEntries + ((prefetch ? 4 : 0) + (unsignedA ? 2 : 0) + panels - 1) * StageVariants + variant];

    /// <summary>
    /// The staged kernel of <paramref name="rows"/> (1 – <see cref="Rows"/> − 1) A rows already unsigned over
    /// <paramref name="panels"/> panels: <see cref="StagedTiles"/>' arguments and loop over tiles, each of that many rows
    /// (a direct convolution's last pixels of its output rows, one tile per row). Made on first use (there are 2 × 7 × 8 of
    /// them and a model needs a few); null where the tiles do not run.
    /// </summary>
    public static delegate* unmanaged[SuppressGCTransition]<VnniTileShape*, VnniStageArgs*, void> StagedPartialTiles(int panels, int rows, int variant)
    {
        if (rows is < 1 or >= Rows) throw new ArgumentOutOfRangeException(nameof(rows), rows, $"a partial tile has 1–{Rows - 1} rows");
        if (!IsSupported) return null;
        nint entry = StagedPartials.GetOrAdd((panels, rows, variant), static k =>
            (nint)ExecutableMemory.TryPlace(AssembleStaged(k.Panels, unsignedA: true, k.Variant, rows: k.Rows), $"vnni-staged-partial p{k.Panels} rows {k.Rows} variant {k.Variant}"));
        return (delegate* unmanaged[SuppressGCTransition]<VnniTileShape*, VnniStageArgs*, void>)entry;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(int Panels, int Rows, int Variant), nint> StagedPartials = new();

    /// <summary>Where the staged tiles start in <see cref="Entries"/> (after the four tiles that store sums), and their variants per tile.</summary>
    private const int StagedEntries = 4, StageVariants = 8;

    /// <summary>
    /// A staged tile's variant: bit 0, the clamp's lower bound binds (above −128; else <c>vpmovsdb</c>'s saturation is the
    /// same value); bit 1, its upper bound (below 127); bit 2, the rounding adds hold the zero point
    /// (<c>OutputStage.ShortAddWithZeroPoint</c>), so the kernel adds no zero point of its own.
    /// </summary>
    public static int StageVariant(bool clampLow, bool clampHigh, bool zeroPointInAdd) => (clampLow ? 1 : 0) | (clampHigh ? 2 : 0) | (zeroPointInAdd ? 4 : 0);

    /// <summary>True when the CPU and the process switches allow the tiles (before any code is made).</summary>
    internal static bool CpuHasVnni()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64 || !OperatingSystem.IsLinux()) return false;
        if (!X86Isa.Avx512BW.IsSupported || !X86Isa.X86Base.IsSupported) return false;
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVXVNNI") == "0") return false;
        if (X86Isa.X86Base.CpuId(0, 0).Eax < 7) return false;
        return (X86Isa.X86Base.CpuId(7, 0).Ecx & (1 << 11)) != 0;
    }

    /// <summary>
    /// The short stage (OutputStage.ShortLanes16: <c>⌊(acc·M + 2^(n−1)) / 2^n⌋</c> as the high dword of the 64-bit products,
    /// one add and one arithmetic shift) on every accumulator, then the zero point, the clamp in int32 (the same value as
    /// clamping the saturated bytes, the clamp's range lying inside int8's), <c>vpmovsdb</c> and a masked 16-byte store per
    /// row and panel, row i at <c>Y + i·Ldc</c>. Constants in zmm16–29 (the K loop's registers are free by now), zmm30–31
    /// temporaries; k1/k2 hold the panels' channel masks. The accumulators already hold the bias (EmitSums' biasInit);
    /// <paramref name="variant"/> (<see cref="StageVariant"/>) leaves out the bounds that do not bind and, where the
    /// rounding adds hold the zero point, the zero point's add.
    /// </summary>
    private static void EmitShortStage(X64Assembler asm, int panels, int variant, int rows = Rows)
    {
        const int index = 16, zp = 17, lo = 18, hi = 19, e = 30, o = 31;
        bool clampLow = (variant & 1) != 0, clampHigh = (variant & 2) != 0, zpInAdd = (variant & 4) != 0;
        asm.MovLoad(Gpr.Rcx, Gpr.R8, VnniStageArgs.MultiplierOffset);
        asm.MovLoad(Gpr.Rdx, Gpr.R8, VnniStageArgs.AddOffset);
        asm.MovLoad(Gpr.Rsi, Gpr.R8, VnniStageArgs.ShiftOffset);
        asm.MovLoad(Gpr.Rdi, Gpr.R8, VnniStageArgs.IndexOffset);
        asm.Load(index, Gpr.Rdi, null, 0);
        if (!zpInAdd) asm.VpbroadcastdLoad(zp, Gpr.R8, null, VnniStageArgs.ZeroPointOffset);
        if (clampLow) asm.VpbroadcastdLoad(lo, Gpr.R8, null, VnniStageArgs.ClampMinOffset);
        if (clampHigh) asm.VpbroadcastdLoad(hi, Gpr.R8, null, VnniStageArgs.ClampMaxOffset);
        for (int p = 0; p < panels; p++)
        {
            int c = 20 + 5 * p, at = 64 * p;           // c + 0 unused: the accumulators started at the bias (EmitSums)
            asm.Load(c + 1, Gpr.Rcx, null, at);        // M of the even lanes (the low dword of each int64)
            asm.Load(c + 2, Gpr.Rcx, null, at + 4);    // M of the odd lanes
            asm.Load(c + 3, Gpr.Rdx, null, at);        // 2^(s−1)
            asm.Load(c + 4, Gpr.Rsi, null, at);        // s = n − 32
        }
        asm.MovLoad(Gpr.R10, Gpr.R8, VnniStageArgs.YOffset);
        for (int i = 0; i < rows; i++)
        {
            if (i > 0) asm.AddLoad(Gpr.R10, Gpr.R8, VnniStageArgs.LdcOffset);
            for (int p = 0; p < panels; p++)
            {
                int acc = p * Rows + i, c = 20 + 5 * p;
                EmitShortRequantize(asm, e, acc, c + 1, c + 2, index, c + 3, c + 4, o);
                if (!zpInAdd) asm.Vpaddd(e, e, zp);
                if (clampLow) asm.Vpmaxsd(e, e, lo);
                if (clampHigh) asm.Vpminsd(e, e, hi);
                asm.VpmovsdbStore(Gpr.R10, 16 * p, e, mask: 1 + p);
            }
        }
    }

    /// <summary>
    /// The short stage's requantization of the 16 lanes of zmm<paramref name="acc"/> into zmm<paramref name="dst"/>
    /// (OutputStage.ShortLanes16's steps): the even lanes' 64-bit products with M (<paramref name="evenM"/>), the odd
    /// lanes' (shifted down, with <paramref name="oddM"/>; a temporary <paramref name="temp"/>), their high dwords gathered
    /// by <c>vpermt2d</c> (<paramref name="index"/>: <see cref="HighDwords"/>), the rounding add, the arithmetic shift. Every
    /// generated kernel with the short stage emits it through here. The value lands in <paramref name="result"/> where one
    /// is given (the accumulator itself, say: <paramref name="dst"/> is then only a temporary), else in <paramref name="dst"/>.
    /// </summary>
    internal static void EmitShortRequantize(X64Assembler asm, int dst, int acc, int evenM, int oddM, int index, int add, int shift, int temp, int result = -1)
    {
        if (result < 0) result = dst;
        asm.Vpmuldq(dst, acc, evenM);
        asm.VpsrlqImm(temp, acc, 32);
        asm.Vpmuldq(temp, temp, oddM);
        asm.Vpermt2d(dst, index, temp);
        asm.Vpaddd(result, dst, add);
        asm.Vpsravd(result, result, shift);
    }

    /// <summary>
    /// The long stage's requantization (the depthwise kernels' layers with a multiplier from 1/4 to 1/2) of the 16 lanes of
    /// zmm<paramref name="acc"/> into zmm<paramref name="dst"/>: the contract's int64 rounding add and arithmetic shift on
    /// each lane's product with M (even lanes with <paramref name="evenM"/>, odd ones shifted down with
    /// <paramref name="oddM"/> in <paramref name="temp"/>; per parity its add and shift tables), then the low dwords in
    /// lane order (<paramref name="index"/>: the low dwords of the two).
    /// </summary>
    internal static void EmitLongRequantize(X64Assembler asm, int dst, int acc, int evenM, int oddM, int index,
        int addEven, int addOdd, int shiftEven, int shiftOdd, int temp)
    {
        asm.Vpmuldq(dst, acc, evenM);
        asm.VpsrlqImm(temp, acc, 32);
        asm.Vpmuldq(temp, temp, oddM);
        asm.Vpaddq(dst, dst, addEven);
        asm.Vpaddq(temp, temp, addOdd);
        asm.Vpsravq(dst, dst, shiftEven);
        asm.Vpsravq(temp, temp, shiftOdd);
        asm.Vpermt2d(dst, index, temp);
    }

    /// <summary>Panels of one call of the one-row kernel (<see cref="Row"/>).</summary>
    public const int MaxRowPanels = 8;

    /// <summary>Where the one-row kernels start in <see cref="Entries"/>: after the tiles and every staged variant.</summary>
    private const int RowEntries = StagedEntries + 8 * StageVariants;

    /// <summary>
    /// The one-row kernel over <paramref name="panels"/> (1–<see cref="MaxRowPanels"/>) consecutive panels:
    /// <c>row(a, quadPairs, b, panelStride, sums)</c> in rdi, rsi, rdx, rcx, r8 — the dot products of one signed A row of
    /// 2·quadPairs quads with each panel, stored as int32 at <c>sums[16·p]</c>. A GEMM of one row (a fully connected layer
    /// at batch 1, a tile's last row) has no rows to share a panel's loads with, so the 8-row tile would do eight times the
    /// work: here each quad is broadcast once for all the panels, whose quads are memory operands of <c>vpdpbusd</c>, and K
    /// runs as two chains (even and odd quads, summed at the end) so that a panel's accumulator is not waited on every quad.
    /// </summary>
    public static delegate* unmanaged[SuppressGCTransition]<sbyte*, nint, sbyte*, nint, int*, void> Row(int panels) =>
        (delegate* unmanaged[SuppressGCTransition]<sbyte*, nint, sbyte*, nint, int*, void>)Entries[RowEntries + panels - 1];

    private static Gpr[] RowPanelRegisters => [Gpr.Rdx, Gpr.R9, Gpr.R10, Gpr.R11, Gpr.Rax, Gpr.Rbx, Gpr.R12, Gpr.R13];

    /// <summary>The machine code of the one-row kernel over <paramref name="panels"/> panels (<see cref="Row"/>; <paramref name="staged"/>: <see cref="StagedRow"/>).</summary>
    internal static byte[] AssembleRow(int panels, bool staged = false)
    {
        if (panels is < 1 or > MaxRowPanels) throw new ArgumentOutOfRangeException(nameof(panels));
        const int even = 0, odd = MaxRowPanels, x0 = 28, x1 = 29;
        var asm = new X64Assembler();
        asm.Prologue();
        asm.MovImm32(Gpr.Rax, 0x80808080);
        asm.VpbroadcastdGpr(Bias128, Gpr.Rax);
        var b = RowPanelRegisters;
        for (int p = 1; p < panels; p++) asm.Lea(b[p], b[p - 1], Gpr.Rcx);
        for (int p = 0; p < panels; p++)
        {
            asm.Vpxord(even + p, even + p, even + p);
            asm.Vpxord(odd + p, odd + p, odd + p);
        }
        int loop = asm.Position;
        asm.VpbroadcastdLoad(x0, Gpr.Rdi, null, 0);
        asm.Vpxord(x0, x0, Bias128);
        asm.VpbroadcastdLoad(x1, Gpr.Rdi, null, 4);
        asm.Vpxord(x1, x1, Bias128);
        for (int p = 0; p < panels; p++)
        {
            asm.VpdpbusdLoad(even + p, x0, b[p], 0);
            asm.VpdpbusdLoad(odd + p, x1, b[p], GemmPanels.QuadBytes);
        }
        for (int p = 0; p < panels; p++) asm.AddImm(b[p], 2 * GemmPanels.QuadBytes);
        asm.AddImm(Gpr.Rdi, 8);
        asm.Dec(Gpr.Rsi);
        asm.Jnz(loop);
        for (int p = 0; p < panels; p++)
        {
            asm.Vpaddd(even + p, even + p, odd + p);
            if (!staged) asm.Store(Gpr.R8, 64 * p, even + p);
        }
        if (staged) EmitRowStage(asm, panels);
        asm.Epilogue();
        return asm.ToArray();
    }

    /// <summary>
    /// The short stage on the one-row sums in zmm0 … zmm(panels − 1), args (<see cref="VnniStageArgs"/>) at r8: per panel
    /// its bias, M of the even and the odd lanes, 2^(s−1) and s loaded from the tables 64 bytes on per panel, then
    /// <see cref="EmitShortStage"/>'s steps; two register sets in turn (zmm20–24, 28–29 and the odd chains' zmm8–14, free
    /// once summed) so that neighbouring panels' stages overlap.
    /// </summary>
    private static void EmitRowStage(X64Assembler asm, int panels)
    {
        const int index = 16, zp = 17, lo = 18, hi = 19;
        asm.KmovwLoad(1, Gpr.R8, VnniStageArgs.MaskOffset);
        asm.KmovwLoad(2, Gpr.R8, VnniStageArgs.MaskOffset + 2);
        asm.MovLoad(Gpr.Rax, Gpr.R8, VnniStageArgs.BiasOffset);
        asm.MovLoad(Gpr.Rcx, Gpr.R8, VnniStageArgs.MultiplierOffset);
        asm.MovLoad(Gpr.Rdx, Gpr.R8, VnniStageArgs.AddOffset);
        asm.MovLoad(Gpr.Rsi, Gpr.R8, VnniStageArgs.ShiftOffset);
        asm.MovLoad(Gpr.Rdi, Gpr.R8, VnniStageArgs.IndexOffset);
        asm.Load(index, Gpr.Rdi, null, 0);
        asm.VpbroadcastdLoad(zp, Gpr.R8, null, VnniStageArgs.ZeroPointOffset);
        asm.VpbroadcastdLoad(lo, Gpr.R8, null, VnniStageArgs.ClampMinOffset);
        asm.VpbroadcastdLoad(hi, Gpr.R8, null, VnniStageArgs.ClampMaxOffset);
        asm.MovLoad(Gpr.R10, Gpr.R8, VnniStageArgs.YOffset);
        for (int p = 0; p < panels; p++)
        {
            int c = p % 2 == 0 ? 20 : 8, e = p % 2 == 0 ? 28 : 13, o = e + 1, at = 64 * p;
            asm.Load(c, Gpr.Rax, null, at);            // bias
            asm.Vpaddd(p, p, c);
            asm.Load(c + 1, Gpr.Rcx, null, at);        // M of the even lanes
            asm.Load(c + 2, Gpr.Rcx, null, at + 4);    // M of the odd lanes
            asm.Load(c + 3, Gpr.Rdx, null, at);        // 2^(s−1)
            asm.Load(c + 4, Gpr.Rsi, null, at);        // s = n − 32
            EmitShortRequantize(asm, e, p, c + 1, c + 2, index, c + 3, c + 4, o);
            asm.Vpaddd(e, e, zp);
            asm.Vpmaxsd(e, e, lo);
            asm.Vpminsd(e, e, hi);
            asm.VpmovsdbStore(Gpr.R10, 16 * p, e, mask: p == panels - 1 ? 2 : 1);
        }
    }

    /// <summary>Where the staged one-row kernels start in <see cref="Entries"/>: after the one-row kernels.</summary>
    private const int StagedRowEntries = RowEntries + MaxRowPanels;

    /// <summary>Where the partial tiles (<see cref="PartialTile"/>) start in <see cref="Entries"/>: after the staged one-row kernels.</summary>
    private const int PartialEntries = StagedRowEntries + MaxRowPanels;

    /// <summary>
    /// The one-row kernel with the short stage (<see cref="Row"/>'s sums, then <see cref="EmitShortStage"/>'s steps per
    /// panel): <c>row(a, quadPairs, b, panelStride, args)</c> — args a <see cref="VnniStageArgs"/> whose tables start at
    /// the first panel's first channel, Masks[0] the channels of every panel but the last, Masks[1] the last panel's; the
    /// bytes at <c>Y + 16·p</c>. For panels whose channels all take the short stage (<see cref="Int8GemmTile.IsStagedPanel"/>).
    /// </summary>
    public static delegate* unmanaged[SuppressGCTransition]<sbyte*, nint, sbyte*, nint, VnniStageArgs*, void> StagedRow(int panels) =>
        (delegate* unmanaged[SuppressGCTransition]<sbyte*, nint, sbyte*, nint, VnniStageArgs*, void>)Entries[StagedRowEntries + panels - 1];

    private static nint[] Build()
    {
        if (!CpuHasVnni()) return [];
        // The kernels one after another in one mapping, each from a 64-byte boundary: the tiles on signed A, on A already
        // unsigned, then the one-row kernels.
        (string Name, byte[] Code)[] kernels = [("tile p1", Assemble(1)), ("tile p2", Assemble(2)), ("tile p1 unsigned", Assemble(1, unsignedA: true)), ("tile p2 unsigned", Assemble(2, unsignedA: true)),
            .. from prefetch in new[] { false, true } from unsignedA in new[] { false, true } from panels in new[] { 1, 2 }
               from variant in Enumerable.Range(0, StageVariants)
               select ($"staged-row p{panels}{(unsignedA ? " unsigned" : "")} variant {variant}{(prefetch ? " prefetch" : "")}", AssembleStaged(panels, unsignedA, variant, prefetch)),
            .. Enumerable.Range(1, MaxRowPanels).Select(p => ($"row p{p}", AssembleRow(p))), .. Enumerable.Range(1, MaxRowPanels).Select(p => ($"row p{p} staged", AssembleRow(p, staged: true))),
            .. from panels in new[] { 1, 2 } from rows in Enumerable.Range(1, Rows - 1) select ($"partial-tile p{panels} rows {rows}", Assemble(panels, unsignedA: true, rows))];
        var offsets = new int[kernels.Length];
        var code = new List<byte>();
        for (int i = 0; i < kernels.Length; i++)
        {
            while (code.Count % 64 != 0) code.Add(0xCC); // int3 between kernels
            offsets[i] = code.Count;
            code.AddRange(kernels[i].Code);
        }
        byte* placed = ExecutableMemory.TryPlace(code.ToArray(), name: null);
        if (placed == null) return [];
        for (int i = 0; i < kernels.Length; i++) PerfMap.Add((nint)(placed + offsets[i]), kernels[i].Code.Length, "vnni-" + kernels[i].Name);
        return [.. offsets.Select(o => (nint)(placed + o))];
    }

    private static Gpr[] RowRegisters => [Gpr.Rdi, Gpr.R10, Gpr.R11, Gpr.Rax, Gpr.Rbx, Gpr.R12, Gpr.R13, Gpr.R14];
    private static Gpr[] PanelRegisters => [Gpr.Rdx, Gpr.R9];
    private const int Bias128 = 31, W0 = 24, X0 = 26; // accumulators 0–15, weights 24–25, row quads 26–29

    /// <summary>
    /// The machine code of the tile of <paramref name="rows"/> A rows (8, or fewer: <see cref="PartialTile"/>) over
    /// <paramref name="panels"/> panels that stores its int32 sums at r8, row i of panel p at <c>(p·8 + i)·64</c>.
    /// </summary>
    internal static byte[] Assemble(int panels, bool unsignedA = false, int rows = Rows)
    {
        if (panels is < 1 or > 2) throw new ArgumentOutOfRangeException(nameof(panels));
        if (rows is < 1 or > Rows) throw new ArgumentOutOfRangeException(nameof(rows));
        var asm = new X64Assembler();
        asm.Prologue();
        asm.Mov(Gpr.Rbp, Gpr.Rcx);
        EmitSums(asm, panels, unsignedA, tileRows: rows);
        for (int p = 0; p < panels; p++)
            for (int i = 0; i < rows; i++) asm.Store(Gpr.R8, (p * Rows + i) * 64, p * Rows + i);
        asm.Epilogue();
        return asm.ToArray();
    }

    /// <summary>
    /// The machine code of the staged kernel over <paramref name="panels"/> panels: <c>staged(shape, args)</c> (rdi, rsi)
    /// runs <see cref="VnniStageArgs.Tiles"/> full 8-row tiles, each from <see cref="VnniStageArgs.A"/> (then advanced by
    /// ATileStride) against the panels at B, its short stage storing int8 at Y (then advanced by YTileStride);
    /// <paramref name="prefetch"/>: see <see cref="StagedTiles"/>.
    /// </summary>
    internal static byte[] AssembleStaged(int panels, bool unsignedA = false, int variant = 0, bool prefetch = false, int rows = Rows)
    {
        if (panels is < 1 or > 2) throw new ArgumentOutOfRangeException(nameof(panels));
        if (variant is < 0 or >= StageVariants) throw new ArgumentOutOfRangeException(nameof(variant));
        if (rows is < 1 or > Rows || rows < Rows && (prefetch || !unsignedA)) throw new ArgumentOutOfRangeException(nameof(rows), rows, "partial staged tiles read unsigned A and prefetch nothing");
        var asm = new X64Assembler();
        asm.Prologue();
        asm.Mov(Gpr.Rbp, Gpr.Rdi);
        asm.Mov(Gpr.R8, Gpr.Rsi);
        asm.KmovwLoad(1, Gpr.R8, VnniStageArgs.MaskOffset);
        if (panels == 2) asm.KmovwLoad(2, Gpr.R8, VnniStageArgs.MaskOffset + 2);
        int tile = asm.Position;
        asm.MovLoad(Gpr.Rdi, Gpr.R8, VnniStageArgs.AOffset);
        asm.MovLoad(Gpr.Rsi, Gpr.R8, VnniStageArgs.LdaOffset);
        asm.MovLoad(Gpr.Rdx, Gpr.R8, VnniStageArgs.BOffset);
        asm.MovLoad(Gpr.R9, Gpr.R8, VnniStageArgs.PanelStrideOffset);
        EmitSums(asm, panels, unsignedA, biasInit: true, prefetch, tileRows: rows);
        EmitShortStage(asm, panels, variant, rows);
        if (prefetch)
        {
            // The next tile prefetches the other panel.
            asm.MovLoad(Gpr.Rax, Gpr.R8, VnniStageArgs.Prefetch0Offset);
            asm.MovLoad(Gpr.Rcx, Gpr.R8, VnniStageArgs.Prefetch1Offset);
            asm.MovStore(Gpr.R8, VnniStageArgs.Prefetch0Offset, Gpr.Rcx);
            asm.MovStore(Gpr.R8, VnniStageArgs.Prefetch1Offset, Gpr.Rax);
        }
        asm.MovLoad(Gpr.Rax, Gpr.R8, VnniStageArgs.AOffset);
        asm.AddLoad(Gpr.Rax, Gpr.R8, VnniStageArgs.ATileStrideOffset);
        asm.MovStore(Gpr.R8, VnniStageArgs.AOffset, Gpr.Rax);
        asm.MovLoad(Gpr.Rax, Gpr.R8, VnniStageArgs.YOffset);
        asm.AddLoad(Gpr.Rax, Gpr.R8, VnniStageArgs.YTileStrideOffset);
        asm.MovStore(Gpr.R8, VnniStageArgs.YOffset, Gpr.Rax);
        asm.MovLoad(Gpr.Rax, Gpr.R8, VnniStageArgs.TilesOffset);
        asm.Dec(Gpr.Rax);
        asm.MovStore(Gpr.R8, VnniStageArgs.TilesOffset, Gpr.Rax);
        asm.Jnz(tile);
        asm.Epilogue();
        return asm.ToArray();
    }

    /// <summary>
    /// The K loop: rows a + i·lda (a in rdi, lda in rsi), panels at rdx and rdx + r9, the shape at rbp; leaves the sums in
    /// zmm(panel·8 + row). Clobbers every caller-saved register but r8. <paramref name="prefetch"/> (args at r8): one
    /// <c>prefetcht1</c> per quad from <see cref="VnniStageArgs.Prefetch0"/> on, 64 bytes apart, in rsi, so the segments
    /// left are counted in <see cref="VnniStageArgs.SegmentsLeft"/> instead. <paramref name="tileRows"/> below 8: only the
    /// first rows are read and summed (a partial tile; no prefetch).
    /// </summary>
    private static void EmitSums(X64Assembler asm, int panels, bool unsignedA, bool biasInit = false, bool prefetch = false, int tileRows = Rows)
    {
        if (tileRows != Rows && prefetch) throw new ArgumentException("partial tiles prefetch nothing");
        var rows = RowRegisters;
        if (biasInit)
        {
            // The accumulators start at the panels' biases (args at r8), so the stage adds none: the same sums modulo 2^32.
            asm.MovLoad(Gpr.Rax, Gpr.R8, VnniStageArgs.BiasOffset);
            for (int p = 0; p < panels; p++)
            {
                asm.Load(30, Gpr.Rax, null, 64 * p);
                for (int i = 0; i < tileRows; i++) asm.Vmovdqa64(p * Rows + i, 30);
            }
        }
        for (int i = 1; i < tileRows; i++) asm.Lea(rows[i], rows[i - 1], Gpr.Rsi);
        if (panels == 2) asm.Lea(Gpr.R9, Gpr.Rdx, Gpr.R9);
        asm.MovImm32(Gpr.R15, 0x80808080);
        asm.VpbroadcastdGpr(Bias128, Gpr.R15);
        asm.Zero(Gpr.R15);
        if (!biasInit)
            for (int p = 0; p < panels; p++)
                for (int i = 0; i < tileRows; i++) asm.Vpxord(p * Rows + i, p * Rows + i, p * Rows + i);

        // Segments left in rsi (lda is spent), quads left in rcx; the quad's byte offset k in r15, the same for every row.
        if (prefetch)
        {
            asm.MovLoad(Gpr.Rcx, Gpr.Rbp, VnniTileShape.SegmentsOffset);
            asm.MovStore(Gpr.R8, VnniStageArgs.SegmentsLeftOffset, Gpr.Rcx);
            asm.MovLoad(Gpr.Rsi, Gpr.R8, VnniStageArgs.Prefetch0Offset);
        }
        else asm.MovLoad(Gpr.Rsi, Gpr.Rbp, VnniTileShape.SegmentsOffset);
        int segment = asm.Position;
        asm.MovLoad(Gpr.Rcx, Gpr.Rbp, VnniTileShape.QuadsOffset);
        int loop = asm.Position;
        if (prefetch)
        {
            asm.Prefetcht1(Gpr.Rsi);
            asm.AddImm(Gpr.Rsi, 64);
        }
        for (int p = 0; p < panels; p++) asm.Load(W0 + p, PanelRegisters[p], null, 0);
        for (int i = 0; i < tileRows; i++)
        {
            int x = X0 + (i & 3); // four temporaries in turn: the loads of later rows need not wait on a register's reuse
            asm.VpbroadcastdLoad(x, rows[i], Gpr.R15, 0);
            if (!unsignedA) asm.Vpxord(x, x, Bias128);
            for (int p = 0; p < panels; p++) asm.Vpdpbusd(p * Rows + i, x, W0 + p);
        }
        asm.AddImm(Gpr.R15, 4);
        for (int p = 0; p < panels; p++) asm.AddImm(PanelRegisters[p], GemmPanels.QuadBytes);
        asm.Dec(Gpr.Rcx);
        asm.Jnz(loop);
        asm.AddLoad(Gpr.R15, Gpr.Rbp, VnniTileShape.JumpOffset);
        if (prefetch)
        {
            asm.MovLoad(Gpr.Rcx, Gpr.R8, VnniStageArgs.SegmentsLeftOffset);
            asm.Dec(Gpr.Rcx);
            asm.MovStore(Gpr.R8, VnniStageArgs.SegmentsLeftOffset, Gpr.Rcx); // mov leaves dec's ZF
        }
        else asm.Dec(Gpr.Rsi);
        asm.Jnz(segment);
    }
}

/// <summary>What the staged VNNI kernel (<see cref="VnniTileCode.StagedTiles"/>) reads: its output stage and its tiles.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct VnniStageArgs
{
    public const int BiasOffset = 0, MultiplierOffset = 8, AddOffset = 16, ShiftOffset = 24, IndexOffset = 32,
        ZeroPointOffset = 40, ClampMinOffset = 44, ClampMaxOffset = 48, MaskOffset = 52, TilesOffset = 56,
        AOffset = 64, LdaOffset = 72, ATileStrideOffset = 80, YOffset = 88, LdcOffset = 96, YTileStrideOffset = 104,
        BOffset = 112, PanelStrideOffset = 120, Prefetch0Offset = 128, Prefetch1Offset = 136, SegmentsLeftOffset = 144;

    /// <summary>The 16 biases of the first panel (<see cref="GemmPanels.VnniBias"/>); the second panel's follow.</summary>
    public int* Bias;

    /// <summary>The short stage's tables at the first panel's first channel c0 (<c>OutputStage.ShortTables</c>); the odd lanes' multipliers are read from c0 + 1.</summary>
    public int* Multiplier, Add, Shift;

    /// <summary>The vpermt2d index that gathers the high dwords of the even and odd products (1, 17, 3, 19, …).</summary>
    public int* Index;

    public int ZeroPoint, ClampMin, ClampMax;

    /// <summary>Per panel, the channels stored (bit j: channel c0 + 16·panel + j).</summary>
    public fixed ushort Masks[2];

    /// <summary>Full 8-row tiles to run, ≥ 1 (counted down by the kernel).</summary>
    public long Tiles;

    /// <summary>The current tile's A row 0, the stride between its rows, and between tiles (advanced by the kernel).</summary>
    public sbyte* A;
    public long Lda, ATileStride;

    /// <summary>Where the current tile's row 0 stores channel c0, the stride between its rows, and between tiles.</summary>
    public sbyte* Y;
    public long Ldc, YTileStride;

    /// <summary>The first panel's weights, and the bytes to the second's.</summary>
    public sbyte* B;
    public long PanelStride;

    /// <summary>The prefetching kernels' (<see cref="VnniTileCode.StagedTiles"/>) lines to fetch: even tiles from Prefetch0, odd ones from Prefetch1 (swapped by the kernel after each tile).</summary>
    public sbyte* Prefetch0, Prefetch1;

    /// <summary>The prefetching kernels' count of K segments left in the current tile (written by the kernel).</summary>
    public long SegmentsLeft;
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
