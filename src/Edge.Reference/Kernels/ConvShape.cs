using Edge.Core.Graph.Nodes;
using Edge.Core.Shapes;
using Edge.Core.Tensors;

namespace Edge.Reference.Kernels;

/// <summary>
/// The sizes of one 2-D convolution over an NCHW batch: input [Batch, InChannels, InH, InW], output
/// [Batch, OutChannels, OutH, OutW], weight [OutChannels, InChannels / Group, KernelH, KernelW].
/// </summary>
public readonly record struct ConvShape(int Batch, int InChannels, int InH, int InW, int OutChannels, int OutH, int OutW, Window2d Window, int Group = 1)
{
    public int InChannelsPerGroup => InChannels / Group;
    public int OutChannelsPerGroup => OutChannels / Group;

    /// <summary>Weights per output channel, the K of the convolution's matrix product: (InChannels / Group)·kH·kW.</summary>
    public int ReductionLength => InChannelsPerGroup * Window.KernelH * Window.KernelW;

    public bool IsDepthwise => Group > 1 && Group == InChannels && Group == OutChannels;

    /// <summary>A 1×1 convolution with stride 1 and no padding: the input itself is the B matrix of the product.</summary>
    public bool IsPointwise => Window is { KernelH: 1, KernelW: 1, StrideH: 1, StrideW: 1, PadTop: 0, PadLeft: 0, PadBottom: 0, PadRight: 0 };

    public int InputLength => Batch * InChannels * InH * InW;
    public int OutputLength => Batch * OutChannels * OutH * OutW;

    /// <summary>The shape of <paramref name="node"/> applied to an input of shape <paramref name="input"/>.</summary>
    public static ConvShape Of(ConvNode node, TensorShape input)
    {
        var (h, w) = node.Window.OutputSize(input[2], input[3], node.Name);
        return new ConvShape(input[0], input[1], input[2], input[3], node.OutChannels, h, w, node.Window, node.Group);
    }
}
