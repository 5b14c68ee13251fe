namespace Edge.Runtime.CodeGen;

/// <summary>A general-purpose x86-64 register, by its encoding number (rax = 0 … r15 = 15).</summary>
internal enum Gpr
{
    Rax = 0, Rcx = 1, Rdx = 2, Rbx = 3, Rsp = 4, Rbp = 5, Rsi = 6, Rdi = 7,
    R8 = 8, R9 = 9, R10 = 10, R11 = 11, R12 = 12, R13 = 13, R14 = 14, R15 = 15,
}

/// <summary>
/// The few x86-64 instructions the generated kernels use, encoded into a byte buffer: EVEX-encoded 512-bit integer
/// instructions on zmm0–zmm31 (register or <c>[base + index + disp]</c> operands, with EVEX's compressed 8-bit
/// displacement), and the scalar instructions of a counted loop. Every encoding follows the Intel SDM, volume 2
/// (§2.7, "EVEX encoding"); the tests check the bytes of each form against GNU as.
/// </summary>
internal sealed class X64Assembler
{
    private readonly List<byte> _code = [];

    /// <summary>The bytes emitted so far.</summary>
    public byte[] ToArray() => [.. _code];

    /// <summary>The offset of the next instruction (a loop's head, for <see cref="Jnz"/>).</summary>
    public int Position => _code.Count;

    // ---- EVEX, 512 bits -------------------------------------------------------------------------------------------

    /// <summary><c>vpxord zmm<paramref name="dst"/>, zmm<paramref name="a"/>, zmm<paramref name="b"/></c> (EVEX.512.66.0F.W0 EF /r).</summary>
    public void Vpxord(int dst, int a, int b) => EvexRegs(map: 1, pp: 1, opcode: 0xEF, dst, a, b);

    /// <summary>
    /// <c>vpxord zmm<paramref name="dst"/>, zmm<paramref name="a"/>, [base + disp]</c> (EVEX.512.66.0F.W0 EF /r, full vector:
    /// disp8 × 64): a load and an XOR in one instruction.
    /// </summary>
    public void VpxordLoad(int dst, int a, Gpr @base, int disp) => EvexMem(map: 1, pp: 1, opcode: 0xEF, dst, @base, null, disp, scaleN: 64, v: a);

    /// <summary><c>vpunpcklbw zmm<paramref name="dst"/>, zmm<paramref name="a"/>, zmm<paramref name="b"/></c> (EVEX.512.66.0F.WIG 60 /r): per 128-bit lane, the low eight bytes of a and b interleaved, a's first.</summary>
    public void Vpunpcklbw(int dst, int a, int b) => EvexRegs(map: 1, pp: 1, opcode: 0x60, dst, a, b);

    /// <summary><c>vpunpckhbw</c> (EVEX.512.66.0F.WIG 68 /r): per 128-bit lane, the high eight bytes of a and b interleaved.</summary>
    public void Vpunpckhbw(int dst, int a, int b) => EvexRegs(map: 1, pp: 1, opcode: 0x68, dst, a, b);

    /// <summary><c>vpunpcklwd</c> (EVEX.512.66.0F.WIG 61 /r): per 128-bit lane, the low four words of a and b interleaved.</summary>
    public void Vpunpcklwd(int dst, int a, int b) => EvexRegs(map: 1, pp: 1, opcode: 0x61, dst, a, b);

    /// <summary><c>vpunpckhwd</c> (EVEX.512.66.0F.WIG 69 /r): per 128-bit lane, the high four words of a and b interleaved.</summary>
    public void Vpunpckhwd(int dst, int a, int b) => EvexRegs(map: 1, pp: 1, opcode: 0x69, dst, a, b);

    /// <summary><c>vmovdqa64 zmm<paramref name="dst"/>, zmm<paramref name="src"/></c> (EVEX.512.66.0F.W1 6F /r).</summary>
    public void Vmovdqa64(int dst, int src) => EvexRegs(map: 1, pp: 1, opcode: 0x6F, dst, 0, src, w: true);

