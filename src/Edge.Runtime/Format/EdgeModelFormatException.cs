using Edge.Core.Errors;

namespace Edge.Runtime.Format;

/// <summary>A <c>.edge</c> file is malformed: wrong magic, unknown version, checksum mismatch, an offset or length out of range.</summary>
public sealed class EdgeModelFormatException : EdgeException
{
    public EdgeModelFormatException(string source, string message, Exception? inner = null)
        : base($"{source}: {message}", inner) => ModelSource = source;

    /// <summary>The file or stream the model came from.</summary>
    public string ModelSource { get; }
}
