namespace Edge.Runtime.Kernels.Float;

/// <summary>Float32 fully connected layer, <c>Y[N, M] = clamp(X[N, K]·Wᵀ + b)</c>, W [M, K] (columns in the input's NHWC flatten order).</summary>
public sealed class FloatGemm
{
    private readonly float[] _weights;
    private readonly float[] _bias;
    private readonly FloatClamp _clamp;

    private FloatGemm(int batch, int inFeatures, int outFeatures, float[] weights, float[] bias, FloatClamp clamp)
        => (Batch, InFeatures, OutFeatures, _weights, _bias, _clamp) = (batch, inFeatures, outFeatures, weights, bias, clamp);

    public int Batch { get; }
    public int InFeatures { get; }
    public int OutFeatures { get; }

    public static FloatGemm Prepare(int batch, int inFeatures, int outFeatures, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, float min, float max)
    {
        Guard.Positive(batch, nameof(batch));
        Guard.Positive(inFeatures, nameof(inFeatures));
        Guard.Positive(outFeatures, nameof(outFeatures));
        Guard.SameLength(weights.Length, outFeatures * inFeatures, $"weights [{outFeatures}, {inFeatures}]");
        var b = bias.IsEmpty ? new float[outFeatures] : bias.ToArray();
        Guard.SameLength(b.Length, outFeatures, "bias");
        return new FloatGemm(batch, inFeatures, outFeatures, weights.ToArray(), b, new FloatClamp(min, max));
    }

    public static void Run(FloatGemm op, ReadOnlySpan<float> input, Span<float> output)
    {
        int k = op.InFeatures, m = op.OutFeatures;
        Guard.Length(input.Length, op.Batch * k, "input");
        Guard.Length(output.Length, op.Batch * m, "output");
        for (int n = 0; n < op.Batch; n++)
        {
            var x = input.Slice(n * k, k);
            for (int o = 0; o < m; o++)
            {
                var w = op._weights.AsSpan(o * k, k);
                float acc = op._bias[o];
                for (int i = 0; i < k; i++) acc += x[i] * w[i];
                output[n * m + o] = op._clamp.Apply(acc);
            }
        }
    }

    public override string ToString() => $"FloatGemm N{Batch} K{InFeatures} → M{OutFeatures} clamp {_clamp}";
}
