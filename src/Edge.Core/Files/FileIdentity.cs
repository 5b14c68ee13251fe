using System.Runtime.InteropServices;

namespace Edge.Core.Files;

/// <summary>What kind of file system object a path names (symbolic links followed).</summary>
public enum FileKind
{
    Missing,
    Regular,
    Directory,

    /// <summary>A FIFO, socket, character or block device: opening or reading it can block forever or never end.</summary>
    Special,
}

/// <summary>
/// Which file a path names, as the operating system sees it: on Linux the device and inode numbers of <c>stat(2)</c>
/// (so two names of one file — a symbolic link, a hard link, <c>./a</c> and <c>a</c> — compare equal), elsewhere the
/// fully resolved path. Used to refuse an output path that is one of a command's inputs.
/// </summary>
public readonly record struct FileIdentity(ulong Device, ulong Inode, string ResolvedPath)
{
    /// <summary>The identity of an existing file or folder, or null when <paramref name="path"/> does not exist.</summary>
    public static FileIdentity? Of(string path)
    {
        if (UnixStat.TryStat(path, out var st)) return new FileIdentity(st.Device, st.Inode, Resolve(path));
        if (!File.Exists(path) && !Directory.Exists(path)) return null;
        return new FileIdentity(0, 0, Resolve(path));
    }

    /// <summary>True when both name the same file: same device and inode where the OS tells them, same resolved path elsewhere.</summary>
    public bool SameFileAs(FileIdentity other)
        => Inode != 0 || other.Inode != 0 ? Device == other.Device && Inode == other.Inode
            : string.Equals(ResolvedPath, other.ResolvedPath, OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    /// <summary>The kind of object <paramref name="path"/> names, following symbolic links.</summary>
    public static FileKind KindOf(string path)
    {
        if (UnixStat.TryStat(path, out var st)) return st.Kind;
        if (Directory.Exists(path)) return FileKind.Directory;
        return File.Exists(path) ? FileKind.Regular : FileKind.Missing;
    }

    /// <summary>The full path with every symbolic link along it resolved (the final target when the path itself is a link).</summary>
    public static string Resolve(string path)
    {
        string full = Path.GetFullPath(path);
        try
        {
            var target = File.ResolveLinkTarget(full, returnFinalTarget: true);
            if (target is not null) full = target.FullName;
            string? dir = Path.GetDirectoryName(full);
            if (dir is not null)
            {
                var parent = new DirectoryInfo(dir);
                var resolvedParent = parent.ResolveLinkTarget(returnFinalTarget: true);
                if (resolvedParent is not null) full = Path.Combine(resolvedParent.FullName, Path.GetFileName(full));
            }
        }
        catch (IOException)
        {
            // A dangling or looping link: the path as written is the best name there is.
        }
        return full;
    }
}

/// <summary>
/// <c>stat(2)</c> through glibc (2.33 and later export it by that name; Debian 12 and Raspberry Pi OS have 2.36).
/// Only the fields Edge needs are read, at their offsets in the kernel's <c>struct stat</c> for x86-64 and for the
/// generic layout arm64 uses: st_dev at 0 and st_ino at 8 on both; st_mode at 24 (x86-64) or 16 (arm64).
/// On any other platform, or without the symbol, <see cref="TryStat"/> returns false and callers fall back to paths.
/// </summary>
internal static class UnixStat
{
    public readonly record struct Status(ulong Device, ulong Inode, FileKind Kind);

    private const uint TypeMask = 0xF000, TypeRegular = 0x8000, TypeDirectory = 0x4000;
    private static bool _unavailable = !OperatingSystem.IsLinux()
        || RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64);

    [DllImport("libc", EntryPoint = "stat", SetLastError = true)]
#pragma warning disable SYSLIB1054 // a plain DllImport keeps this free of generated marshalling code; byte[] is blittable
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] buffer);
#pragma warning restore SYSLIB1054

    public static bool TryStat(string path, out Status status)
    {
        status = default;
        if (_unavailable) return false;
        var buffer = new byte[256]; // struct stat is 144 bytes on x86-64 and 128 on arm64
        try
        {
            if (Stat(path, buffer) != 0)
            {
                // ENOENT, ENOTDIR, EACCES…: the caller's own checks name the problem.
                status = new Status(0, 0, FileKind.Missing);
                return Marshal.GetLastPInvokeError() is 2 or 20;
            }
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            _unavailable = true;
            return false;
        }
        ulong dev = BitConverter.ToUInt64(buffer, 0), ino = BitConverter.ToUInt64(buffer, 8);
        uint mode = BitConverter.ToUInt32(buffer, RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 24 : 16);
        var kind = (mode & TypeMask) switch
        {
            TypeRegular => FileKind.Regular,
            TypeDirectory => FileKind.Directory,
            _ => FileKind.Special,
        };
        status = new Status(dev, ino, kind);
        return true;
    }
}
