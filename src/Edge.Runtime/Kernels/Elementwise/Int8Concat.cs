using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.Elementwise;

/// <summary>
/// Int8 channel concatenation of NHWC tensors: every input has the same <see cref="Pixels"/> (N·H·W) and its own channel
/// count; in the output, pixel p holds input 0's channels of pixel p, then input 1's, and so on — an interleaved per-pixel
/// copy. An input whose parameters differ from the output's is rescaled (<see cref="Int8Rescale"/>) on the way.
/// <para>
/// Spans cannot be gathered in an array without allocating, so <see cref="Run"/> places one input at a time; the session
/// calls it once per input, in any order.
/// </para>
/// </summary>
public sealed class Int8Concat
{
    private readonly int[] _channels;
    private readonly int[] _offsets;
    private readonly Int8Rescale[] _rescales;

    private Int8Concat(int pixels, int[] channels, Int8Rescale[] rescales)
    {
        Pixels = pixels;
        _channels = channels;
        _rescales = rescales;
        _offsets = new int[channels.Length];
        for (int i = 1; i < channels.Length; i++) _offsets[i] = _offsets[i - 1] + channels[i - 1];
        OutputChannels = _offsets[^1] + channels[^1];
    }

    /// <summary>N·H·W, shared by all inputs and the output.</summary>
    public int Pixels { get; }
    public int OutputChannels { get; }
    public int InputCount => _channels.Length;
    public int OutputLength => Pixels * OutputChannels;

    /// <summary>Channels of input <paramref name="index"/>.</summary>
    public int InputChannels(int index) => _channels[index];
    public int InputLength(int index) => Pixels * _channels[index];

    /// <summary>The rescale input <paramref name="index"/> goes through (an identity when its parameters are the output's).</summary>
    public Int8Rescale Rescale(int index) => _rescales[index];

    /// <summary>Prepares a concatenation from the tensors' parameters.</summary>
    public static Int8Concat Prepare(int pixels, ReadOnlySpan<int> channels, ReadOnlySpan<QuantizationParams> inputs, QuantizationParams output)
    {
        Guard.SameLength(channels.Length, inputs.Length, "concat channel counts and input parameters");
        var rescales = new Int8Rescale[inputs.Length];
        for (int i = 0; i < inputs.Length; i++) rescales[i] = Int8Rescale.Prepare(inputs[i], output);
        return Prepare(pixels, channels, rescales);
    }

    /// <summary>Prepares a concatenation from the converter's per-input rescales.</summary>
    public static Int8Concat Prepare(int pixels, ReadOnlySpan<int> channels, Int8Rescale[] rescales)
    {
        Guard.Positive(pixels, nameof(pixels));
        if (channels.IsEmpty) throw new ArgumentException("a concatenation needs at least one input");
        Guard.SameLength(channels.Length, rescales.Length, "concat channel counts and rescales");
        foreach (var c in channels) Guard.Positive(c, nameof(channels));
        return new Int8Concat(pixels, channels.ToArray(), (Int8Rescale[])rescales.Clone());
    }

    /// <summary>Writes input <paramref name="index"/> into its channels of every output pixel.</summary>
    public static void Run(Int8Concat op, int index, ReadOnlySpan<sbyte> input, Span<sbyte> output)
    {
        if ((uint)index >= (uint)op.InputCount) throw new ArgumentOutOfRangeException(nameof(index), index, $"the concatenation has {op.InputCount} inputs");
        int c = op._channels[index], offset = op._offsets[index], outC = op.OutputChannels;
        Guard.Length(input.Length, op.InputLength(index), "input");
        Guard.Length(output.Length, op.OutputLength, "output");
        var rescale = op._rescales[index];
        for (int p = 0; p < op.Pixels; p++)
            Int8Rescale.Run(rescale, input.Slice(p * c, c), output.Slice(p * outC + offset, c));
    }

    public override string ToString() => $"Int8Concat {Pixels} pixels, channels [{string.Join(", ", _channels)}]";
}
