using Edge.Runtime.CodeGen;
using Xunit;

namespace Edge.Runtime.Tests.CodeGen;

/// <summary>
/// Every instruction form the generated kernels use, against the bytes GNU as (binutils 2.40, <c>.intel_syntax</c>) gives
/// for the same instruction: registers below and above 8 and 16, memory operands with and without an index, displacements
/// that compress to 8 bits (EVEX disp8·N) and ones that do not, and the rbp/r13 and rsp/r12 base special cases.
/// </summary>
public class X64AssemblerTests
{
    private static string Hex(Action<X64Assembler> emit)
    {
        var asm = new X64Assembler();
        emit(asm);
        return Convert.ToHexString(asm.ToArray()).ToLowerInvariant();
    }

    [Theory]
    [InlineData("vpxord zmm0,zmm0,zmm0", "62f17d48efc0")]
    [InlineData("vpxord zmm26,zmm26,zmm31", "62012d40efd7")]
    [InlineData("vpxord zmm8,zmm8,zmm8", "62513d48efc0")]
    [InlineData("vpdpbusd zmm0,zmm26,zmm24", "62922d4050c0")]
    [InlineData("vpdpbusd zmm15,zmm27,zmm25", "6212254050f9")]
    [InlineData("vpdpbusd zmm9,zmm26,zmm24", "62122d4050c8")]
    [InlineData("vpbroadcastd zmm31,r15d", "62427d487cff")]
    public void Register_forms_match_gnu_as(string instruction, string bytes)
    {
        string hex = instruction switch
        {
            "vpxord zmm0,zmm0,zmm0" => Hex(a => a.Vpxord(0, 0, 0)),
            "vpxord zmm26,zmm26,zmm31" => Hex(a => a.Vpxord(26, 26, 31)),
            "vpxord zmm8,zmm8,zmm8" => Hex(a => a.Vpxord(8, 8, 8)),
            "vpdpbusd zmm0,zmm26,zmm24" => Hex(a => a.Vpdpbusd(0, 26, 24)),
            "vpdpbusd zmm15,zmm27,zmm25" => Hex(a => a.Vpdpbusd(15, 27, 25)),
            "vpdpbusd zmm9,zmm26,zmm24" => Hex(a => a.Vpdpbusd(9, 26, 24)),
            "vpbroadcastd zmm31,r15d" => Hex(a => a.VpbroadcastdGpr(31, Gpr.R15)),
            _ => throw new ArgumentException(instruction),
        };
        Assert.Equal(bytes, hex);
    }

