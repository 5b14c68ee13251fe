using Edge.Runtime.Format;
using Edge.Runtime.Kernels;

namespace Edge.Runtime.Session.Operators;

/// <summary>Checks one <see cref="EdgeOp"/> against docs/edge-format.md and prepares the kernel that runs it.</summary>
internal static class OpFactory
{
    public static SessionOp Create(OpReader r, KernelPath path) => r.Op.Type switch
    {
        EdgeOpType.Conv2d => ConvOps.Create(r, path),
        EdgeOpType.Gemm => GemmOps.Create(r, path),
        EdgeOpType.MaxPool => PoolOps.MaxPool(r, path),
        EdgeOpType.AveragePool => PoolOps.AveragePool(r, path),
        EdgeOpType.GlobalAveragePool => PoolOps.GlobalAveragePool(r, path),
        EdgeOpType.Add => ElementwiseOps.Add(r, path),
        EdgeOpType.Concat => ChannelOps.Concat(r),
        EdgeOpType.Lookup => ElementwiseOps.Lookup(r),
        EdgeOpType.Pad => ChannelOps.Pad(r),
        EdgeOpType.Softmax => ChannelOps.Softmax(r),
        EdgeOpType.Lrn => ChannelOps.Lrn(r),
        EdgeOpType.Reshape => ConversionOps.Reshape(r),
        EdgeOpType.Quantize => ConversionOps.Quantize(r, path),
        EdgeOpType.Dequantize => ConversionOps.Dequantize(r),
        EdgeOpType.Rescale => ElementwiseOps.Rescale(r),
        EdgeOpType.FloatActivation => ElementwiseOps.Activation(r),
        EdgeOpType.Mul => MulOps.Create(r),
        EdgeOpType.GlobalMaxPool => DataMoveOps.GlobalMaxPool(r),
        EdgeOpType.ChannelShuffle => DataMoveOps.ChannelShuffle(r),
        EdgeOpType.Slice => DataMoveOps.Slice(r),
        EdgeOpType.UpsampleNearest => DataMoveOps.Upsample(r),
        _ => throw r.Bad($"operator type {(int)r.Op.Type} is not supported by this runtime"),
    };
}