    /// <summary><c>vpdpbusd zmm<paramref name="acc"/>, zmm<paramref name="u8"/>, zmm<paramref name="s8"/></c> (EVEX.512.66.0F38.W0 50 /r): per int32 lane, acc += Σ of four u8·s8 products.</summary>
    public void Vpdpbusd(int acc, int u8, int s8) => EvexRegs(map: 2, pp: 1, opcode: 0x50, acc, u8, s8);

    /// <summary>
    /// <c>vpdpbusd zmm<paramref name="acc"/>, zmm<paramref name="u8"/>, [base + disp]</c> (EVEX.512.66.0F38.W0 50 /r, full
    /// vector: disp8 × 64): the signed bytes from memory.
    /// </summary>
    public void VpdpbusdLoad(int acc, int u8, Gpr @base, int disp) => EvexMem(map: 2, pp: 1, opcode: 0x50, acc, @base, null, disp, scaleN: 64, v: u8);

    /// <summary>
    /// <c>vpdpbusd zmm<paramref name="acc"/>, zmm<paramref name="u8"/>, dword [base + disp]{1to16}</c> (EVEX.512.66.0F38.W0 50 /r
    /// with EVEX.b: one dword of four signed bytes broadcast to every lane; disp8 × 4).
    /// </summary>
    public void VpdpbusdBroadcast(int acc, int u8, Gpr @base, int disp) => EvexMem(map: 2, pp: 1, opcode: 0x50, acc, @base, null, disp, scaleN: 4, v: u8, broadcast: true);

    /// <summary><c>vpermb zmm<paramref name="dst"/>, zmm<paramref name="index"/>, zmm<paramref name="table"/></c> (EVEX.512.66.0F38.W0 8D /r, AVX-512 VBMI): byte i ← table[index[i] mod 64].</summary>
    public void Vpermb(int dst, int index, int table) => EvexRegs(map: 2, pp: 1, opcode: 0x8D, dst, index, table);

    /// <summary><c>vpbroadcastd zmm<paramref name="dst"/>, dword [base + index + disp]</c> (EVEX.512.66.0F38.W0 58 /r, tuple T1S: disp8 × 4).</summary>
    public void VpbroadcastdLoad(int dst, Gpr @base, Gpr? index, int disp) => EvexMem(map: 2, pp: 1, opcode: 0x58, dst, @base, index, disp, scaleN: 4);

    /// <summary><c>vpbroadcastd zmm<paramref name="dst"/>, r32</c> (EVEX.512.66.0F38.W0 7C /r).</summary>
    public void VpbroadcastdGpr(int dst, Gpr src) => EvexRegs(map: 2, pp: 1, opcode: 0x7C, dst, 0, (int)src);

    /// <summary><c>vmovdqu32 zmm<paramref name="dst"/>, [base + index + disp]</c> (EVEX.512.F3.0F.W0 6F /r, full vector: disp8 × 64).</summary>
    public void Load(int dst, Gpr @base, Gpr? index, int disp) => EvexMem(map: 1, pp: 2, opcode: 0x6F, dst, @base, index, disp, scaleN: 64);

    /// <summary><c>vmovdqu32 [base + disp], zmm<paramref name="src"/></c> (EVEX.512.F3.0F.W0 7F /r).</summary>
    public void Store(Gpr @base, int disp, int src) => EvexMem(map: 1, pp: 2, opcode: 0x7F, src, @base, null, disp, scaleN: 64);

    /// <summary><c>vpaddd zmm<paramref name="dst"/>, zmm<paramref name="a"/>, zmm<paramref name="b"/></c> (EVEX.512.66.0F.W0 FE /r).</summary>
    public void Vpaddd(int dst, int a, int b) => EvexRegs(map: 1, pp: 1, opcode: 0xFE, dst, a, b);

