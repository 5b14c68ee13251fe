using Edge.Core.Errors;
using Edge.Core.Graph;
using Edge.Core.Graph.Nodes;
using Edge.Core.Tensors;
using Edge.Reference.Kernels;

namespace Edge.Reference.Execution;

/// <summary>Runs one node of the IR with its float kernel: reads shapes and constants off the node, spans off the tensor set.</summary>
internal static class NodeRunner
{
    /// <summary>Throws a <see cref="GraphValidationException"/> naming the node when no kernel handles its type.</summary>
    public static void CheckSupported(Node node)
    {
        if (node is ConvNode or GemmNode or BatchNormNode or UnaryElementwiseNode or MaxPoolNode or AveragePoolNode
            or GlobalAveragePoolNode or FlattenNode or ReshapeNode or DropoutNode or IdentityNode or AddNode or MulNode
            or ConcatNode or SoftmaxNode or LrnNode or PadNode
            or BroadcastMulNode or AddConstantNode or TransposeNode or ChannelShuffleNode or SliceNode or GlobalMaxPoolNode or UpsampleNearestNode) return;
        throw new GraphValidationException(node.Name, $"the float reference path has no kernel for {node.OpType} ({node.GetType().Name})");
    }

    /// <summary>Scratch floats the node's kernel needs (only convolutions need any).</summary>
    public static int ScratchLength(Node node, TensorSet t)
        => node is ConvNode conv ? Conv2dFloat.ScratchLength(ConvShape.Of(conv, t.Shape(conv.Input))) : 0;

