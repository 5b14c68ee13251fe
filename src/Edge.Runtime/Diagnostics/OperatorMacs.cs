using Edge.Runtime.Format;

namespace Edge.Runtime.Diagnostics;

/// <summary>Multiply-accumulates of a <c>.edge</c> operator, for GMAC/s figures (<c>edge bench</c>).</summary>
public static class OperatorMacs
{
    /// <summary>
    /// MACs of operator <paramref name="index"/> for the batch its output tensor holds: for Conv2d (grouped and depthwise
    /// included) and Gemm, every output element costs one weight row, so MACs = (output elements / output channels) ×
    /// weight elements (weights [OC, KH, KW, IC/group] or [OC, K]; docs/edge-format.md). Every other operator: 0 (their
    /// cost is not multiply-accumulates).
    /// </summary>
    public static long Of(EdgeModel model, int index)
    {
        var op = model.Ops[index];
        if (op.Type is not (EdgeOpType.Conv2d or EdgeOpType.Gemm) || op.Blobs.Length == 0 || op.Outputs.Length == 0) return 0;
        var output = model.Tensors[op.Outputs[0]];
        var weights = op.Blobs[0];
        int outChannels = weights.Shape[0];
        if (outChannels == 0) return 0;
        return output.ElementCount / outChannels * weights.ElementCount;
    }
}