    [Fact]
    public void Memory_forms_match_gnu_as()
    {
        Assert.Equal("62227d4858143f", Hex(a => a.VpbroadcastdLoad(26, Gpr.Rdi, Gpr.R15, 0)));       // [rdi+r15]
        Assert.Equal("62027d48581c3e", Hex(a => a.VpbroadcastdLoad(27, Gpr.R14, Gpr.R15, 0)));       // [r14+r15]
        Assert.Equal("62027d4858743d00", Hex(a => a.VpbroadcastdLoad(30, Gpr.R13, Gpr.R15, 0)));     // [r13+r15+0]: r13 needs a disp8
        Assert.Equal("62027d4858343c", Hex(a => a.VpbroadcastdLoad(30, Gpr.R12, Gpr.R15, 0)));       // [r12+r15]
        Assert.Equal("62617e486f02", Hex(a => a.Load(24, Gpr.Rdx, null, 0)));                        // [rdx]
        Assert.Equal("62f21d405002", Hex(a => a.VpdpbusdLoad(0, 28, Gpr.Rdx, 0)));                   // vpdpbusd zmm0,zmm28,[rdx]
        Assert.Equal("62521540507901", Hex(a => a.VpdpbusdLoad(15, 29, Gpr.R9, 64)));               // [r9+0x40]: disp8 = 1 (×64)
        Assert.Equal("62521d40504502", Hex(a => a.VpdpbusdLoad(8, 28, Gpr.R13, 128)));              // [r13+0x80]
        Assert.Equal("62d25d40509c2400200000", Hex(a => a.VpdpbusdLoad(3, 20, Gpr.R12, 0x2000)));   // [r12+0x2000]: r12 needs a SIB, disp32
        Assert.Equal("62e25548508b04000000", Hex(a => a.VpdpbusdLoad(17, 5, Gpr.Rbx, 4)));          // zmm17, vvvv zmm5 (V' clear), [rbx+4]
        Assert.Equal("62f21d505002", Hex(a => a.VpdpbusdBroadcast(0, 28, Gpr.Rdx, 0)));              // dword [rdx]{1to16}
        Assert.Equal("62721550507a02", Hex(a => a.VpdpbusdBroadcast(15, 29, Gpr.Rdx, 8)));           // [rdx+8]: disp8 = 2 (×4)
        Assert.Equal("62f21d5050aa00030000", Hex(a => a.VpdpbusdBroadcast(5, 28, Gpr.Rdx, 0x300)));  // [rdx+0x300]: past disp8
        Assert.Equal("62d21550507b01", Hex(a => a.VpdpbusdBroadcast(7, 29, Gpr.R11, 4)));            // [r11+4]
        Assert.Equal("62023d408de6", Hex(a => a.Vpermb(28, 24, 30)));
        Assert.Equal("620225408dee", Hex(a => a.Vpermb(29, 27, 30)));
        Assert.Equal("62f275488dda", Hex(a => a.Vpermb(3, 1, 2)));
        Assert.Equal("62217e486f0c0a", Hex(a => a.Load(25, Gpr.Rdx, Gpr.R9, 0)));                   // [rdx+r9]
        Assert.Equal("62417e486f09", Hex(a => a.Load(25, Gpr.R9, null, 0)));                         // [r9]
        Assert.Equal("62b17e486f7c2103", Hex(a => a.Load(7, Gpr.Rcx, Gpr.R12, 0xC0)));               // [rcx+r12+0xc0]: r12 as the index
        Assert.Equal("62b17e486f2423", Hex(a => a.Load(4, Gpr.Rbx, Gpr.R12, 0)));                   // [rbx+r12]
        Assert.Equal("62d17e487f4001", Hex(a => a.Store(Gpr.R8, 64, 0)));                            // [r8+0x40]: disp8 = 1 (×64)
        Assert.Equal("62517e487f780f", Hex(a => a.Store(Gpr.R8, 960, 15)));                          // [r8+0x3c0]
        Assert.Equal("62517e487f7810", Hex(a => a.Store(Gpr.R8, 1024, 15)));                         // [r8+0x400]
        Assert.Equal("62d17e487f8004000000", Hex(a => a.Store(Gpr.R8, 4, 0)));                       // [r8+4]: not a multiple of 64, disp32
        Assert.Equal("62d17e487f80c0200000", Hex(a => a.Store(Gpr.R8, 8384, 0)));                    // [r8+0x20c0]: 131·64, past disp8
    }

