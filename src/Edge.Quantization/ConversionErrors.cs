using Edge.Core.Errors;

namespace Edge.Quantization;

/// <summary>
/// The float graph cannot be converted as it is: a non-finite weight after folding, an operator in a form the int8
/// model has no encoding for (a broadcasting Add, a flatten whose element order cannot be kept), a calibration run
/// that produced non-finite activations. The message names the node or tensor.
/// </summary>
public sealed class ConversionException : EdgeException
{
    public ConversionException(string? nodeName, string message)
        : base(nodeName is null ? message : $"node '{nodeName}': {message}") => NodeName = nodeName;

    /// <summary>The node at fault, when one is.</summary>
    public string? NodeName { get; }
}

/// <summary>
/// A converter option is invalid: an unknown calibrator, a percentile out of range, <c>--keep-float</c> naming a node
/// the graph does not have, a mean/std count that does not fit the input, labels that do not fit the output.
/// </summary>
public sealed class ConverterOptionsException(string message) : EdgeException(message);

/// <summary>The converted model cannot be written to its output path. No partial file is left behind.</summary>
public sealed class ModelWriteException(string path, string message, Exception? inner = null)
    : EdgeException($"{path}: {message}", inner)
{
    public string Path { get; } = path;
}