    /// <summary><c>vpaddq zmm<paramref name="dst"/>, zmm<paramref name="a"/>, zmm<paramref name="b"/></c> (EVEX.512.66.0F.W1 D4 /r).</summary>
    public void Vpaddq(int dst, int a, int b) => EvexRegs(map: 1, pp: 1, opcode: 0xD4, dst, a, b, w: true);

    /// <summary><c>vpsravq zmm<paramref name="dst"/>, zmm<paramref name="a"/>, zmm<paramref name="counts"/></c> (EVEX.512.66.0F38.W1 46 /r): per int64 lane, an arithmetic right shift.</summary>
    public void Vpsravq(int dst, int a, int counts) => EvexRegs(map: 2, pp: 1, opcode: 0x46, dst, a, counts, w: true);

    /// <summary><c>vpmuldq zmm<paramref name="dst"/>, zmm<paramref name="a"/>, zmm<paramref name="b"/></c> (EVEX.512.66.0F38.W1 28 /r): the signed 64-bit products of the even dwords.</summary>
    public void Vpmuldq(int dst, int a, int b) => EvexRegs(map: 2, pp: 1, opcode: 0x28, dst, a, b, w: true);

    /// <summary><c>vpsrlq zmm<paramref name="dst"/>, zmm<paramref name="src"/>, imm8</c> (EVEX.512.66.0F.W1 73 /2 ib: vvvv is the destination).</summary>
    public void VpsrlqImm(int dst, int src, byte count)
    {
        EvexRegs(map: 1, pp: 1, opcode: 0x73, r: 2, v: dst, m: src, w: true);
        Emit(count);
    }

    /// <summary><c>vpermt2d zmm<paramref name="table"/>, zmm<paramref name="index"/>, zmm<paramref name="second"/></c> (EVEX.512.66.0F38.W0 7E /r): dword i ← index[i] &lt; 16 ? table[index[i]] : second[index[i] − 16].</summary>
    public void Vpermt2d(int table, int index, int second) => EvexRegs(map: 2, pp: 1, opcode: 0x7E, table, index, second);

    /// <summary><c>vpsravd zmm<paramref name="dst"/>, zmm<paramref name="a"/>, zmm<paramref name="counts"/></c> (EVEX.512.66.0F38.W0 46 /r).</summary>
    public void Vpsravd(int dst, int a, int counts) => EvexRegs(map: 2, pp: 1, opcode: 0x46, dst, a, counts);

    /// <summary><c>vpmaxsd</c> (EVEX.512.66.0F38.W0 3D /r).</summary>
    public void Vpmaxsd(int dst, int a, int b) => EvexRegs(map: 2, pp: 1, opcode: 0x3D, dst, a, b);

    /// <summary><c>vpminsd</c> (EVEX.512.66.0F38.W0 39 /r).</summary>
    public void Vpminsd(int dst, int a, int b) => EvexRegs(map: 2, pp: 1, opcode: 0x39, dst, a, b);

    /// <summary>
    /// <c>vpmovsdb xmmword [base + disp] {k<paramref name="mask"/>}, zmm<paramref name="src"/></c> (EVEX.512.F3.0F38.W0 21 /r,
    /// tuple QVM: disp8 × 16): the 16 dwords narrowed to bytes with signed saturation, stored where the mask's bits are set.
    /// </summary>
    public void VpmovsdbStore(Gpr @base, int disp, int src, int mask) => EvexMem(map: 2, pp: 2, opcode: 0x21, src, @base, null, disp, scaleN: 16, mask: mask);

    /// <summary><c>vpackssdw zmm<paramref name="dst"/>, zmm<paramref name="a"/>, zmm<paramref name="b"/></c> (EVEX.512.66.0F.W0 6B /r): per 128-bit lane, a's four dwords then b's as words, signed saturation.</summary>
    public void Vpackssdw(int dst, int a, int b) => EvexRegs(map: 1, pp: 1, opcode: 0x6B, dst, a, b);

