using System.Runtime.InteropServices;
using Edge.Runtime.CodeGen;
using Xunit;

namespace Edge.Runtime.Tests.CodeGen;

/// <summary>
/// Code placed by <see cref="ExecutableMemory"/> runs, on every Linux x86-64 machine (with or without VNNI): the pages the
/// generated kernels need, and the C library found by its soname.
/// </summary>
public class ExecutableMemoryTests
{
    [Fact]
    public unsafe void Placed_code_runs_on_linux_x64_and_nothing_is_placed_elsewhere()
    {
        var asm = new X64Assembler();
        asm.MovImm32(Gpr.Rax, 42);
        asm.Ret();
        byte* code = ExecutableMemory.TryPlace(asm.ToArray(), "test");
        if (!OperatingSystem.IsLinux())
        {
            Assert.True(code == null);
            return;
        }
        Assert.True(code != null, "mmap/mprotect refused executable pages");
        if (RuntimeInformation.ProcessArchitecture == Architecture.X64)
            Assert.Equal(42, ((delegate* unmanaged<int>)code)());
    }

    [Fact]
    public unsafe void Empty_code_is_not_placed() => Assert.True(ExecutableMemory.TryPlace([], "empty") == null);

    [Fact]
    public void Perf_map_lines_are_hex_start_hex_length_and_the_name() =>
        Assert.Equal("7f00dead0040 1a0 edge:vnni-tile p2\n", PerfMap.Line(unchecked((nint)0x7f00dead0040), 0x1a0, "vnni-tile p2"));
}
