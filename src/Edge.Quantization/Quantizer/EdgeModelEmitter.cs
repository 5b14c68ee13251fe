using Edge.Runtime.Format;
using Edge.Vision.Preprocessing;

namespace Edge.Quantization.Quantizer;

/// <summary>
/// Writes a <see cref="QuantizationPlan"/> as an <see cref="EdgeModel"/> (docs/edge-format.md): tensors in NHWC with
/// their parameters, one op per node in graph order, and Quantize/Dequantize ops where an int8 operator reads a float
/// tensor or the other way round (kept-float nodes, a float Softmax output, the model outputs).
/// <para>
/// Tensor names: a tensor keeps its float graph name in the type its producer writes; a converted copy is named
/// <c>name.int8</c> or <c>name.float</c> — except a model output, which carries the graph output's name in the output
/// type (float32, or int8 with <see cref="QuantizerOptions.Int8Output"/>), its producer's version taking the suffix.
/// The model input is the int8 NHWC input tensor with the calibrated input parameters.
/// </para>
/// </summary>
public sealed class EdgeModelEmitter
{
    private readonly QuantizationPlan _plan;
    private readonly EdgeModel _model = new();
    private readonly Dictionary<string, int> _produced = new();
    private readonly Dictionary<(string, bool), int> _converted = new();

    private EdgeModelEmitter(QuantizationPlan plan) => _plan = plan;

    public static EdgeModel Emit(QuantizationPlan plan, ModelDescription description)
    {
        var e = new EdgeModelEmitter(plan);
        var graph = plan.Graph;
        var norm = description.Normalization;
        var input = graph.Inputs[0].Name;
        int inputChannels = plan.Shapes[input].Rank == 4 ? plan.Shapes[input][1] : 1;
        if (norm.Mean.Length != 1 && norm.Mean.Length != inputChannels)
            throw new ConverterOptionsException($"{norm.Mean.Length} mean/std values for input '{input}' with {inputChannels} channel(s): give one, or one per channel");
        e._model.Inputs.Add(new EdgeInput(e.Produce(input), norm.Mean, norm.Std, norm.Order));
        foreach (var node in graph.Nodes) OpEncoder.Emit(e, plan.Nodes[node.Name]);
        foreach (var o in graph.Outputs) e._model.Outputs.Add(e.Read(o, asFloat: !plan.OutputIsInt8));

        if (description.Labels.Count > 0)
        {
            int classes = e._model.Tensors[e._model.Outputs[0]].Shape[^1];
            if (description.Labels.Count != classes)
                throw new ConverterOptionsException($"{description.Labels.Count} labels for output '{graph.Outputs[0]}' of {classes} classes");
            e._model.Labels.AddRange(description.Labels);
        }
        foreach (var (k, v) in description.Metadata) e._model.Metadata[k] = v;
        e._model.ProducerVersion = description.ProducerVersion;
        return e._model;
    }

    internal QuantizationPlan Plan => _plan;

    internal void AddOp(EdgeOp op) => _model.Ops.Add(op);

    /// <summary>Creates the tensor a node (or the graph input) writes, in the type the plan gives it.</summary>
    internal int Produce(string tensor)
    {
        var t = _plan.Tensors[tensor];
        bool outputOfOtherType = _plan.Graph.IsGraphOutput(tensor) && t.IsFloat == _plan.OutputIsInt8;
        string name = outputOfOtherType ? tensor + Suffix(t.IsFloat) : tensor;
        int index = _model.AddTensor(t.IsFloat
            ? new EdgeTensor(name, EdgeDataType.Float32, t.EdgeShape)
            : new EdgeTensor(name, EdgeDataType.Int8, t.EdgeShape, t.Params.Scale, t.Params.ZeroPoint));
        _produced[tensor] = index;
        return index;
    }

    /// <summary>The index of <paramref name="tensor"/> in the wanted type, adding a Quantize or Dequantize op on first need.</summary>
    internal int Read(string tensor, bool asFloat)
    {
        var t = _plan.Tensors[tensor];
        int produced = _produced[tensor];
        if (t.IsFloat == asFloat) return produced;
        if (_converted.TryGetValue((tensor, asFloat), out int index)) return index;
        bool isOutputName = _plan.Graph.IsGraphOutput(tensor) && asFloat != _plan.OutputIsInt8;
        string name = isOutputName ? tensor : tensor + Suffix(asFloat);
        index = _model.AddTensor(asFloat
            ? new EdgeTensor(name, EdgeDataType.Float32, t.EdgeShape)
            : new EdgeTensor(name, EdgeDataType.Int8, t.EdgeShape, t.Params.Scale, t.Params.ZeroPoint));
        _model.Ops.Add(new EdgeOp(asFloat ? EdgeOpType.Dequantize : EdgeOpType.Quantize, $"{tensor}/{(asFloat ? "dequantize" : "quantize")}", [produced], [index]));
        _converted[(tensor, asFloat)] = index;
        return index;
    }

    private static string Suffix(bool isFloat) => isFloat ? ".float" : ".int8";
}
