using Edge.Core.Graph.Nodes;

namespace Edge.Quantization.Passes;

/// <summary>
/// A BatchNorm as the per-channel affine map it is at inference, <c>y = k·x + b</c> with <c>k = γ/√(σ² + ε)</c> and
/// <c>b = β − μ·k</c>.
/// <para>
/// Computed in float32 in the order of PyTorch's ONNX exporter (torch/csrc/jit/passes/onnx/eval_peephole.cpp,
/// <c>fuseConvBatchNorm</c>): <c>k = γ / sqrt(σ² + ε)</c>, <c>w' = w·k</c>, <c>b' = (b − μ)·k + β</c>. Folding in double
/// would be at most one float32 rounding more accurate; folding as the exporter does makes a model exported with
/// explicit BatchNorms and the same model exported folded become the same graph, bit for bit, so both convert to the
/// same int8 model. (Checked on every shipped model: all folded weights and biases match.)
/// </para>
/// </summary>
internal static class BatchNormMath
{
    /// <summary>The per-channel factor <c>k</c>; throws <see cref="ConversionException"/> for a negative variance or a non-finite result.</summary>
    public static float[] Factor(BatchNormNode bn)
    {
        var k = new float[bn.Channels];
        for (int c = 0; c < k.Length; c++)
        {
            float variance = bn.Variance.Data[c];
            if (variance < 0) throw new ConversionException(bn.Name, $"variance '{bn.Variance.Name}' is negative ({variance}) at channel {c}");
            k[c] = bn.Scale.Data[c] / MathF.Sqrt(variance + bn.Epsilon);
            if (!float.IsFinite(k[c]))
                throw new ConversionException(bn.Name, $"channel {c} has no finite scale: γ {bn.Scale.Data[c]} / √(σ² {variance} + ε {bn.Epsilon})");
        }
        return k;
    }

    /// <summary><c>(b − μ)·k + β</c> per channel; <paramref name="bias"/> null is a bias of zeros.</summary>
    public static float[] FoldedBias(BatchNormNode bn, float[] k, float[]? bias, string node)
    {
        var b = new float[k.Length];
        for (int c = 0; c < b.Length; c++)
        {
            b[c] = ((bias is null ? 0f : bias[c]) - bn.Mean.Data[c]) * k[c] + bn.Bias.Data[c];
            if (!float.IsFinite(b[c])) throw new ConversionException(node, $"folding BatchNorm '{bn.Name}' gives a non-finite bias at channel {c}");
        }
        return b;
    }
}
