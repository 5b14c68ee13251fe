using System.Runtime.InteropServices;

namespace Edge.Runtime.CodeGen;

/// <summary>
/// Machine code placed in its own pages, mapped read-write to copy it in and then read-execute (never both at once):
/// <c>mmap</c> and <c>mprotect</c> from the C library, so Linux only. The pages live as long as the process (the
/// kernels made once per process are static). Returns null when the system refuses executable pages (a hardened kernel,
/// a sandbox) or no C library is found, and the caller runs its managed kernels instead.
/// </summary>
internal static unsafe class ExecutableMemory
{
    private const int ProtRead = 1, ProtWrite = 2, ProtExec = 4;
    private const int MapPrivate = 0x02, MapAnonymous = 0x20;

    /// <summary>
    /// The C library by its file name: glibc's soname first (the bare name "libc" makes the loader try libc.so, which
    /// on a system with development files is a linker script, not a library), then musl's, then whatever the loader finds.
    /// </summary>
    private static readonly string[] LibraryNames = ["libc.so.6", "libc.musl-x86_64.so.1", "libc"];

    private static readonly (nint Map, nint Protect, nint Unmap) Functions = Resolve();

    /// <summary>
    /// A copy of <paramref name="code"/> in executable pages, or null where none can be had. <paramref name="name"/> names
    /// the code for profilers (<see cref="PerfMap"/>; null: the caller names its parts).
    /// </summary>
    public static byte* TryPlace(ReadOnlySpan<byte> code, string? name)
    {
        if (!OperatingSystem.IsLinux() || code.IsEmpty || Functions.Map == 0) return null;
        var mmap = (delegate* unmanaged<void*, nuint, int, int, int, nint, void*>)Functions.Map;
        var mprotect = (delegate* unmanaged<void*, nuint, int, int>)Functions.Protect;
        var munmap = (delegate* unmanaged<void*, nuint, int>)Functions.Unmap;
        nuint length = (nuint)((code.Length + 4095) & ~4095);
        void* p = mmap(null, length, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
        if (p == (void*)-1 || p == null) return null;
        code.CopyTo(new Span<byte>(p, code.Length));
        if (mprotect(p, length, ProtRead | ProtExec) != 0)
        {
            munmap(p, length);
            return null;
        }
        if (name is not null) PerfMap.Add((nint)p, code.Length, name);
        return (byte*)p;
    }

    private static (nint, nint, nint) Resolve()
    {
        if (!OperatingSystem.IsLinux()) return default;
        foreach (var name in LibraryNames)
            if (NativeLibrary.TryLoad(name, out var library)
                && NativeLibrary.TryGetExport(library, "mmap", out var map)
                && NativeLibrary.TryGetExport(library, "mprotect", out var protect)
                && NativeLibrary.TryGetExport(library, "munmap", out var unmap))
                return (map, protect, unmap);
        return default;
    }
}
