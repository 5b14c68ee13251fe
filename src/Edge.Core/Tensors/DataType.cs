namespace Edge.Core.Tensors;

/// <summary>Element types of graph tensors.</summary>
public enum DataType
{
    Float32,
    Int8,
    UInt8,
    Int32,
    Int64,
}
