using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.Float;

/// <summary>Int8 → float32 with the input's parameters, <c>s·(q − zp)</c> in float32, through a 256-entry table.</summary>
public sealed class Int8Dequantize
{
    private readonly float[] _table = new float[256];

    private Int8Dequantize(QuantizationParams input)
    {
        Input = input;
        for (int q = sbyte.MinValue; q <= sbyte.MaxValue; q++) _table[q + 128] = input.Dequantize(q);
    }

    public QuantizationParams Input { get; }

    public static Int8Dequantize Prepare(QuantizationParams input)
    {
        input.Validate("dequantize input");
        return new Int8Dequantize(input);
    }

    public static void Run(Int8Dequantize op, ReadOnlySpan<sbyte> input, Span<float> output)
    {
        Guard.SameLength(input.Length, output.Length, "dequantize input and output");
        var table = op._table;
        for (int i = 0; i < input.Length; i++) output[i] = table[input[i] + 128];
    }

    public override string ToString() => $"Int8Dequantize from {Input}";
}
