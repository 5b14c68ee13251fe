using Edge.Core.Graph.Nodes;
using Edge.Runtime.Arithmetic;
using Edge.Runtime.Format;

namespace Edge.Quantization.Quantizer;

/// <summary>Int8 lookup tables and float activation encodings of element-wise functions.</summary>
public static class LookupTables
{
    /// <summary>
    /// <c>table[q + 128] = clamp(round_half_away(f(s_in × (q − zp_in)) / s_out) + zp_out, −128, 127)</c>, with <c>f</c> the
    /// node's <see cref="UnaryElementwiseNode.Evaluate"/> in float32 on the dequantized float32 input.
    /// </summary>
    public static sbyte[] Build(UnaryElementwiseNode function, QuantizationParams input, QuantizationParams output)
    {
        var table = new sbyte[256];
        for (int q = -128; q <= 127; q++) table[q + 128] = output.Quantize(function.Evaluate(input.Dequantize(q)));
        return table;
    }

    /// <summary>The <see cref="EdgeOpType.FloatActivation"/> kind and parameters of an element-wise node.</summary>
    public static (EdgeActivationKind Kind, float[] Parameters) FloatActivation(UnaryElementwiseNode node) => node switch
    {
        ReluNode => (EdgeActivationKind.Relu, []),
        ClipNode c => (EdgeActivationKind.Clip, [c.Min, c.Max]),
        LeakyReluNode l => (EdgeActivationKind.LeakyRelu, [l.Alpha]),
        SigmoidNode => (EdgeActivationKind.Sigmoid, []),
        TanhNode => (EdgeActivationKind.Tanh, []),
        EluNode e => (EdgeActivationKind.Elu, [e.Alpha]),
        HardSigmoidNode h => (EdgeActivationKind.HardSigmoid, [h.Alpha, h.Beta]),
        HardSwishNode => (EdgeActivationKind.HardSwish, []),
        SiluNode => (EdgeActivationKind.Silu, []),
        _ => throw new ConversionException(node.Name, $"{node.OpType} has no float activation encoding"),
    };
}