    [Fact]
    public void Output_stage_forms_match_gnu_as()
    {
        Assert.Equal("62218d40d4f6", Hex(a => a.Vpaddq(30, 30, 22)));
        Assert.Equal("62218540d4ff", Hex(a => a.Vpaddq(31, 31, 23)));
        Assert.Equal("62028d4046f0", Hex(a => a.Vpsravq(30, 30, 24)));
        Assert.Equal("6202854046f9", Hex(a => a.Vpsravq(31, 31, 25)));
        Assert.Equal("62b1fd486fc2", Hex(a => a.Vmovdqa64(0, 18)));
        Assert.Equal("62b1fd486fda", Hex(a => a.Vmovdqa64(3, 18)));
        Assert.Equal("62b17d48fec0", Hex(a => a.Vpaddd(0, 0, 16)));
        Assert.Equal("62210d40fef7", Hex(a => a.Vpaddd(30, 30, 23)));
        Assert.Equal("6222c54828f1", Hex(a => a.Vpmuldq(30, 7, 17)));
        Assert.Equal("62d1854073d720", Hex(a => a.VpsrlqImm(31, 15, 32)));
        Assert.Equal("6222854028fa", Hex(a => a.Vpmuldq(31, 31, 18)));
        Assert.Equal("62025d407ef7", Hex(a => a.Vpermt2d(30, 20, 31)));
        Assert.Equal("62220d4046f6", Hex(a => a.Vpsravd(30, 30, 22)));
        Assert.Equal("62020d403df3", Hex(a => a.Vpmaxsd(30, 30, 27)));
        Assert.Equal("62020d4039f4", Hex(a => a.Vpminsd(30, 30, 28)));
        Assert.Equal("62627e492130", Hex(a => a.VpmovsdbStore(Gpr.Rax, 0, 30, mask: 1)));            // [rax]{k1}
        Assert.Equal("62627e4a217001", Hex(a => a.VpmovsdbStore(Gpr.Rax, 16, 30, mask: 2)));          // [rax+0x10]{k2}: disp8 × 16
        Assert.Equal("62d27e4a215b01", Hex(a => a.VpmovsdbStore(Gpr.R11, 16, 3, mask: 2)));
        Assert.Equal("c4c178904834", Hex(a => a.KmovwLoad(1, Gpr.R8, 52)));                           // three-byte VEX for r8
        Assert.Equal("c5f8905536", Hex(a => a.KmovwLoad(2, Gpr.Rbp, 54)));
        Assert.Equal("62427d4858480a", Hex(a => a.VpbroadcastdLoad(25, Gpr.R8, null, 40)));           // disp8 × 4
        Assert.Equal("498b4040", Hex(a => a.MovLoad(Gpr.Rax, Gpr.R8, 64)));
        Assert.Equal("488b7508", Hex(a => a.MovLoad(Gpr.Rsi, Gpr.Rbp, 8)));
        Assert.Equal("488b4d00", Hex(a => a.MovLoad(Gpr.Rcx, Gpr.Rbp, 0)));                            // rbp needs a disp8
        Assert.Equal("488b47604883c00848894760", Hex(a => a.AddToQword(Gpr.Rdi, 96, 8, Gpr.Rax)));   // mov, add, mov back
        Assert.Equal("4c037d10", Hex(a => a.AddLoad(Gpr.R15, Gpr.Rbp, 16)));
        Assert.Equal("4889cd", Hex(a => a.Mov(Gpr.Rbp, Gpr.Rcx)));
        Assert.Equal("49894040", Hex(a => a.MovStore(Gpr.R8, 64, Gpr.Rax)));
        Assert.Equal("498b4c2408", Hex(a => a.MovLoad(Gpr.Rcx, Gpr.R12, 8)));                          // r12 needs a SIB
    }

    [Fact]
    public void Narrowing_and_store_forms_match_gnu_as()
    {
        Assert.Equal("62617d486bd9", Hex(a => a.Vpackssdw(27, 0, 1)));
        Assert.Equal("62d10d486bdf", Hex(a => a.Vpackssdw(3, 14, 15)));
        Assert.Equal("6201254063ec", Hex(a => a.Vpacksswb(29, 27, 28)));
        Assert.Equal("62f16d4863cb", Hex(a => a.Vpacksswb(1, 2, 3)));
        Assert.Equal("622215403cef", Hex(a => a.Vpmaxsb(29, 29, 23)));
        Assert.Equal("62f26d483ccb", Hex(a => a.Vpmaxsb(1, 2, 3)));
        Assert.Equal("62020d4038f0", Hex(a => a.Vpminsb(30, 30, 24)));
        Assert.Equal("62f26d4838cb", Hex(a => a.Vpminsb(1, 2, 3)));
        Assert.Equal("62f11d40ef02", Hex(a => a.VpxordLoad(0, 28, Gpr.Rdx, 0)));                     // vpxord zmm0,zmm28,[rdx]
        Assert.Equal("62c11d40ef6101", Hex(a => a.VpxordLoad(20, 28, Gpr.R9, 64)));                  // [r9+0x40]: disp8 × 64
        Assert.Equal("62411d40ef9c2460000000", Hex(a => a.VpxordLoad(27, 28, Gpr.R12, 0x60)));       // [r12+0x60]: SIB, disp32
        Assert.Equal("62e15548ef4b0f", Hex(a => a.VpxordLoad(17, 5, Gpr.Rbx, 0x3c0)));               // [rbx+0x3c0]: disp8 = 15
        Assert.Equal("62215d4060c5", Hex(a => a.Vpunpcklbw(24, 20, 21)));
        Assert.Equal("62f16d4868cb", Hex(a => a.Vpunpckhbw(1, 2, 3)));
        Assert.Equal("62512d4868cb", Hex(a => a.Vpunpckhbw(9, 10, 11)));
        Assert.Equal("62813d4061e2", Hex(a => a.Vpunpcklwd(20, 24, 26)));
        Assert.Equal("6281354061fb", Hex(a => a.Vpunpcklwd(23, 25, 27)));
        Assert.Equal("62f16d4869cb", Hex(a => a.Vpunpckhwd(1, 2, 3)));
        Assert.Equal("628235407de6", Hex(a => a.Vpermt2b(20, 25, 30)));
        Assert.Equal("62f26d487dcb", Hex(a => a.Vpermt2b(1, 2, 3)));
        Assert.Equal("62c17f4a7f22", Hex(a => a.StoreBytesMasked(Gpr.R10, 0, 20, mask: 2)));          // [r10]{k2}
        Assert.Equal("62417f4b7f6a01", Hex(a => a.StoreBytesMasked(Gpr.R10, 64, 29, mask: 3)));       // [r10+0x40]{k3}: disp8 × 64
        Assert.Equal("62f17f4a7f8844000000", Hex(a => a.StoreBytesMasked(Gpr.Rax, 0x44, 1, mask: 2))); // [rax+0x44]: disp32
        Assert.Equal("c4e1f8905760", Hex(a => a.KmovqLoad(2, Gpr.Rdi, 96)));
        Assert.Equal("c4c1f8905868", Hex(a => a.KmovqLoad(3, Gpr.R8, 104)));                          // B̄ clear for r8
        Assert.Equal("c4e1f8900f", Hex(a => a.KmovqLoad(1, Gpr.Rdi, 0)));
        Assert.Equal("6263fd4843d444", Hex(a => a.Vshufi64x2(26, 0, 4, 0x44)));
        Assert.Equal("6243bd4843dcee", Hex(a => a.Vshufi64x2(27, 8, 12, 0xEE)));
        Assert.Equal("62f3ed4843cb88", Hex(a => a.Vshufi64x2(1, 2, 3, 0x88)));
    }

