using Edge.Core.Errors;

namespace Edge.Onnx;

/// <summary>
/// A valid ONNX node that Edge cannot represent: an operator outside Edge's list, or a form of a supported operator
/// that Edge does not implement (Pad in reflect mode, Gemm with transA, a Mul of two data tensors, …).
/// The message reads <c>file: node 'name' (op type 'Op'): what was expected</c>.
/// </summary>
public sealed class UnsupportedOperatorException : ModelImportException
{
    public UnsupportedOperatorException(string file, string nodeName, string opType, string message)
        : base(file, $"node '{nodeName}' (op type '{opType}'): {message}")
    {
        NodeName = nodeName;
        OpType = opType;
    }

    public string NodeName { get; }
    public string OpType { get; }
}
