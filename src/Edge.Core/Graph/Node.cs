using Edge.Core.Errors;
using Edge.Core.Tensors;

namespace Edge.Core.Graph;

/// <summary>
/// One operator of the graph. <see cref="Inputs"/> and <see cref="Outputs"/> name data tensors only; constant operands
/// (weights, biases, BatchNorm statistics, per-channel scales) are typed properties of the concrete node, so passes and
/// kernels read them without a lookup. <see cref="OpType"/> is the ONNX operator name.
/// </summary>
public abstract class Node
{
    protected Node(string name, IEnumerable<string> inputs, IEnumerable<string> outputs)
    {
        Name = name;
        Inputs = inputs.ToList();
        Outputs = outputs.ToList();
    }

    public string Name { get; set; }
    public abstract string OpType { get; }
    public List<string> Inputs { get; private set; }
    public List<string> Outputs { get; private set; }

    /// <summary>The single data input of a unary operator.</summary>
    public string Input => Inputs[0];

    /// <summary>The single output of the operator.</summary>
    public string Output => Outputs[0];

    /// <summary>Every constant operand this node holds.</summary>
    public virtual IEnumerable<ConstantTensor> Constants => [];

    /// <summary>Trainable parameters, counted as torchsummary does (BatchNorm running statistics are buffers, not parameters).</summary>
    public virtual long ParameterCount => Constants.Sum(c => (long)c.Length);

    /// <summary>Output shapes from input shapes; throws <see cref="ShapeInferenceException"/> naming this node.</summary>
    public abstract TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs);

    /// <summary>Multiply-accumulates of one forward pass (convolutions and matrix products; 0 for the rest).</summary>
    public virtual long CountMacs(IReadOnlyList<TensorShape> inputs, IReadOnlyList<TensorShape> outputs) => 0;

    /// <summary>The attributes in one short line, for summaries (e.g. <c>k3x3 s2x2 p1x1 g32</c>).</summary>
    public virtual string DescribeAttributes() => "";

    /// <summary>Checks attributes and constants; throws <see cref="GraphValidationException"/> naming this node.</summary>
    public virtual void Validate()
    {
        foreach (var c in Constants)
        {
            if (c.FindNonFinite() is { } bad)
            {
                throw Invalid($"constant '{c.Name}' holds a non-finite value {bad.Value} at flat index {bad.Index}");
            }
        }
    }

    /// <summary>A copy of this node with its own input/output lists; constants are shared (they are immutable).</summary>
    public Node Clone()
    {
        var copy = (Node)MemberwiseClone();
        copy.Inputs = Inputs.ToList();
        copy.Outputs = Outputs.ToList();
        return copy;
    }

    public override string ToString() => $"{OpType} '{Name}' ({string.Join(", ", Inputs)}) -> ({string.Join(", ", Outputs)})";

    protected GraphValidationException Invalid(string message) => new(Name, message);
    protected ShapeInferenceException BadShape(string message) => new(Name, message);

    /// <summary>Checks the input count and that every input has at least <paramref name="minRank"/> dimensions.</summary>
    protected void ExpectInputs(IReadOnlyList<TensorShape> inputs, int count, int minRank = 0)
    {
        if (inputs.Count != count) throw BadShape($"{OpType} takes {count} data input(s), got {inputs.Count}");
        foreach (var s in inputs)
        {
            if (s.Rank < minRank) throw BadShape($"{OpType} needs an input of rank ≥ {minRank}, got {s}");
        }
    }
}