    /// <summary><c>vpacksswb zmm<paramref name="dst"/>, zmm<paramref name="a"/>, zmm<paramref name="b"/></c> (EVEX.512.66.0F.WIG 63 /r): per 128-bit lane, a's eight words then b's as bytes, signed saturation.</summary>
    public void Vpacksswb(int dst, int a, int b) => EvexRegs(map: 1, pp: 1, opcode: 0x63, dst, a, b);

    /// <summary><c>vpmaxsb</c> (EVEX.512.66.0F38.WIG 3C /r).</summary>
    public void Vpmaxsb(int dst, int a, int b) => EvexRegs(map: 2, pp: 1, opcode: 0x3C, dst, a, b);

    /// <summary><c>vpminsb</c> (EVEX.512.66.0F38.WIG 38 /r).</summary>
    public void Vpminsb(int dst, int a, int b) => EvexRegs(map: 2, pp: 1, opcode: 0x38, dst, a, b);

    /// <summary><c>vpermt2b zmm<paramref name="table"/>, zmm<paramref name="index"/>, zmm<paramref name="second"/></c> (EVEX.512.66.0F38.W0 7D /r, AVX-512 VBMI): byte i ← index[i] mod 128 &lt; 64 ? table[·] : second[· − 64].</summary>
    public void Vpermt2b(int table, int index, int second) => EvexRegs(map: 2, pp: 1, opcode: 0x7D, table, index, second);

    /// <summary>
    /// <c>vshufi64x2 zmm<paramref name="dst"/>, zmm<paramref name="a"/>, zmm<paramref name="b"/>, imm8</c> (EVEX.512.66.0F3A.W1 43 /r ib):
    /// 128-bit lanes 0, 1 of the result from a's lanes imm[1:0], imm[3:2]; lanes 2, 3 from b's imm[5:4], imm[7:6].
    /// </summary>
    public void Vshufi64x2(int dst, int a, int b, byte imm)
    {
        EvexRegs(map: 3, pp: 1, opcode: 0x43, dst, a, b, w: true);
        Emit(imm);
    }

    /// <summary><c>vmovdqu8 [base + disp] {k<paramref name="mask"/>}, zmm<paramref name="src"/></c> (EVEX.512.F2.0F.W0 7F /r, disp8 × 64): the bytes whose mask bits are set.</summary>
    public void StoreBytesMasked(Gpr @base, int disp, int src, int mask)
    {
        if (mask is < 1 or > 7) throw new ArgumentOutOfRangeException(nameof(mask), mask, "A write mask is k1–k7.");
        EvexMem(map: 1, pp: 3, opcode: 0x7F, src, @base, null, disp, scaleN: 64, mask: mask);
    }

    /// <summary><c>kmovq k<paramref name="k"/>, qword [base + disp]</c> (VEX.L0.0F.W1 90 /r, always the three-byte VEX: W1).</summary>
    public void KmovqLoad(int k, Gpr @base, int disp)
    {
        if (k is < 1 or > 7) throw new ArgumentOutOfRangeException(nameof(k), k, "A write mask is k1–k7.");
        int b = (int)@base;
        Emit(0xC4, (byte)(0xC0 | (Inv(b, 3) << 5) | 0x01), 0xF8, 0x90);   // R̄ X̄ B̄ m-mmmm = 0F, then W=1 vvvv̄ L pp
        ModRmMemory(k, b, null, disp, disp is >= sbyte.MinValue and <= sbyte.MaxValue ? disp : null);
    }

    /// <summary><c>kmovw k<paramref name="k"/>, word [base + disp]</c> (VEX.L0.0F.W0 90 /r).</summary>
    public void KmovwLoad(int k, Gpr @base, int disp)
    {
        if (k is < 1 or > 7) throw new ArgumentOutOfRangeException(nameof(k), k, "A write mask is k1–k7.");
        int b = (int)@base;
        // Two-byte VEX (C5) cannot extend the base; the three-byte form (C4) can: R̄ X̄ B̄ m-mmmm = 0F, then W vvvv̄ L pp.
        if (b >= 8) Emit(0xC4, (byte)(0xC0 | (Inv(b, 3) << 5) | 0x01), 0x78, 0x90);
        else Emit(0xC5, 0xF8, 0x90);
        ModRmMemory(k, b, null, disp, disp is >= sbyte.MinValue and <= sbyte.MaxValue ? disp : null);
    }

