using Edge.Core.Graph.Nodes;
using Edge.Core.Shapes;
using Edge.Core.Tensors;

namespace Edge.Quantization.Passes;

/// <summary>A per-channel affine map <c>y[c] = scale[c]·x[c] + bias[c]</c> as a depthwise 1×1 convolution.</summary>
internal static class AffineConv
{
    public static ConvNode Create(string name, string input, string output, float[] scale, float[]? bias)
    {
        int c = scale.Length;
        var weight = new ConstantTensor($"{name}.weight", new TensorShape(c, 1, 1, 1), scale);
        var b = bias is null ? null : new ConstantTensor($"{name}.bias", new TensorShape(c), bias);
        return new ConvNode(name, input, output, weight, b, new Window2d(1, 1), group: c);
    }
}
