namespace Edge.Runtime.Kernels.Float;

/// <summary>Float32 element-wise addition of two tensors of one shape, then the fused clamp. May run in place.</summary>
public sealed class FloatAdd
{
    private readonly FloatClamp _clamp;

    private FloatAdd(FloatClamp clamp) => _clamp = clamp;

    public static FloatAdd Prepare(float min, float max) => new(new FloatClamp(min, max));

    public static void Run(FloatAdd op, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> output)
    {
        Guard.SameLength(a.Length, b.Length, "add inputs");
        Guard.SameLength(a.Length, output.Length, "add input and output");
        for (int i = 0; i < output.Length; i++) output[i] = op._clamp.Apply(a[i] + b[i]);
    }

    public override string ToString() => $"FloatAdd clamp {_clamp}";
}