    /// <summary>
    /// EVEX with three register operands: <c>reg</c> = <paramref name="r"/> (ModRM.reg), <c>vvvv</c> = <paramref name="v"/>,
    /// ModRM.rm = <paramref name="m"/> (a zmm register, or a GPR for the broadcast from r32), 512 bits, no mask.
    /// </summary>
    private void EvexRegs(int map, int pp, byte opcode, int r, int v, int m, bool w = false)
    {
        Check(r, v, m);
        // P1: R̄ X̄ B̄ R̄' 0 0 m m — R/R' extend ModRM.reg to 5 bits; for a register rm, B and X extend ModRM.rm.
        int p1 = (Inv(r, 3) << 7) | (Inv(m, 4) << 6) | (Inv(m, 3) << 5) | (Inv(r, 4) << 4) | map;
        Emit(0x62, (byte)p1, P2(v, pp, w), P3(v, 0), opcode, (byte)(0xC0 | ((r & 7) << 3) | (m & 7)));
    }

    /// <summary>
    /// EVEX with a register and a memory operand <c>[base + index·1 + disp]</c>, and <paramref name="v"/> in vvvv (0 where the
    /// form has none); <paramref name="scaleN"/> is the disp8 compression factor of the instruction's tuple (the element's
    /// size for a <paramref name="broadcast"/>: EVEX.b on a memory operand broadcasts one element to every lane).
    /// </summary>
    private void EvexMem(int map, int pp, byte opcode, int r, Gpr @base, Gpr? index, int disp, int scaleN, int mask = 0, int v = 0, bool broadcast = false)
    {
        Check(r, v, 0);
        int b = (int)@base, x = index is { } i ? (int)i : 0;
        if (index == Gpr.Rsp) throw new ArgumentException("rsp cannot be an index register.", nameof(index));
        int p1 = (Inv(r, 3) << 7) | (Inv(x, 3) << 6) | (Inv(b, 3) << 5) | (Inv(r, 4) << 4) | map;
        Emit(0x62, (byte)p1, P2(v, pp, false), (byte)(P3(v, mask) | (broadcast ? 0x10 : 0)), opcode);
        bool short8 = disp % scaleN == 0 && disp / scaleN is >= sbyte.MinValue and <= sbyte.MaxValue;
        ModRmMemory(r & 7, b, index is null ? null : x, disp, short8 ? disp / scaleN : null);
    }

    // P2: W vvvv̄ 1 pp.
    private static byte P2(int v, int pp, bool w) => (byte)((w ? 0x80 : 0) | (((~v) & 0xF) << 3) | 0x04 | pp);

    // P3: z L'L b V̄' aaa — merging (no zeroing), L'L = 10 (512 bits), no broadcast or rounding, V' extends vvvv, aaa the write mask.
    private static byte P3(int v, int mask) => (byte)(0x40 | (Inv(v, 4) << 3) | (mask & 7));

    private static int Inv(int reg, int bit) => ((reg >> bit) & 1) ^ 1;

    private static void Check(params int[] regs)
    {
        foreach (int r in regs)
            if (r is < 0 or > 31) throw new ArgumentOutOfRangeException(nameof(regs), r, "A zmm register is 0–31.");
    }

    // ---- scalar ---------------------------------------------------------------------------------------------------

