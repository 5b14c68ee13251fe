using System.Globalization;
using Edge.Core.Graph;
using Edge.Core.Graph.Nodes;
using Edge.Core.Tensors;
using Edge.Quantization.Calibration;
using Edge.Runtime.Arithmetic;

namespace Edge.Quantization.Quantizer;

/// <summary>
/// Every decision of the conversion of an optimized float graph to int8, made once and shared by the
/// <see cref="EdgeModelEmitter"/> (which writes them as an <see cref="Edge.Runtime.Format.EdgeModel"/>) and the
/// <see cref="FakeQuantSimulator"/> (which runs them in float): per tensor its parameters and layout, per node its
/// quantized weights, multipliers and clamp.
/// <para>
/// Parameters follow docs/int8-arithmetic.md. Activations take their calibrated range, except that
/// <list type="bullet">
/// <item>MaxPool, AveragePool, GlobalAveragePool, Pad and views (Flatten, Reshape) keep their input's parameters, so
/// they need no rescale;</item>
/// <item>a requantizing operator (Conv, Gemm, Add, a lookup table, LRN) whose output only a Concat reads takes the
/// Concat's output parameters, so the Concat copies it as it is;</item>
/// <item>an output scale is widened when a requantization multiplier would not be below 1 (the contract's guarantee);
/// the node's <see cref="NodePlan.Notes"/> say so.</item>
/// </list>
/// </para>
/// </summary>
public sealed class QuantizationPlan
{
    private readonly Dictionary<string, TensorPlan> _tensors = new();
    private readonly Dictionary<string, NodePlan> _nodes = new();

    private QuantizationPlan(ModelGraph graph, QuantizerOptions options, IReadOnlyDictionary<string, TensorShape> shapes)
    {
        Graph = graph;
        Options = options;
        Shapes = shapes;
    }

    /// <summary>The optimized float graph (after the passes).</summary>
    public ModelGraph Graph { get; }

    public QuantizerOptions Options { get; }

    /// <summary>Float graph shapes at batch 1.</summary>
    public IReadOnlyDictionary<string, TensorShape> Shapes { get; }

    public IReadOnlyDictionary<string, TensorPlan> Tensors => _tensors;
    public IReadOnlyDictionary<string, NodePlan> Nodes => _nodes;

    /// <summary>Whether the model's outputs are int8 (else float32).</summary>
    public bool OutputIsInt8 => Options.Int8Output;

    /// <summary>
    /// Plans the conversion of <paramref name="graph"/> (already through the passes) with the ranges of
    /// <paramref name="ranges"/> (calibrated, per tensor). Throws <see cref="ConversionException"/> for a node the int8 model cannot express
    /// and <see cref="ConverterOptionsException"/> for a kept-float name the graph does not have.
    /// </summary>
    public static QuantizationPlan Build(ModelGraph graph, IReadOnlyDictionary<string, TensorRange> ranges, QuantizerOptions options)
    {
        graph.Validate();
        if (graph.Inputs.Count != 1) throw new ConversionException(null, $"graph '{graph.Name}' has {graph.Inputs.Count} inputs; the converter handles one");
        var plan = new QuantizationPlan(graph, options, graph.InferShapes(1));
        var unknown = options.KeepFloat.Where(k => graph.Nodes.All(n => n.Name != k)).ToList();
        if (unknown.Count > 0)
            throw new ConverterOptionsException($"--keep-float: no node named {string.Join(", ", unknown.Select(u => $"'{u}'"))} in the optimized graph");
        plan.Plan(ranges);
        return plan;
    }

    /// <summary>True when the int8 model holds an int8 version of tensor <paramref name="name"/> (produced, or quantized from float).</summary>
    public bool HasInt8(string name)
    {
        var t = _tensors[name];
        if (!t.IsFloat) return true;
        if (Graph.IsGraphOutput(name) && OutputIsInt8) return true;
        return ReadersOf(name).Any(n => !_nodes[n.Name].IsFloat);
    }

    private Dictionary<string, List<Node>>? _readers;

    /// <summary>The nodes reading a tensor (once each), indexed on first use: the graph no longer changes once it is planned.</summary>
    private IReadOnlyList<Node> ReadersOf(string tensor)
    {
        if (_readers is null)
        {
            _readers = new Dictionary<string, List<Node>>();
            foreach (var n in Graph.Nodes)
            {
                foreach (var i in n.Inputs.Distinct())
                {
                    if (!_readers.TryGetValue(i, out var list)) _readers[i] = list = [];
                    list.Add(n);
                }
            }
        }
        return _readers.TryGetValue(tensor, out var r) ? r : [];
    }

