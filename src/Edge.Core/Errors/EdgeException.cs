namespace Edge.Core.Errors;

/// <summary>
/// Base of every error Edge raises for a problem in its input (a model file, a graph, data, options).
/// Front ends (the <c>edge</c> CLI) print <see cref="Exception.Message"/> as one line and exit with code 2;
/// any other exception type is a bug in Edge.
/// </summary>
public abstract class EdgeException : Exception
{
    protected EdgeException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>The graph is malformed: a dangling tensor, a duplicate name, a cycle, a bad attribute.</summary>
public sealed class GraphValidationException : EdgeException
{
    public GraphValidationException(string? nodeName, string message)
        : base(nodeName is null ? message : $"node '{nodeName}': {message}") => NodeName = nodeName;

    /// <summary>The node at fault, when one is.</summary>
    public string? NodeName { get; }
}

/// <summary>A shape cannot be computed or does not fit an operator (e.g. a stride that does not tile the input).</summary>
public sealed class ShapeInferenceException : EdgeException
{
    public ShapeInferenceException(string? nodeName, string message)
        : base(nodeName is null ? message : $"node '{nodeName}': {message}") => NodeName = nodeName;

    public string? NodeName { get; }
}

/// <summary>A model file cannot be imported: unreadable, truncated, an unsupported operator, an unresolvable shape.</summary>
public class ModelImportException : EdgeException
{
    public ModelImportException(string file, string message, Exception? inner = null)
        : base($"{file}: {message}", inner) => File = file;

    public string File { get; }
}

/// <summary>A data file (IDX, image, raw tensor) is malformed or does not fit the model.</summary>
public sealed class DataFormatException : EdgeException
{
    public DataFormatException(string file, string message, Exception? inner = null)
        : base($"{file}: {message}", inner) => File = file;

    public string File { get; }
}