    public static void Run(Node node, TensorSet t, Span<float> scratch)
    {
        switch (node)
        {
            case ConvNode n:
                Conv2dFloat.Run(ConvShape.Of(n, t.Shape(n.Input)), t.Data(n.Input), n.Weight.Data, Data(n.Bias), n.Clamp, t.Data(n.Output), scratch);
                break;
            case GemmNode n:
                GemmFloat.Run(t.Shape(n.Input)[0], n.InFeatures, n.OutFeatures, t.Data(n.Input), n.Weight.Data, Data(n.Bias), n.Clamp, t.Data(n.Output));
                break;
            case BatchNormNode n:
            {
                var x = t.Shape(n.Input);
                BatchNormFloat.Run(x[0], x[1], PlaneSize(x), t.Data(n.Input), n.Scale.Data, n.Bias.Data, n.Mean.Data, n.Variance.Data, n.Epsilon, t.Data(n.Output));
                break;
            }
            case UnaryElementwiseNode n:
                UnaryElementwiseFloat.Run(n, t.Data(n.Input), t.Data(n.Output));
                break;
            case MaxPoolNode n:
                MaxPoolFloat.Run(PoolShape(n, t), t.Data(n.Input), t.Data(n.Output));
                break;
            case AveragePoolNode n:
                AveragePoolFloat.Run(PoolShape(n, t), n.CountIncludePad, t.Data(n.Input), t.Data(n.Output));
                break;
            case GlobalAveragePoolNode n:
            {
                var x = t.Shape(n.Input);
                GlobalAveragePoolFloat.Run(x[0] * x[1], PlaneSize(x), t.Data(n.Input), t.Data(n.Output));
                break;
            }
            case FlattenNode or ReshapeNode or DropoutNode or IdentityNode:
                t.Data(node.Input).CopyTo(t.Data(node.Output));
                break;
            case AddNode n:
                AddFloat.Run(t.Data(n.Inputs[0]), t.Shape(n.Inputs[0]), t.Data(n.Inputs[1]), t.Shape(n.Inputs[1]), t.Data(n.Output), t.Shape(n.Output), n.Clamp);
                break;
            case MulNode n:
                MulFloat.Run(t.Data(n.Input), t.Shape(n.Input), n.Scale.Data, n.Scale.Shape, t.Data(n.Output));
                break;
            case ConcatNode n:
                RunConcat(n, t);
                break;
            case SoftmaxNode n:
            {
                var x = t.Shape(n.Input);
                int axis = n.Axis < 0 ? n.Axis + x.Rank : n.Axis;
                SoftmaxFloat.Run(Product(x, 0, axis), x[axis], Product(x, axis + 1, x.Rank), t.Data(n.Input), t.Data(n.Output));
                break;
            }
            case LrnNode n:
            {
                var x = t.Shape(n.Input);
                LrnFloat.Run(x[0], x[1], PlaneSize(x), n.Size, n.Alpha, n.Beta, n.Bias, t.Data(n.Input), t.Data(n.Output));
                break;
            }
            case PadNode n:
                PadFloat.Run(t.Data(n.Input), t.Shape(n.Input), n.Pads, n.Value, t.Data(n.Output), t.Shape(n.Output));
                break;
            case BroadcastMulNode n:
                MulFloat.RunBroadcast(t.Data(n.Inputs[0]), t.Shape(n.Inputs[0]), t.Data(n.Inputs[1]), t.Shape(n.Inputs[1]), t.Data(n.Output), t.Shape(n.Output));
                break;
            case AddConstantNode n:
                AddFloat.Run(t.Data(n.Input), t.Shape(n.Input), n.Bias.Data, n.Bias.Shape, t.Data(n.Output), t.Shape(n.Output), Core.Graph.FusedClamp.None);
                break;
            case TransposeNode n:
                ChannelMovesFloat.Transpose(t.Data(n.Input), t.Shape(n.Input), n.Perm, t.Data(n.Output));
                break;
            case ChannelShuffleNode n:
                ChannelMovesFloat.ChannelShuffle(t.Data(n.Input), t.Shape(n.Input), n.Groups, t.Data(n.Output));
                break;
            case SliceNode n:
                ChannelMovesFloat.Slice(t.Data(n.Input), t.Shape(n.Input), n.BeginOf(t.Shape(n.Input).Rank), t.Data(n.Output), t.Shape(n.Output));
                break;
            case GlobalMaxPoolNode n:
            {
                var x = t.Shape(n.Input);
                GlobalMaxPoolFloat.Run(x[0] * x[1], PlaneSize(x), t.Data(n.Input), t.Data(n.Output));
                break;
            }
            case UpsampleNearestNode n:
            {
                var x = t.Shape(n.Input);
                UpsampleNearestFloat.Run(x[0] * x[1], x[2], x[3], n.ScaleH, n.ScaleW, t.Data(n.Input), t.Data(n.Output));
                break;
            }
            default:
                CheckSupported(node);
                throw new InvalidOperationException($"{node} passed the kernel check but has no case"); // unreachable unless the two lists disagree
        }
    }

    private static void RunConcat(ConcatNode n, TensorSet t)
    {
        var y = t.Shape(n.Output);
        int axis = n.NormalizeAxis(y.Rank), outer = Product(y, 0, axis), inner = Product(y, axis + 1, y.Rank), offset = 0;
        var output = t.Data(n.Output);
        foreach (var input in n.Inputs)
        {
            int row = t.Shape(input)[axis] * inner;
            ConcatFloat.CopyInto(t.Data(input), outer, row, output, y[axis] * inner, offset);
            offset += row;
        }
    }

    private static PoolShape PoolShape(PoolNode n, TensorSet t)
    {
        TensorShape x = t.Shape(n.Input), y = t.Shape(n.Output);
        return new PoolShape(x[0] * x[1], x[2], x[3], y[2], y[3], n.Window);
    }

    /// <summary>Elements per (item, channel): the product of the dimensions after axis 1.</summary>
    private static int PlaneSize(TensorShape s) => Product(s, 2, s.Rank);

    private static int Product(TensorShape s, int from, int to)
    {
        long p = 1;
        for (int i = from; i < to; i++) p *= s[i];
        return checked((int)p);
    }

    private static ReadOnlySpan<float> Data(ConstantTensor? c) => c is null ? ReadOnlySpan<float>.Empty : c.Data;
}