    private void Plan(IReadOnlyDictionary<string, TensorRange> ranges)
    {
        QuantizationParams Calibrated(string tensor) => ranges.TryGetValue(tensor, out var r)
            ? ActivationQuantization.FromRange(r)
            : throw new InvalidOperationException($"calibration has no range for tensor '{tensor}'");

        var input = Graph.Inputs[0];
        AddTensor(input.Name, isFloat: false, Calibrated(input.Name), order: null);
        foreach (var node in Graph.Nodes)
        {
            CheckSupported(node);
            // A view (Flatten, Reshape) of a float tensor stays float: no quantize/dequantize pair around a no-op.
            bool isFloat = Options.KeepFloat.Contains(node.Name) || IsView(node) && _tensors[node.Input].IsFloat;
            var np = new NodePlan(node, isFloat);
            _nodes[node.Name] = np;
            string output = node.Output;
            bool outputFloat = isFloat || node is SoftmaxNode && !Options.Int8Softmax;
            QuantizationParams p = isFloat && !IsView(node) ? Calibrated(output) : node switch
            {
                _ when IsPassThrough(node) => _tensors[node.Input].Params,
                SoftmaxNode when Options.Int8Softmax => new QuantizationParams(1f / 256, -128),
                _ => Calibrated(ConcatReading(node) ?? output),
            };
            var order = FlatOrderOf(node);
            var tensor = AddTensor(output, outputFloat, p, order);
            if (!isFloat) PlanInt8(np, tensor);
        }
        foreach (var o in Graph.Outputs)
        {
            if (_tensors[o].Order is not null)
                throw new ConversionException(Graph.FindProducer(o)?.Name, $"graph output '{o}' is a flattened NCHW tensor; its CHW element order cannot be kept in the NHWC int8 model");
        }
    }

    private TensorPlan AddTensor(string name, bool isFloat, QuantizationParams p, FlatOrder? order)
    {
        var t = new TensorPlan(name, Shapes[name], NhwcLayout.Shape(Shapes[name], name), isFloat, p, order);
        _tensors[name] = t;
        return t;
    }

    private static bool IsPassThrough(Node n) => n is MaxPoolNode or AveragePoolNode or GlobalAveragePoolNode or PadNode
        or GlobalMaxPoolNode or ChannelShuffleNode or SliceNode or UpsampleNearestNode || IsView(n);

    internal static bool IsView(Node n) => n is FlattenNode or ReshapeNode or DropoutNode or IdentityNode;

    /// <summary>The output of the int8 Concat that alone reads this requantizing node's output, if there is one.</summary>
    private string? ConcatReading(Node node)
    {
        if (node is not (ConvNode or GemmNode or AddNode or UnaryElementwiseNode or LrnNode or BroadcastMulNode) || Graph.IsGraphOutput(node.Output)) return null;
        var readers = ReadersOf(node.Output);
        return readers is [ConcatNode concat] && !Options.KeepFloat.Contains(concat.Name) && concat.Inputs.Count(i => i == node.Output) == 1
            ? concat.Output : null;
    }

    private void PlanInt8(NodePlan np, TensorPlan output)
    {
        switch (np.Node)
        {
            case ConvNode conv:
                PlanWeighted(np, output, conv.Weight, conv.Bias, conv.Clamp);
                break;
            case GemmNode gemm:
                PlanWeighted(np, output, gemm.Weight, gemm.Bias, gemm.Clamp);
                break;
            case AddNode add:
            {
                float sa = _tensors[add.Inputs[0]].Params.Scale, sb = _tensors[add.Inputs[1]].Params.Scale;
                double max2 = 2.0 * Math.Max(sa, sb);
                Widen(np, output, max2 / (1 << Multipliers.InputShift));
                float so = output.Params.Scale;
                np.Multipliers = [Multipliers.For(sa / max2, $"{add.Name} input a"), Multipliers.For(sb / max2, $"{add.Name} input b"),
                                  Multipliers.For(max2 / ((double)(1 << Multipliers.InputShift) * so), $"{add.Name} output")];
                np.Clamp = ClampRange.FromFusedClamp(add.Clamp, output.Params);
                break;
            }
            case BroadcastMulNode mul:
            {
                double product = (double)_tensors[mul.Inputs[0]].Params.Scale * _tensors[mul.Inputs[1]].Params.Scale;
                Widen(np, output, product);
                np.Multipliers = [Multipliers.For(product / output.Params.Scale, $"{mul.Name} output")];
                break;
            }
            case ConcatNode concat:
            {
                double largest = concat.Inputs.Max(i => (double)_tensors[i].Params.Scale);
                Widen(np, output, largest / (1 << Multipliers.InputShift));
                np.Multipliers = concat.Inputs.Select(i => _tensors[i].Params == output.Params ? (QuantizedMultiplier?)null
                    : Multipliers.For(_tensors[i].Params.Scale / ((double)(1 << Multipliers.InputShift) * output.Params.Scale), $"{concat.Name} input '{i}'")).ToArray();
                break;
            }
        }
    }

