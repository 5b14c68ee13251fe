using Edge.Core.Errors;
using Edge.Core.Tensors;
using Edge.Onnx.Proto;
using Edge.Onnx.ShapeFolding;

namespace Edge.Onnx;

/// <summary>
/// One ONNX node as the op mappings see it: its (unique) name, inputs and outputs, typed attributes, access to its
/// operands as data tensors or as constants, and errors that name the file, the node and its op type.
/// An empty input name is an omitted optional input, as in ONNX.
/// </summary>
internal sealed class OnnxNode
{
    public OnnxNode(NodeProto proto, string name, ImportContext context)
    {
        Name = name;
        OpType = proto.OpType;
        Inputs = proto.Input;
        Outputs = proto.Output;
        Context = context;
        Attributes = new NodeAttributes(this, proto.Attribute);
    }

    public string Name { get; }
    public string OpType { get; }
    public IReadOnlyList<string> Inputs { get; }
    public IReadOnlyList<string> Outputs { get; }
    public NodeAttributes Attributes { get; }
    public ImportContext Context { get; }

    /// <summary>The first output, which every mapped operator has.</summary>
    public string Output => Outputs.Count > 0 && Outputs[0].Length > 0 ? Outputs[0] : throw Error("the node has no output");

    public bool HasInput(int k) => k < Inputs.Count && Inputs[k].Length > 0;

    public bool IsConstantInput(int k) => HasInput(k) && Context.IsConstant(Inputs[k]);

    public bool AllInputsConstant => Inputs.Where(i => i.Length > 0).All(Context.IsConstant);

    /// <summary>Checks the number of inputs (omitted optional inputs included).</summary>
    public void ExpectInputs(int min, int max)
    {
        if (Inputs.Count < min || Inputs.Count > max)
        {
            throw Error(min == max ? $"expects {min} input(s), got {Inputs.Count}" : $"expects {min} to {max} inputs, got {Inputs.Count}");
        }
    }

    /// <summary>Input <paramref name="k"/>, which must be a data tensor (not a constant).</summary>
    public string DataInput(int k, string role = "input")
    {
        var name = RequireInput(k, role);
        if (Context.IsConstant(name)) throw Unsupported($"{role} '{name}' is a constant; a data tensor is expected");
        return name;
    }

    /// <summary>Input <paramref name="k"/>, which must be known at import time (an initializer or a folded value).</summary>
    public FoldedTensor ConstantInput(int k, string role)
    {
        var name = RequireInput(k, role);
        return Context.TryGetConstant(name) ?? throw Unsupported($"{role} '{name}' must be a constant (an initializer or a constant expression), it is computed at run time");
    }

    public FoldedTensor? OptionalConstantInput(int k, string role) => HasInput(k) ? ConstantInput(k, role) : null;

    /// <summary>A constant float operand as an IR constant named after its ONNX tensor.</summary>
    public ConstantTensor WeightInput(int k, string role) => ToConstantTensor(ConstantInput(k, role), Inputs[k], role);

    public ConstantTensor? OptionalWeightInput(int k, string role) => HasInput(k) ? WeightInput(k, role) : null;

    /// <summary>A scalar float operand (Clip bounds, Pad value), or <paramref name="fallback"/> when omitted.</summary>
    public float ScalarInput(int k, string role, float fallback)
    {
        if (OptionalConstantInput(k, role) is not { } t) return fallback;
        if (t.Length != 1 || t.Floats is null) throw Error($"{role} '{Inputs[k]}' must be a single float, got {t}");
        return t.Floats[0];
    }

    /// <summary>An integer operand that must be fully static (axes, pads, indices, shape values).</summary>
    public long[] StaticIntsInput(int k, string role) => StaticInts(ConstantInput(k, role), $"{role} '{Inputs[k]}'");

    public long[] StaticInts(FoldedTensor t, string what)
    {
        if (t.Ints is null) throw Error($"{what} must hold integers, got {t}");
        if (t.HasBatch) throw Unsupported($"{what} depends on the batch size, which is only known at run time");
        return t.Ints;
    }

    public ConstantTensor ToConstantTensor(FoldedTensor t, string name, string role)
    {
        if (t.Floats is null) throw Error($"{role} '{name}' must be a floating-point tensor, got {t}");
        return new ConstantTensor(name, new TensorShape(t.Dims), t.Floats);
    }

    /// <summary>Optional outputs from <paramref name="first"/> on (Dropout's mask, MaxPool's indices) must not be used.</summary>
    public void RequireUnusedOutputs(int first)
    {
        for (int k = first; k < Outputs.Count; k++)
        {
            if (Outputs[k].Length > 0 && Context.ConsumerCount(Outputs[k]) > 0)
                throw Unsupported($"output {k} ('{Outputs[k]}') is used; Edge computes only the first output of {OpType}");
        }
    }

    /// <summary>A malformed node: a missing input or attribute, a value of the wrong kind.</summary>
    public ModelImportException Error(string message, Exception? inner = null)
        => new(Context.File, $"node '{Name}' (op type '{OpType}'): {message}", inner);

    /// <summary>A valid node in a form Edge does not implement.</summary>
    public UnsupportedOperatorException Unsupported(string message) => new(Context.File, Name, OpType, message);

    /// <summary>The name of input <paramref name="k"/>, data or constant, which must be given.</summary>
    public string RequireInput(int k, string role) => HasInput(k) ? Inputs[k] : throw Error($"{role} (input {k}) is missing");
}