    [Fact]
    public void Scalar_forms_match_gnu_as()
    {
        Assert.Equal("4c8d1437", Hex(a => a.Lea(Gpr.R10, Gpr.Rdi, Gpr.Rsi)));
        Assert.Equal("4d8d1c32", Hex(a => a.Lea(Gpr.R11, Gpr.R10, Gpr.Rsi)));
        Assert.Equal("4d8d743500", Hex(a => a.Lea(Gpr.R14, Gpr.R13, Gpr.Rsi)));
        Assert.Equal("4e8d0c0a", Hex(a => a.Lea(Gpr.R9, Gpr.Rdx, Gpr.R9)));
        Assert.Equal("4901c2", Hex(a => a.Add(Gpr.R10, Gpr.Rax)));
        Assert.Equal("4983c704", Hex(a => a.AddImm(Gpr.R15, 4)));
        Assert.Equal("4883c240", Hex(a => a.AddImm(Gpr.Rdx, 64)));
        Assert.Equal("4881c200010000", Hex(a => a.AddImm(Gpr.Rdx, 256)));
        Assert.Equal("48ffc9", Hex(a => a.Dec(Gpr.Rcx)));
        Assert.Equal("0f1816", Hex(a => a.Prefetcht1(Gpr.Rsi)));
        Assert.Equal("410f1811", Hex(a => a.Prefetcht1(Gpr.R9)));
        Assert.Equal("0f185640", Hex(a => a.Prefetcht1(Gpr.Rsi, 64)));
        Assert.Equal("410f185500", Hex(a => a.Prefetcht1(Gpr.R13)));
        Assert.Equal("410f181424", Hex(a => a.Prefetcht1(Gpr.R12)));
        Assert.Equal("41bf80808080", Hex(a => a.MovImm32(Gpr.R15, 0x80808080)));
        Assert.Equal("4531ff", Hex(a => a.Zero(Gpr.R15)));
        Assert.Equal("5341545b415cc5f877c3", Hex(a => { a.Push(Gpr.Rbx); a.Push(Gpr.R12); a.Pop(Gpr.Rbx); a.Pop(Gpr.R12); a.Vzeroupper(); a.Ret(); }));
        // push rbx, rbp, r12–r15 / vzeroupper, pop r15–r12, rbp, rbx, ret
        Assert.Equal("53554154415541564157", Hex(a => a.Prologue()));
        Assert.Equal("c5f877415f415e415d415c5d5bc3", Hex(a => a.Epilogue()));
    }

    [Fact]
    public void Jnz_jumps_back_to_its_target()
    {
        // A loop head at 0, a 3-byte dec, then the 6-byte jnz: rel32 = 0 − (3 + 6) = −9.
        Assert.Equal("48ffc90f85f7ffffff", Hex(a => { a.Dec(Gpr.Rcx); a.Jnz(0); }));
        Assert.Equal("0f85faffffff", Hex(a => a.Jnz(0)));
    }
}