    private void PlanWeighted(NodePlan np, TensorPlan output, ConstantTensor weight, ConstantTensor? bias, FusedClamp clamp)
    {
        var node = np.Node;
        if (bias?.FindNonFinite() is { } bad) throw new ConversionException(node.Name, $"bias '{bias.Name}' holds a non-finite value {bad.Value} at index {bad.Index}");
        var w = QuantizedWeights.PerChannel(weight, node.Name);
        float sIn = _tensors[node.Input].Params.Scale;
        Widen(np, output, (double)sIn * w.Scales.Max());
        double sOut = output.Params.Scale;
        np.Weights = w;
        np.Bias = w.QuantizeBias(bias, sIn);
        np.Multipliers = w.Scales.Select((s, c) => (QuantizedMultiplier?)Multipliers.For(sIn * (double)s / sOut, $"{node.Name} channel {c}")).ToArray();
        np.Clamp = ClampRange.FromFusedClamp(clamp, output.Params);
    }

    /// <summary>Widens the output scale so that <paramref name="numerator"/> / scale is a valid multiplier, noting it.</summary>
    private static void Widen(NodePlan np, TensorPlan output, double numerator)
    {
        float before = output.Params.Scale, after = Multipliers.Widen(numerator, before);
        if (after == before) return;
        output.Params = output.Params with { Scale = after };
        np.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"output scale widened from {before:g6} to {after:g6} (multipliers < 1)"));
    }

    /// <summary>The flat element order of the node's output (see <see cref="NhwcLayout"/>); throws where it cannot be kept.</summary>
    private FlatOrder? FlatOrderOf(Node node)
    {
        var outShape = Shapes[node.Output];
        switch (node)
        {
            case GemmNode:
                return null; // its weight columns absorb the input's order
            case FlattenNode or ReshapeNode or DropoutNode or IdentityNode:
            {
                var input = _tensors[node.Input];
                if (outShape.Rank == 2)
                {
                    if (input.Shape.Rank == 4 && !NhwcLayout.SameOrder(input.Shape)) return new FlatOrder(input.Shape[1], input.Shape[2], input.Shape[3]);
                    return input.Order;
                }
                if (outShape == input.Shape && input.Order is null) return null;
                if (input.Order is not null || !NhwcLayout.SameOrder(input.Shape) || !NhwcLayout.SameOrder(outShape))
                    throw new ConversionException(node.Name, $"{node.OpType} from {input.Shape} to {outShape} reorders elements in the NHWC int8 layout; only flattening (and views where H·W = 1 or C = 1) is supported");
                return null;
            }
            case AddNode:
            {
                var a = _tensors[node.Inputs[0]].Order;
                var b = _tensors[node.Inputs[1]].Order;
                if (a != b) throw new ConversionException(node.Name, "Add of two flat tensors in different element orders (one flattened from NCHW) is not supported");
                return a;
            }
            case UnaryElementwiseNode or SoftmaxNode:
                return _tensors[node.Input].Order;
            default:
                foreach (var i in node.Inputs)
                {
                    if (_tensors[i].Order is not null)
                        throw new ConversionException(node.Name, $"{node.OpType} reads '{i}', a tensor flattened from NCHW whose CHW order the NHWC int8 model does not keep");
                }
                return null;
        }
    }

    /// <summary>
    /// The operands of an int8 Mul as the .edge op orders them: the full one, then the one that repeats over it (equal
    /// shape, one value per channel, or a scalar); the second is null when neither operand repeats over the other.
    /// </summary>
    internal (string Full, string? Repeating) MulOperands(Node mul)
    {
        string a = mul.Inputs[0], b = mul.Inputs[1];
        if (Repeats(Shapes[b], Shapes[a])) return (a, b);
        if (Repeats(Shapes[a], Shapes[b])) return (b, a);
        return (a, null);
    }

    /// <summary>Whether <paramref name="small"/> is <paramref name="full"/>, a per-channel [1, C, 1, 1] of a rank-4 tensor, or all ones.</summary>
    private static bool Repeats(TensorShape small, TensorShape full)
    {
        if (small == full) return true;
        if (small.Rank != full.Rank || small.Rank is not (2 or 4)) return false;
        if (small.ElementCount == 1) return true;
        return small.Rank == 4 && small[0] == 1 && small[1] == full[1] && small[2] == 1 && small[3] == 1;
    }

    /// <summary>Throws for a node the int8 model has no operator for, naming it and saying why.</summary>
    private void CheckSupported(Node node)
    {
        if (node.Outputs.Count != 1) throw new ConversionException(node.Name, $"{node.OpType} with {node.Outputs.Count} outputs is not supported");
        switch (node)
        {
            case ConvNode or GemmNode or MaxPoolNode or GlobalAveragePoolNode or ConcatNode or UnaryElementwiseNode or SoftmaxNode
                or FlattenNode or ReshapeNode or DropoutNode or IdentityNode or ChannelShuffleNode:
                return;
            case GlobalMaxPoolNode or UpsampleNearestNode:
                if (Shapes[node.Input].Rank != 4) throw new ConversionException(node.Name, $"{node.OpType} over {Shapes[node.Input]} is not supported (NCHW only)");
                return;
            case SliceNode:
                if (Shapes[node.Input].Rank is not (2 or 4)) throw new ConversionException(node.Name, $"Slice of {Shapes[node.Input]} is not supported (NCHW or [N, F] only)");
                return;
            case BroadcastMulNode:
            {
                var (big, small) = MulOperands(node);
                if (small is null)
                    throw new ConversionException(node.Name, $"Mul of {Shapes[node.Inputs[0]]} and {Shapes[node.Inputs[1]]}: the int8 Mul takes equal shapes, one value per channel ([N, C, 1, 1]) or a scalar against the other operand");
                _ = big;
                return;
            }
            case TransposeNode t:
                throw new ConversionException(node.Name, $"Transpose perm [{string.Join(", ", t.Perm)}] has no int8 operator (only ShuffleNet's channel shuffle, Reshape → Transpose → Reshape, converts)");
            case AddConstantNode add:
                throw new ConversionException(node.Name, $"Add of a constant {add.Bias.Shape} on {Shapes[node.Input]} is not a per-channel bias on an NCHW tensor (only those convert)");
            case LrnNode:
                if (Shapes[node.Input].Rank != 4) throw new ConversionException(node.Name, $"LRN over {Shapes[node.Input]} is not supported (NCHW only)");
                return;
            case AveragePoolNode avg:
                if (avg.Window.DilationH != 1 || avg.Window.DilationW != 1) throw new ConversionException(node.Name, "a dilated AveragePool is not supported");
                return;
            case AddNode:
                if (Shapes[node.Inputs[0]] != Shapes[node.Inputs[1]])
                    throw new ConversionException(node.Name, $"Add of {Shapes[node.Inputs[0]]} and {Shapes[node.Inputs[1]]} broadcasts; the int8 Add takes equal shapes");
                return;
            case PadNode padNode:
                if (Shapes[node.Input].Rank != 4) throw new ConversionException(node.Name, $"Pad of {Shapes[node.Input]} is not supported (NCHW only)");
                // The .edge Pad pads rows and columns; padding the batch or channel axis would be written and then refused at load.
                if (padNode.Pads[0] != 0 || padNode.Pads[4] != 0 || padNode.Pads[1] != 0 || padNode.Pads[5] != 0)
                    throw new ConversionException(node.Name, $"Pad [{string.Join(", ", padNode.Pads)}] pads the {(padNode.Pads[0] != 0 || padNode.Pads[4] != 0 ? "batch" : "channel")} axis; the int8 Pad pads height and width only");
                return;
            case BatchNormNode:
                throw new ConversionException(node.Name, $"BatchNormalization over {Shapes[node.Input]} follows no Conv or Gemm it could fold into, and only NCHW BatchNorms become per-channel affines");
            case MulNode mul:
                throw new ConversionException(node.Name, $"Mul by a constant of shape {mul.Scale.Shape} on {Shapes[node.Input]} is not a per-channel scale (only those convert)");
            default:
                throw new ConversionException(node.Name, $"{node.OpType} has no int8 operator");
        }
    }
}
