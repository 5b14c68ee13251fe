using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Edge.Core.Files;

namespace Edge.Cli;

/// <summary>
/// How every command writes a file, so no command can lose a user's data:
/// <list type="bullet">
/// <item>an output that names one of the command's inputs — by another spelling, a symbolic link or a hard link (same
/// device and inode) — is refused before anything runs (<see cref="CheckNotInput"/>);</item>
/// <item>an output is written to a temporary file beside it and renamed over it when complete, so an error leaves the old
/// file as it was and never a partial one;</item>
/// <item>on Ctrl+C or SIGTERM the temporary files being written are deleted before the process ends.</item>
/// </list>
/// The temporary name is <c>.NAME.PID.tmp</c>, the one <see cref="Edge.Runtime.Format.EdgeModelWriter"/> uses for models.
/// </summary>
public static class OutputFiles
{
    private static readonly ConcurrentDictionary<string, byte> Pending = new();
    private static int _installed;

    /// <summary>
    /// Throws a <see cref="CliUsageException"/> when <paramref name="output"/> (given as <paramref name="option"/>) is a
    /// directory, lies in a folder that does not exist, or is the same file as one of <paramref name="inputs"/>.
    /// </summary>
    public static void CheckNotInput(string output, string option, params (string? Path, string Role)[] inputs)
    {
        var kind = FileIdentity.KindOf(output);
        if (kind == FileKind.Directory) throw new CliUsageException($"{option} {output}: is a directory; give a file name");
        if (kind == FileKind.Special) throw new CliUsageException($"{option} {output}: is not a regular file (a FIFO, socket or device)");
        string? folder = Path.GetDirectoryName(Path.GetFullPath(output));
        if (folder is not null && !Directory.Exists(folder)) throw new CliUsageException($"{option} {output}: folder {folder} does not exist");
        if (kind == FileKind.Missing) return;
        var target = FileIdentity.Of(output);
        foreach (var (path, role) in inputs)
        {
            if (path is null) continue;
            var input = FileIdentity.Of(path);
            if (target is { } t && input is { } i && t.SameFileAs(i))
                throw new CliUsageException($"{option} {output}: is the {role} ({path}); writing it would destroy that input — choose another output path");
        }
    }

    /// <summary>Throws unless <paramref name="folder"/> is a folder or can be created as one.</summary>
    public static void CheckFolder(string folder, string option)
    {
        var kind = FileIdentity.KindOf(folder);
        if (kind is FileKind.Regular or FileKind.Special) throw new CliUsageException($"{option} {folder}: is a file, not a folder");
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8) to <paramref name="path"/> aside, then renames it over the target.</summary>
    public static void WriteText(string path, string text) => Write(path, temp => File.WriteAllText(temp, text));

    /// <summary>Runs <paramref name="write"/> on a temporary file beside <paramref name="path"/>, then renames it over the target.</summary>
    public static void Write(string path, Action<string> write)
    {
        string full = Path.GetFullPath(path);
        string temp = TemporaryFor(full);
        Track(full);
        try
        {
            write(temp);
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliUsageException($"{path}: cannot write: {e.Message}");
        }
        finally
        {
            TryDelete(temp);
            Pending.TryRemove(full, out _);
        }
    }

    /// <summary>
    /// Registers an output another writer (e.g. the model writer) writes aside under the shared temporary name, so an
    /// interrupt deletes its temporary file too. Call <see cref="Done"/> when it is written.
    /// </summary>
    public static void Track(string path)
    {
        InstallInterruptCleanup();
        Pending[Path.GetFullPath(path)] = 0;
    }

    public static void Done(string path) => Pending.TryRemove(Path.GetFullPath(path), out _);

    /// <summary>The temporary name an output is written under before its rename.</summary>
    public static string TemporaryFor(string path)
    {
        string full = Path.GetFullPath(path);
        return Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
    }

    /// <summary>Kept alive for the process: disposing it would remove the SIGTERM handler.</summary>
    internal static PosixSignalRegistration? SigtermRegistration { get; private set; }

    private static void InstallInterruptCleanup()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 1) return;
        // The process still ends on Ctrl+C (the handler does not cancel it); it first removes what it was writing.
        Console.CancelKeyPress += (_, _) => CleanUp();
        if (!OperatingSystem.IsWindows()) SigtermRegistration = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => CleanUp());
    }

    /// <summary>Deletes the temporary file of every output being written (the Ctrl+C and SIGTERM handlers call it).</summary>
    internal static void CleanUp()
    {
        foreach (var path in Pending.Keys) TryDelete(TemporaryFor(path));
    }

    private static void TryDelete(string path)
    {
        try
        {
            if (File.Exists(path)) File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the rename never happened, so the target is intact either way.
        }
    }
}
