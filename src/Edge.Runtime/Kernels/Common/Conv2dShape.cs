using Edge.Core.Shapes;

namespace Edge.Runtime.Kernels;

/// <summary>
/// The sizes of a 2-D convolution on NHWC int8 tensors: input [Batch, InH, InW, InChannels], output
/// [Batch, OutH, OutW, OutChannels], <see cref="Group"/> groups of <see cref="InChannelsPerGroup"/> input and
/// <see cref="OutChannelsPerGroup"/> output channels. The output size follows <see cref="Window2d.OutputSize"/>.
/// </summary>
public readonly record struct Conv2dShape
{
    public Conv2dShape(int batch, int inH, int inW, int inChannels, int outChannels, Window2d window, int group = 1)
    {
        Guard.Positive(batch, nameof(batch));
        Guard.Positive(inChannels, nameof(inChannels));
        Guard.Positive(outChannels, nameof(outChannels));
        Guard.Positive(group, nameof(group));
        if (inChannels % group != 0 || outChannels % group != 0)
            throw new ArgumentException($"group {group} must divide {inChannels} input and {outChannels} output channels");
        (Batch, InH, InW, InChannels, OutChannels, Window, Group) = (batch, inH, inW, inChannels, outChannels, window, group);
        (OutH, OutW) = window.OutputSize(inH, inW);
    }

    public int Batch { get; }
    public int InH { get; }
    public int InW { get; }
    public int InChannels { get; }
    public int OutChannels { get; }
    public Window2d Window { get; }
    public int Group { get; }
    public int OutH { get; }
    public int OutW { get; }

    public int InChannelsPerGroup => InChannels / Group;
    public int OutChannelsPerGroup => OutChannels / Group;

    /// <summary>Weights per output channel, K = KernelH·KernelW·InChannelsPerGroup.</summary>
    public int KernelLength => Window.KernelH * Window.KernelW * InChannelsPerGroup;

    /// <summary>One filter per channel: Group == InChannels == OutChannels.</summary>
    public bool IsDepthwise => Group == InChannels && Group == OutChannels;

    public int InputLength => Batch * InH * InW * InChannels;
    public int OutputLength => Batch * OutH * OutW * OutChannels;

    public override string ToString()
        => $"N{Batch} {InH}x{InW}x{InChannels} → {OutH}x{OutW}x{OutChannels} {Window}{(Group != 1 ? $" g{Group}" : "")}";
}
