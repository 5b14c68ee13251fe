using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.Elementwise;

/// <summary>
/// An element-wise non-linear function on int8 (Sigmoid, Tanh, ELU, LeakyReLU, HardSwish, HardSigmoid, standalone
/// ReLU/Clip) as a 256-entry table: <c>y = table[x + 128]</c>. The converter builds the table (<see cref="BuildTable"/>)
/// and stores it in the model.
/// </summary>
public sealed class Int8Lookup
{
    /// <summary>Entries in a table: one per int8 value.</summary>
    public const int TableLength = 256;

    private readonly sbyte[] _table;

    private Int8Lookup(sbyte[] table) => _table = table;

    /// <summary>The table, indexed by <c>q + 128</c>.</summary>
    public ReadOnlySpan<sbyte> Table => _table;

    /// <summary>Prepares a lookup from a stored table of 256 entries (copied).</summary>
    public static Int8Lookup Prepare(ReadOnlySpan<sbyte> table)
    {
        Guard.SameLength(table.Length, TableLength, "lookup table");
        return new Int8Lookup(table.ToArray());
    }

    /// <summary>
    /// The contract's table for <paramref name="f"/>:
    /// <c>table[q + 128] = clamp(round_half_away(f(s_in × (q − zp_in)) / s_out) + zp_out, −128, 127)</c>, the argument
    /// and <paramref name="f"/> in float32 (pass <c>UnaryElementwiseNode.Evaluate</c>), the division and rounding in double.
    /// </summary>
    public static sbyte[] BuildTable(Func<float, float> f, QuantizationParams input, QuantizationParams output)
    {
        input.Validate("lookup input");
        output.Validate("lookup output");
        var table = new sbyte[TableLength];
        for (int q = sbyte.MinValue; q <= sbyte.MaxValue; q++) table[q + 128] = output.Quantize(f(input.Dequantize(q)));
        return table;
    }

    /// <summary>The scalar reference (the only path): <paramref name="input"/> and <paramref name="output"/> have one length.</summary>
    public static void Run(Int8Lookup op, ReadOnlySpan<sbyte> input, Span<sbyte> output)
    {
        Guard.SameLength(input.Length, output.Length, "lookup input and output");
        var table = op._table;
        for (int i = 0; i < input.Length; i++) output[i] = table[input[i] + 128];
    }

    public override string ToString() => "Int8Lookup";
}
