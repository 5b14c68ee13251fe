using System.Runtime.InteropServices;

namespace Edge.Runtime.CodeGen;

/// <summary>
/// Machine code placed in its own pages, mapped read-write to copy it in and then read-execute (never both at once):
/// <c>mmap</c> and <c>mprotect</c> from the C library, so Linux only. The pages live as long as the process (the
/// kernels made once per process are static). Returns null when the system refuses executable pages (a hardened kernel,
/// a sandbox), and the caller runs its managed kernels instead.
/// </summary>
internal static unsafe partial class ExecutableMemory
{
    private const int ProtRead = 1, ProtWrite = 2, ProtExec = 4;
    private const int MapPrivate = 0x02, MapAnonymous = 0x20;

    /// <summary>A copy of <paramref name="code"/> in executable pages, or null where none can be had.</summary>
    public static byte* TryPlace(ReadOnlySpan<byte> code)
    {
        if (!OperatingSystem.IsLinux() || code.IsEmpty) return null;
        nuint length = (nuint)((code.Length + 4095) & ~4095);
        try
        {
            void* p = mmap(null, length, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
            if (p == (void*)-1 || p == null) return null;
            code.CopyTo(new Span<byte>(p, code.Length));
            if (mprotect(p, length, ProtRead | ProtExec) != 0)
            {
                munmap(p, length);
                return null;
            }
            return (byte*)p;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    [LibraryImport("libc", SetLastError = false)]
    private static partial void* mmap(void* addr, nuint length, int prot, int flags, int fd, nint offset);

    [LibraryImport("libc", SetLastError = false)]
    private static partial int mprotect(void* addr, nuint length, int prot);

    [LibraryImport("libc", SetLastError = false)]
    private static partial int munmap(void* addr, nuint length);
}
