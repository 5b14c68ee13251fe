using Edge.Core.Tensors;

namespace Edge.Quantization.Quantizer;

/// <summary>
/// The float graph is NCHW; the int8 model keeps activations NHWC with batch 1 ([1, H, W, C]) and flat tensors as
/// [1, F]. Flattening an NHWC tensor gives its elements in HWC order where the float graph has CHW order: the two
/// agree when H·W = 1 or C = 1; otherwise the flat tensor is <see cref="FlatOrder">permuted</see>, which a Gemm absorbs
/// by permuting its weight columns.
/// </summary>
public static class NhwcLayout
{
    /// <summary>The int8 model's shape of a float tensor of shape <paramref name="nchw"/> (batch 1).</summary>
    public static int[] Shape(TensorShape nchw, string tensor) => nchw.Rank switch
    {
        4 => [1, nchw[2], nchw[3], nchw[1]],
        2 => [1, nchw[1]],
        _ => throw new ConversionException(null, $"tensor '{tensor}' has shape {nchw}: the int8 model holds NCHW (rank 4) and [N, features] (rank 2) activations only"),
    };

    /// <summary>An NCHW axis as the NHWC axis (rank 4), or unchanged (rank 2).</summary>
    public static int Axis(int axis, int rank)
    {
        if (axis < 0) axis += rank;
        return rank == 4 ? axis switch { 0 => 0, 1 => 3, 2 => 1, _ => 2 } : axis;
    }

    /// <summary>True when a rank-4 tensor's NHWC element order equals its NCHW order (H·W = 1 or C = 1), or it is not rank 4.</summary>
    public static bool SameOrder(TensorShape nchw) => nchw.Rank != 4 || nchw[1] == 1 || nchw[2] * nchw[3] == 1;

    /// <summary>Repacks conv weights [OC, IC/g, KH, KW] to [OC, KH, KW, IC/g].</summary>
    public static T[] ConvWeights<T>(ReadOnlySpan<T> w, int oc, int icg, int kh, int kw)
    {
        var packed = new T[w.Length];
        for (int o = 0; o < oc; o++)
            for (int i = 0; i < icg; i++)
                for (int y = 0; y < kh; y++)
                    for (int x = 0; x < kw; x++)
                        packed[((o * kh + y) * kw + x) * icg + i] = w[((o * icg + i) * kh + y) * kw + x];
        return packed;
    }

    /// <summary>Reorders the columns of Gemm weights [OC, C·H·W] from CHW to HWC order, for an input flattened from NHWC.</summary>
    public static T[] GemmColumnsToHwc<T>(ReadOnlySpan<T> w, int oc, FlatOrder order)
    {
        int k = order.Channels * order.Height * order.Width, plane = order.Height * order.Width;
        var permuted = new T[w.Length];
        for (int o = 0; o < oc; o++)
            for (int c = 0; c < order.Channels; c++)
                for (int p = 0; p < plane; p++)
                    permuted[o * k + p * order.Channels + c] = w[o * k + c * plane + p];
        return permuted;
    }
}

/// <summary>A flat tensor whose elements are in HWC order of a [C, H, W] tensor (the float graph has them in CHW order).</summary>
public sealed record FlatOrder(int Channels, int Height, int Width);
