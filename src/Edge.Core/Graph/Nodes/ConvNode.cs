using Edge.Core.Shapes;
using Edge.Core.Tensors;

namespace Edge.Core.Graph.Nodes;

/// <summary>
/// 2-D convolution (cross-correlation, as PyTorch and ONNX define it), NCHW.
/// <see cref="Weight"/> is [outChannels, inChannels / Group, kH, kW]; <see cref="Bias"/> is [outChannels] or absent.
/// Group == inChannels == outChannels is a depthwise convolution. An activation may be fused as <see cref="Clamp"/>.
/// </summary>
public sealed class ConvNode : Node
{
    public ConvNode(string name, string input, string output, ConstantTensor weight, ConstantTensor? bias, Window2d window, int group = 1)
        : base(name, [input], [output])
    {
        Weight = weight;
        Bias = bias;
        Window = window;
        Group = group;
    }

    public override string OpType => "Conv";
    public ConstantTensor Weight { get; set; }
    public ConstantTensor? Bias { get; set; }
    public Window2d Window { get; set; }
    public int Group { get; set; }
    public FusedClamp Clamp { get; set; } = FusedClamp.None;

    public int OutChannels => Weight.Shape[0];
    public int InChannelsPerGroup => Weight.Shape[1];
    public int InChannels => InChannelsPerGroup * Group;
    public bool IsDepthwise => Group > 1 && Group == InChannels && Group == OutChannels;

    public override IEnumerable<ConstantTensor> Constants => Bias is null ? [Weight] : [Weight, Bias];

    public override void Validate()
    {
        if (Weight.Shape.Rank != 4) throw Invalid($"weight '{Weight.Name}' must be [out, in/group, kH, kW], got {Weight.Shape}");
        if (Group <= 0 || OutChannels % Group != 0) throw Invalid($"group {Group} must divide the {OutChannels} output channels");
        if (Weight.Shape[2] != Window.KernelH || Weight.Shape[3] != Window.KernelW)
            throw Invalid($"kernel_shape {Window.KernelH}x{Window.KernelW} disagrees with weight {Weight.Shape}");
        if (Bias is not null && (Bias.Shape.Rank != 1 || Bias.Length != OutChannels))
            throw Invalid($"bias '{Bias.Name}' must be [{OutChannels}], got {Bias.Shape}");
        base.Validate();
    }

    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        ExpectInputs(inputs, 1, 4);
        var x = inputs[0];
        if (x.Rank != 4) throw BadShape($"Conv expects an NCHW input, got {x}");
        if (x[1] != InChannels) throw BadShape($"input has {x[1]} channels, the weight {Weight.Shape} with group {Group} expects {InChannels}");
        var (h, w) = Window.OutputSize(x[2], x[3], Name);
        return [new TensorShape(x[0], OutChannels, h, w)];
    }

    public override long CountMacs(IReadOnlyList<TensorShape> inputs, IReadOnlyList<TensorShape> outputs)
        => outputs[0].ElementCount * InChannelsPerGroup * Window.KernelH * Window.KernelW;

    public override string DescribeAttributes()
        => $"{Window}{(Group != 1 ? $" g{Group}" : "")}{(Clamp.IsNone ? "" : $" +{Clamp}")}";
}
