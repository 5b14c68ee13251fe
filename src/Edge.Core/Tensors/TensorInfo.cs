namespace Edge.Core.Tensors;

/// <summary>A named tensor of the graph: a graph input, output or intermediate value.</summary>
public sealed record TensorInfo(string Name, TensorShape Shape, DataType DataType = DataType.Float32)
{
    public override string ToString() => $"{Name} {Shape} {DataType}";
}