    /// <summary><c>lea dst, [base + index·1 + disp]</c> (REX.W 8D /r).</summary>
    public void Lea(Gpr dst, Gpr @base, Gpr? index, int disp = 0)
    {
        int d = (int)dst, b = (int)@base, x = index is { } i ? (int)i : 0;
        Emit((byte)(0x48 | ((d >> 3) << 2) | ((x >> 3) << 1) | (b >> 3)), 0x8D);
        ModRmMemory(d & 7, b, index is null ? null : x, disp, disp is >= sbyte.MinValue and <= sbyte.MaxValue ? disp : null);
    }

    /// <summary>
    /// <c>qword [base + disp] += step</c> through <paramref name="temp"/> (a load, an add and a store): how the generated
    /// kernels advance a pointer in their argument block.
    /// </summary>
    public void AddToQword(Gpr @base, int disp, int step, Gpr temp)
    {
        MovLoad(temp, @base, disp);
        AddImm(temp, step);
        MovStore(@base, disp, temp);
    }

    /// <summary><c>add reg, imm</c> (REX.W 83 /0 ib, or 81 /0 id).</summary>
    public void AddImm(Gpr reg, int imm)
    {
        int r = (int)reg;
        bool small = imm is >= sbyte.MinValue and <= sbyte.MaxValue;
        Emit((byte)(0x48 | (r >> 3)), (byte)(small ? 0x83 : 0x81), (byte)(0xC0 | (r & 7)));
        if (small) Emit((byte)imm);
        else Emit32(imm);
    }

    /// <summary><c>add dst, src</c> (REX.W 01 /r).</summary>
    public void Add(Gpr dst, Gpr src)
    {
        int d = (int)dst, s = (int)src;
        Emit((byte)(0x48 | ((s >> 3) << 2) | (d >> 3)), 0x01, (byte)(0xC0 | ((s & 7) << 3) | (d & 7)));
    }

    /// <summary><c>mov dst, qword [base + disp]</c> (REX.W 8B /r).</summary>
    public void MovLoad(Gpr dst, Gpr @base, int disp) => ScalarMem(0x8B, dst, @base, disp);

    /// <summary><c>add dst, qword [base + disp]</c> (REX.W 03 /r).</summary>
    public void AddLoad(Gpr dst, Gpr @base, int disp) => ScalarMem(0x03, dst, @base, disp);

    /// <summary><c>mov qword [base + disp], src</c> (REX.W 89 /r).</summary>
    public void MovStore(Gpr @base, int disp, Gpr src) => ScalarMem(0x89, src, @base, disp);

    /// <summary><c>mov dst, src</c> (REX.W 89 /r).</summary>
    public void Mov(Gpr dst, Gpr src)
    {
        int d = (int)dst, s = (int)src;
        Emit((byte)(0x48 | ((s >> 3) << 2) | (d >> 3)), 0x89, (byte)(0xC0 | ((s & 7) << 3) | (d & 7)));
    }

    private void ScalarMem(byte opcode, Gpr dst, Gpr @base, int disp)
    {
        int d = (int)dst, b = (int)@base;
        Emit((byte)(0x48 | ((d >> 3) << 2) | (b >> 3)), opcode);
        ModRmMemory(d & 7, b, null, disp, disp is >= sbyte.MinValue and <= sbyte.MaxValue ? disp : null);
    }

    /// <summary>
    /// <c>prefetcht1 [base + disp]</c> (0F 18 /2): the line towards the L2 cache and not L1 (Intel; AMD from Zen 4), so a
    /// kernel can fetch weights it reads later without evicting the rows it reads now. A hint: never faults.
    /// </summary>
    public void Prefetcht1(Gpr @base, int disp = 0)
    {
        int b = (int)@base;
        if (b >= 8) Emit(0x41);
        Emit(0x0F, 0x18);
        ModRmMemory(2, b, null, disp, disp is >= sbyte.MinValue and <= sbyte.MaxValue ? disp : null);
    }

    /// <summary><c>dec reg</c> (REX.W FF /1): sets ZF for <see cref="Jnz"/>.</summary>
    public void Dec(Gpr reg)
    {
        int r = (int)reg;
        Emit((byte)(0x48 | (r >> 3)), 0xFF, (byte)(0xC8 | (r & 7)));
    }

