namespace Edge.Runtime.Kernels.Float;

/// <summary>
/// Float32 channel concatenation of NHWC tensors with the same N·H·W: output pixel p holds input 0's channels of p, then
/// input 1's, and so on. <see cref="Run"/> places one input at a time (see <see cref="Elementwise.Int8Concat"/>).
/// </summary>
public sealed class FloatConcat
{
    private readonly int[] _channels;
    private readonly int[] _offsets;

    private FloatConcat(int pixels, int[] channels)
    {
        Pixels = pixels;
        _channels = channels;
        _offsets = new int[channels.Length];
        for (int i = 1; i < channels.Length; i++) _offsets[i] = _offsets[i - 1] + channels[i - 1];
        OutputChannels = _offsets[^1] + channels[^1];
    }

    public int Pixels { get; }
    public int OutputChannels { get; }
    public int InputCount => _channels.Length;

    public static FloatConcat Prepare(int pixels, ReadOnlySpan<int> channels)
    {
        Guard.Positive(pixels, nameof(pixels));
        if (channels.IsEmpty) throw new ArgumentException("a concatenation needs at least one input");
        foreach (var c in channels) Guard.Positive(c, nameof(channels));
        return new FloatConcat(pixels, channels.ToArray());
    }

    /// <summary>Writes input <paramref name="index"/> into its channels of every output pixel.</summary>
    public static void Run(FloatConcat op, int index, ReadOnlySpan<float> input, Span<float> output)
    {
        if ((uint)index >= (uint)op.InputCount) throw new ArgumentOutOfRangeException(nameof(index), index, $"the concatenation has {op.InputCount} inputs");
        int c = op._channels[index], offset = op._offsets[index], outC = op.OutputChannels;
        Guard.Length(input.Length, op.Pixels * c, "input");
        Guard.Length(output.Length, op.Pixels * outC, "output");
        for (int p = 0; p < op.Pixels; p++) input.Slice(p * c, c).CopyTo(output.Slice(p * outC + offset, c));
    }

    public override string ToString() => $"FloatConcat {Pixels} pixels, channels [{string.Join(", ", _channels)}]";
}
