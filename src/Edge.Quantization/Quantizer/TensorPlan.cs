using Edge.Core.Graph;
using Edge.Core.Tensors;
using Edge.Runtime.Arithmetic;

namespace Edge.Quantization.Quantizer;

/// <summary>
/// How one tensor of the float graph appears in the int8 model: its shape there (NHWC), whether it is produced as
/// float32 (the output of a kept-float node, or of a Softmax with float output) or int8, its quantization parameters
/// (used for int8, and for the Quantize op when an int8 operator reads a float tensor), and its flat element order.
/// </summary>
public sealed class TensorPlan(string name, TensorShape shape, int[] edgeShape, bool isFloat, QuantizationParams parameters, FlatOrder? order)
{
    public string Name { get; } = name;

    /// <summary>The float graph's shape at batch 1 (NCHW).</summary>
    public TensorShape Shape { get; } = shape;

    /// <summary>The int8 model's shape: [1, H, W, C] or [1, F].</summary>
    public int[] EdgeShape { get; } = edgeShape;

    /// <summary>True when the producer writes float32; false for int8.</summary>
    public bool IsFloat { get; } = isFloat;

    public QuantizationParams Params { get; internal set; } = parameters;

    /// <summary>Non-null when a flat tensor holds its elements in HWC order of a [C, H, W] tensor.</summary>
    public FlatOrder? Order { get; } = order;

    public override string ToString() => $"{Name} [{string.Join(", ", EdgeShape)}] {(IsFloat ? "float32" : "int8")} {Params}";
}

/// <summary>
/// How one node of the float graph is converted: in int8 (the default) or float32 (<see cref="IsFloat"/>); for an
/// int8 Conv or Gemm, its quantized weights and bias and per-channel multipliers; the output clamp of fused activations.
/// </summary>
public sealed class NodePlan(Node node, bool isFloat)
{
    public Node Node { get; } = node;
    public bool IsFloat { get; } = isFloat;
    public QuantizedWeights? Weights { get; internal set; }
    public int[]? Bias { get; internal set; }

    /// <summary>Per output channel for Conv/Gemm; [a, b, output] for Add; per input for Concat (null entry: a plain copy).</summary>
    public QuantizedMultiplier?[]? Multipliers { get; internal set; }

    public ClampRange Clamp { get; internal set; } = ClampRange.Full;

    /// <summary>Decisions worth reporting (a widened output scale).</summary>
    public List<string> Notes { get; } = [];
}
