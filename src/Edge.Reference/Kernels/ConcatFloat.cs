namespace Edge.Reference.Kernels;

/// <summary>
/// Concatenation along one axis. Seen as [outer, axis·inner] matrices (outer = product of the dimensions before the
/// axis, inner = product after it), each input fills a band of columns of every output row; the executor calls
/// <see cref="CopyInto"/> once per input with the band's offset.
/// </summary>
public static class ConcatFloat
{
    /// <summary>
    /// Copies <paramref name="input"/>, viewed as [<paramref name="outer"/>, <paramref name="inputRow"/>], into columns
    /// [<paramref name="offset"/>, offset + inputRow) of <paramref name="output"/>, viewed as [outer, <paramref name="outputRow"/>].
    /// </summary>
    public static void CopyInto(ReadOnlySpan<float> input, int outer, int inputRow, Span<float> output, int outputRow, int offset)
    {
        if (offset < 0 || offset + inputRow > outputRow) throw new ArgumentException($"columns [{offset}, {offset + inputRow}) do not fit an output row of {outputRow}");
        if (input.Length < (long)outer * inputRow || output.Length < (long)outer * outputRow)
            throw new ArgumentException($"input/output hold {input.Length}/{output.Length} values for {outer} rows of {inputRow}/{outputRow}");
        for (int o = 0; o < outer; o++)
        {
            input.Slice(o * inputRow, inputRow).CopyTo(output.Slice(o * outputRow + offset, inputRow));
        }
    }
}
