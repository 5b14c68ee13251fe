using Edge.Core.Errors;
using Edge.Core.Tensors;

namespace Edge.Reference;

/// <summary>
/// The data given for a graph input does not fit it: the wrong number of values for the shape and batch, a missing
/// input, or a name the graph has no input for.
/// </summary>
public sealed class InputShapeException : EdgeException
{
    public InputShapeException(string inputName, string message, long? expectedLength = null, long? actualLength = null) : base(message)
    {
        InputName = inputName;
        ExpectedLength = expectedLength;
        ActualLength = actualLength;
    }

    /// <summary>The input at fault.</summary>
    public string InputName { get; }

    /// <summary>The number of values the input needs, when known.</summary>
    public long? ExpectedLength { get; }

    /// <summary>The number of values given, when any were.</summary>
    public long? ActualLength { get; }

    internal static InputShapeException WrongLength(string name, TensorShape shape, int batch, long actual)
        => new(name, $"input '{name}' needs {shape.ElementCount} values ({shape} for batch {batch}), got {actual}", shape.ElementCount, actual);

    internal static InputShapeException Missing(string name, TensorShape shape)
        => new(name, $"input '{name}' ({shape}, {shape.ElementCount} values) was not given", shape.ElementCount);

    internal static InputShapeException Unknown(string name, IEnumerable<string> inputs)
        => new(name, $"'{name}' is not an input of the graph; its inputs are {string.Join(", ", inputs.Select(i => $"'{i}'"))}");
}
