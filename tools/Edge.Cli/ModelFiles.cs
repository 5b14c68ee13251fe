using Edge.Core.Errors;
using Edge.Core.Graph;
using Edge.Onnx;

namespace Edge.Cli;

/// <summary>Opens a model file by its kind.</summary>
public static class ModelFiles
{
    public static ModelGraph LoadFloatGraph(string path)
    {
        if (!File.Exists(path)) throw new CliUsageException($"{path}: no such file");
        return OnnxImporter.Import(path);
    }
}

/// <summary>A mistake in the command line that the parser cannot see (a missing file, options that do not fit together).</summary>
public sealed class CliUsageException(string message) : EdgeException(message);
