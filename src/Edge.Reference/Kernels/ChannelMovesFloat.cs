using Edge.Core.Graph.Nodes;
using Edge.Core.Tensors;

namespace Edge.Reference.Kernels;

/// <summary>Pure data movement on NCHW (or any rank) float tensors: Transpose, ChannelShuffle, Slice. Exact copies.</summary>
public static class ChannelMovesFloat
{
    /// <summary>Output axis i is input axis perm[i]; walks the output in order with an odometer over its index.</summary>
    public static void Transpose(ReadOnlySpan<float> x, TensorShape xShape, int[] perm, Span<float> y)
    {
        int rank = xShape.Rank;
        long total = xShape.ElementCount;
        if (x.Length < total || y.Length < total) throw new ArgumentException($"transpose of {xShape}: buffers hold {x.Length} and {y.Length} values");
        Span<int> inStride = stackalloc int[rank], outDims = stackalloc int[rank], stride = stackalloc int[rank], index = stackalloc int[rank];
        for (int a = rank - 1, s = 1; a >= 0; a--)
        {
            inStride[a] = s;
            s *= xShape[a];
        }
        for (int a = 0; a < rank; a++)
        {
            outDims[a] = xShape[perm[a]];
            stride[a] = inStride[perm[a]];
        }
        int src = 0;
        for (long o = 0; o < total; o++)
        {
            y[(int)o] = x[src];
            for (int a = rank - 1; a >= 0; a--)
            {
                src += stride[a];
                if (++index[a] < outDims[a]) break;
                src -= stride[a] * outDims[a];
                index[a] = 0;
            }
        }
    }

    /// <summary>[N, C, …]: output channel c is input channel <see cref="ChannelShuffleNode.SourceChannel"/>(c).</summary>
    public static void ChannelShuffle(ReadOnlySpan<float> x, TensorShape xShape, int groups, Span<float> y)
    {
        int n = xShape[0], c = xShape[1], plane = (int)(xShape.ElementCount / ((long)n * c));
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                x.Slice((b * c + ChannelShuffleNode.SourceChannel(ch, c, groups)) * plane, plane).CopyTo(y.Slice((b * c + ch) * plane, plane));
    }

    /// <summary>The box [begin, begin + yShape) of x, any rank; rows along the last axis are copied whole.</summary>
    public static void Slice(ReadOnlySpan<float> x, TensorShape xShape, int[] begin, Span<float> y, TensorShape yShape)
    {
        int rank = xShape.Rank;
        Span<int> inStride = stackalloc int[rank], index = stackalloc int[rank];
        for (int a = rank - 1, s = 1; a >= 0; a--)
        {
            inStride[a] = s;
            s *= xShape[a];
        }
        int row = yShape[rank - 1];
        long total = yShape.ElementCount;
        for (long o = 0; o < total; o += row)
        {
            int src = 0;
            for (int a = 0; a < rank; a++) src += (begin[a] + index[a]) * inStride[a];
            x.Slice(src, row).CopyTo(y.Slice((int)o, row));
            for (int a = rank - 2; a >= 0; a--)
            {
                if (++index[a] < yShape[a]) break;
                index[a] = 0;
            }
        }
    }
}

/// <summary>Maximum of each plane: [N, C, H, W] → [N, C, 1, 1].</summary>
public static class GlobalMaxPoolFloat
{
    public static void Run(int planes, int planeSize, ReadOnlySpan<float> input, Span<float> output)
    {
        if (input.Length < (long)planes * planeSize || output.Length < planes) throw new ArgumentException($"global max pool of {planes} planes of {planeSize}: buffers hold {input.Length} and {output.Length} values");
        for (int p = 0; p < planes; p++)
        {
            float max = float.NegativeInfinity;
            foreach (var v in input.Slice(p * planeSize, planeSize)) max = v > max || float.IsNaN(v) ? v : max;
            output[p] = max;
        }
    }
}

/// <summary>Nearest upsampling by integer factors: y[p, i, j] = x[p, ⌊i / sh⌋, ⌊j / sw⌋] per plane p of N·C.</summary>
public static class UpsampleNearestFloat
{
    public static void Run(int planes, int height, int width, int scaleH, int scaleW, ReadOnlySpan<float> input, Span<float> output)
    {
        int oh = height * scaleH, ow = width * scaleW;
        if (input.Length < (long)planes * height * width || output.Length < (long)planes * oh * ow) throw new ArgumentException("upsample buffers are too small");
        for (int p = 0; p < planes; p++)
            for (int i = 0; i < oh; i++)
            {
                var src = input.Slice((p * height + i / scaleH) * width, width);
                var dst = output.Slice((p * oh + i) * ow, ow);
                for (int j = 0; j < ow; j++) dst[j] = src[j / scaleW];
            }
    }
}
