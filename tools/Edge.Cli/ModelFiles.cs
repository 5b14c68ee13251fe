using System.CommandLine;
using Edge.Core.Errors;
using Edge.Core.Files;
using Edge.Core.Graph;
using Edge.Onnx;
using Edge.Runtime.Format;
using Edge.Runtime.Session;

namespace Edge.Cli;

/// <summary>The kinds of model file the CLI opens.</summary>
public enum ModelKind
{
    /// <summary>A float ONNX model, run on the float reference path.</summary>
    Onnx,

    /// <summary>An int8 <c>.edge</c> model, run by an <see cref="EdgeSession"/>.</summary>
    Edge,
}

/// <summary>Opens a model file by its kind.</summary>
public static class ModelFiles
{
    /// <summary>A <c>.edge</c> file by its magic bytes, whatever its name; anything else is taken as ONNX.</summary>
    public static ModelKind KindOf(string path)
    {
        CheckModelFile(path);
        Span<byte> head = stackalloc byte[8];
        using (var f = InputFile.OpenRead(path, "model"))
        {
            if (f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) == head.Length && head.SequenceEqual(EdgeFileLayout.Magic)) return ModelKind.Edge;
        }
        return Path.GetExtension(path).Equals(".edge", StringComparison.OrdinalIgnoreCase) ? ModelKind.Edge : ModelKind.Onnx;
    }

    public static ModelGraph LoadFloatGraph(string path)
    {
        CheckModelFile(path);
        return OnnxImporter.Import(path);
    }

    public static EdgeSession LoadSession(string path, KernelSelection kernels, int threads = 1)
    {
        CheckModelFile(path);
        return EdgeSession.Load(path, new EdgeSessionOptions { Kernels = kernels, Threads = threads });
    }

    /// <summary>The <c>--threads</c> option of the commands that run one int8 session (its <see cref="EdgeSessionOptions.Threads"/>).</summary>
    public static Option<int> ThreadsOption() => new("--threads")
    {
        Description = "Threads one int8 run uses, the caller included (default 1; 0: min(4, cores)). Every count gives the same outputs.",
        DefaultValueFactory = _ => 1,
    };

    /// <summary>The <c>--threads</c> value, checked: 0 (auto) or 1..256.</summary>
    public static int ParseThreads(int value)
        => value is >= 0 and <= 256 ? value : throw new CliUsageException($"--threads {value}: expected 0 (auto) or 1..256");

    /// <summary>
    /// Throws unless <paramref name="path"/> is a regular file (not a folder, FIFO or device, each named) within
    /// <see cref="InputLimits.MaxBytes"/>: the model readers load a whole file.
    /// </summary>
    public static void CheckModelFile(string path)
    {
        switch (FileIdentity.KindOf(path))
        {
            case FileKind.Missing: throw new CliUsageException($"{path}: no such file");
            case FileKind.Directory: throw new CliUsageException($"{path}: is a directory, not a model file");
            case FileKind.Special: throw new CliUsageException($"{path}: is not a regular file (a FIFO, socket or device), not a model file");
        }
        long length = new FileInfo(path).Length;
        if (length > InputLimits.MaxBytes) throw new CliUsageException($"{path}: a model of {length} bytes is larger than Edge reads: {InputLimits.BytesHint}");
    }

    /// <summary>Throws unless <paramref name="path"/> is a regular file (an input given as <paramref name="option"/>).</summary>
    public static string ExistingFile(string path, string option)
    {
        switch (FileIdentity.KindOf(path))
        {
            case FileKind.Missing: throw new CliUsageException($"{option} {path}: no such file");
            case FileKind.Directory: throw new CliUsageException($"{option} {path}: is a directory, not a file");
            case FileKind.Special: throw new CliUsageException($"{option} {path}: is not a regular file (a FIFO, socket or device)");
        }
        return path;
    }

    /// <summary>The <c>--kernels</c> option of the commands that run an int8 model.</summary>
    public static Option<string> KernelsOption() => new("--kernels")
    {
        Description = "Kernel path for int8 models: auto (the fastest this CPU accelerates), or one of scalar, vector128, advsimd, advsimddp, avx2, avxvnni, avx512bw, avx512vnni (the widest this CPU has up to that one).",
        DefaultValueFactory = _ => "auto",
    };

    public static KernelSelection ParseKernels(string? value)
    {
        if (value is null) return KernelSelection.Auto;
        foreach (var s in Enum.GetValues<KernelSelection>())
            if (string.Equals(s.ToString(), value, StringComparison.OrdinalIgnoreCase)) return s;
        throw new CliUsageException($"--kernels {value}: expected {KernelNames}");
    }

    /// <summary>The values <c>--kernels</c> takes, lower case.</summary>
    public static string KernelNames => string.Join(", ", Enum.GetNames<KernelSelection>().Select(n => n.ToLowerInvariant()));
}

/// <summary>A mistake in the command line that the parser cannot see (a missing file, options that do not fit together).</summary>
public sealed class CliUsageException(string message) : EdgeException(message);