    /// <summary><c>mov r32, imm32</c> (B8+rd id; zero-extends into the 64-bit register).</summary>
    public void MovImm32(Gpr reg, uint imm)
    {
        int r = (int)reg;
        if (r >= 8) Emit(0x41);
        Emit((byte)(0xB8 | (r & 7)));
        Emit32(unchecked((int)imm));
    }

    /// <summary><c>xor r32, r32</c> of a register with itself (31 /r): zero.</summary>
    public void Zero(Gpr reg)
    {
        int r = (int)reg;
        if (r >= 8) Emit(0x45);
        Emit(0x31, (byte)(0xC0 | ((r & 7) << 3) | (r & 7)));
    }

    /// <summary><c>jnz</c> back to <paramref name="target"/> (0F 85 cd, a 32-bit displacement from the instruction's end).</summary>
    public void Jnz(int target)
    {
        Emit(0x0F, 0x85);
        Emit32(target - (Position + 4));
    }

    public void Push(Gpr reg)
    {
        int r = (int)reg;
        if (r >= 8) Emit(0x41);
        Emit((byte)(0x50 | (r & 7)));
    }

    public void Pop(Gpr reg)
    {
        int r = (int)reg;
        if (r >= 8) Emit(0x41);
        Emit((byte)(0x58 | (r & 7)));
    }

    /// <summary><c>vzeroupper</c> (VEX.128.0F.WIG 77): leaves no dirty upper state to slow later SSE code.</summary>
    public void Vzeroupper() => Emit(0xC5, 0xF8, 0x77);

    /// <summary>The registers a System V function must preserve and the generated kernels use: rbx, rbp, r12–r15.</summary>
    private static readonly Gpr[] CalleeSaved = [Gpr.Rbx, Gpr.Rbp, Gpr.R12, Gpr.R13, Gpr.R14, Gpr.R15];

    /// <summary>A kernel's entry: pushes the callee-saved registers (<see cref="Epilogue"/> restores them).</summary>
    public void Prologue()
    {
        foreach (var r in CalleeSaved) Push(r);
    }

    /// <summary>A kernel's return: <c>vzeroupper</c> (no AVX-SSE transition penalty in the caller), the callee-saved registers popped, <c>ret</c>.</summary>
    public void Epilogue()
    {
        Vzeroupper();
        for (int i = CalleeSaved.Length - 1; i >= 0; i--) Pop(CalleeSaved[i]);
        Ret();
    }

    public void Ret() => Emit(0xC3);

    /// <summary>
    /// ModRM (and SIB, displacement) for <c>[base + index·1 + disp]</c> with ModRM.reg = <paramref name="reg"/>:
    /// a SIB byte when there is an index or the base is rsp/r12, a displacement byte when there is a displacement or the
    /// base is rbp/r13 (whose mod 00 form means RIP-relative or no base). <paramref name="disp8"/> is the displacement
    /// as stored in one byte (already divided by the tuple's N for EVEX), or null when it needs four.
    /// </summary>
    private void ModRmMemory(int reg, int @base, int? index, int disp, int? disp8)
    {
        bool sib = index is not null || (@base & 7) == 4;
        int mod = disp == 0 && (@base & 7) != 5 ? 0 : disp8 is not null ? 1 : 2;
        Emit((byte)((mod << 6) | (reg << 3) | (sib ? 4 : @base & 7)));
        if (sib) Emit((byte)(((index ?? 4) & 7) << 3 | (@base & 7))); // scale 1; index 100 = none
        if (mod == 1) Emit(unchecked((byte)(sbyte)disp8!.Value));
        else if (mod == 2) Emit32(disp);
    }

    private void Emit(params byte[] bytes) => _code.AddRange(bytes);

    private void Emit32(int v)
    {
        for (int i = 0; i < 4; i++) _code.Add((byte)(v >> (8 * i)));
    }
}
