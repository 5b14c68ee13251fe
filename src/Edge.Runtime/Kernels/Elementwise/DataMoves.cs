namespace Edge.Runtime.Kernels.Elementwise;

/// <summary>
/// ShuffleNet's channel shuffle on NHWC, for int8 and float32 alike (a permutation, no arithmetic): per pixel, output
/// channel <c>j·g + i</c> is input channel <c>i·(C/g) + j</c>. The source index of every output channel is computed once.
/// </summary>
public sealed class ChannelShuffle
{
    private readonly int[] _source;

    private ChannelShuffle(int pixels, int channels, int groups, int[] source) => (Pixels, Channels, Groups, _source) = (pixels, channels, groups, source);

    public int Pixels { get; }
    public int Channels { get; }
    public int Groups { get; }

    public static ChannelShuffle Prepare(int pixels, int channels, int groups)
    {
        Guard.Positive(pixels, nameof(pixels));
        Guard.Positive(channels, nameof(channels));
        Guard.Positive(groups, nameof(groups));
        if (channels % groups != 0) throw new ArgumentException($"{groups} groups do not divide {channels} channels");
        int perGroup = channels / groups;
        var source = new int[channels];
        for (int c = 0; c < channels; c++) source[c] = (c % groups) * perGroup + c / groups;
        return new ChannelShuffle(pixels, channels, groups, source);
    }

    /// <summary>Not in place: <paramref name="output"/> must not overlap <paramref name="input"/>.</summary>
    public static void Run<T>(ChannelShuffle op, ReadOnlySpan<T> input, Span<T> output) where T : unmanaged
    {
        int c = op.Channels;
        Guard.SameLength(input.Length, op.Pixels * c, "channel shuffle input");
        Guard.SameLength(output.Length, op.Pixels * c, "channel shuffle output");
        var source = op._source;
        for (int p = 0; p < op.Pixels; p++)
        {
            var x = input.Slice(p * c, c);
            var y = output.Slice(p * c, c);
            for (int k = 0; k < c; k++) y[k] = x[source[k]];
        }
    }

    public override string ToString() => $"ChannelShuffle {Pixels} px × {Channels} ch, {Groups} groups";
}

/// <summary>
/// A box of a tensor of rank ≤ 4 (NHWC, or [1, F]), for int8 and float32: output element (i0, i1, i2, i3) is input element
/// (b0 + i0, …, b3 + i3). Rows along the last axis are copied whole.
/// </summary>
public sealed class TensorSlice
{
    private readonly int[] _in, _out, _begin;

    private TensorSlice(int[] input, int[] output, int[] begin) => (_in, _out, _begin) = (input, output, begin);

    /// <summary>Shapes and begin of one rank ≤ 4, checked to keep the box inside the input.</summary>
    public static TensorSlice Prepare(ReadOnlySpan<int> inputShape, ReadOnlySpan<int> outputShape, ReadOnlySpan<int> begin)
    {
        int rank = inputShape.Length;
        if (rank == 0 || rank > 4 || outputShape.Length != rank || begin.Length != rank) throw new ArgumentException($"slice of rank {rank}: shapes and begin must have one rank in 1..4");
        int[] i4 = [1, 1, 1, 1], o4 = [1, 1, 1, 1], b4 = [0, 0, 0, 0];
        for (int a = 0; a < rank; a++)
        {
            int d = 4 - rank + a;
            Guard.Positive(inputShape[a], "slice input dimension");
            Guard.Positive(outputShape[a], "slice output dimension");
            if (begin[a] < 0 || (long)begin[a] + outputShape[a] > inputShape[a])
                throw new ArgumentException($"axis {a}: [{begin[a]}, {(long)begin[a] + outputShape[a]}) lies outside the input's {inputShape[a]}");
            (i4[d], o4[d], b4[d]) = (inputShape[a], outputShape[a], begin[a]);
        }
        return new TensorSlice(i4, o4, b4);
    }

    public static void Run<T>(TensorSlice op, ReadOnlySpan<T> input, Span<T> output) where T : unmanaged
    {
        int[] i = op._in, o = op._out, b = op._begin;
        Guard.SameLength(input.Length, i[0] * i[1] * i[2] * i[3], "slice input");
        Guard.SameLength(output.Length, o[0] * o[1] * o[2] * o[3], "slice output");
        int dst = 0;
        for (int a0 = 0; a0 < o[0]; a0++)
            for (int a1 = 0; a1 < o[1]; a1++)
                for (int a2 = 0; a2 < o[2]; a2++)
                {
                    int src = (((b[0] + a0) * i[1] + b[1] + a1) * i[2] + b[2] + a2) * i[3] + b[3];
                    input.Slice(src, o[3]).CopyTo(output.Slice(dst, o[3]));
                    dst += o[3];
                }
    }

    public override string ToString() => $"TensorSlice [{string.Join(", ", _in)}] → [{string.Join(", ", _out)}] at [{string.Join(", ", _begin)}]";
}

/// <summary>Nearest upsampling of NHWC by integer factors, for int8 and float32: <c>y[n, h, w, :] = x[n, ⌊h/sh⌋, ⌊w/sw⌋, :]</c>.</summary>
public sealed class UpsampleNearest
{
    private UpsampleNearest(int n, int h, int w, int c, int sh, int sw) => (Batch, Height, Width, Channels, ScaleH, ScaleW) = (n, h, w, c, sh, sw);

    public int Batch { get; }
    public int Height { get; }
    public int Width { get; }
    public int Channels { get; }
    public int ScaleH { get; }
    public int ScaleW { get; }

    public static UpsampleNearest Prepare(int batch, int height, int width, int channels, int scaleH, int scaleW)
    {
        Guard.Positive(batch, nameof(batch));
        Guard.Positive(height, nameof(height));
        Guard.Positive(width, nameof(width));
        Guard.Positive(channels, nameof(channels));
        if (scaleH is <= 0 or > 64 || scaleW is <= 0 or > 64) throw new ArgumentException($"scales {scaleH}x{scaleW} must be in 1..64");
        return new UpsampleNearest(batch, height, width, channels, scaleH, scaleW);
    }

    public static void Run<T>(UpsampleNearest op, ReadOnlySpan<T> input, Span<T> output) where T : unmanaged
    {
        int c = op.Channels, ow = op.Width * op.ScaleW, oh = op.Height * op.ScaleH;
        Guard.SameLength(input.Length, op.Batch * op.Height * op.Width * c, "upsample input");
        Guard.SameLength(output.Length, op.Batch * oh * ow * c, "upsample output");
        for (int n = 0; n < op.Batch; n++)
            for (int y = 0; y < oh; y++)
            {
                var src = input.Slice((n * op.Height + y / op.ScaleH) * op.Width * c, op.Width * c);
                var dst = output.Slice((n * oh + y) * ow * c, ow * c);
                for (int x = 0; x < ow; x++) src.Slice(x / op.ScaleW * c, c).CopyTo(dst.Slice(x * c, c));
            }
    }

    public override string ToString() => $"UpsampleNearest {Height}x{Width}x{Channels} ×{ScaleH}x{ScaleW}";
}
