using Edge.Core.Graph;
using Edge.Core.Graph.Nodes;
using Edge.Core.Shapes;
using Edge.Core.Tensors;

namespace Edge.Quantization.Passes;

/// <summary>
/// Folds a constant Pad of the two spatial axes into the window of the Conv or pool that alone reads it. This is how
/// asymmetric padding written as <c>F.pad</c> / <c>ZeroPad2d</c> reaches the convolution as its four pads.
/// <list type="bullet">
/// <item>Conv: a zero pad, always (convolution pads with zeros).</item>
/// <item>AveragePool: a zero pad when the padded zeros stay counted, i.e. the pool counts its own padding
/// (count_include_pad) or has none; the result counts padding. The pads must stay within half the kernel.</item>
/// <item>MaxPool: only a −∞ pad (max pooling's padding never wins; a zero pad can).</item>
/// </list>
/// A fold is kept only when the consumer's output shape does not change (ceil mode treats padding differently from data).
/// </summary>
public sealed class FoldPadIntoWindow : IGraphPass
{
    public string Name => "fold-pad";

    public IReadOnlyList<GraphChange> Apply(ModelGraph graph)
    {
        var changes = new List<GraphChange>();
        var shapes = graph.InferShapes(1);
        foreach (var pad in graph.Nodes.OfType<PadNode>().ToList())
        {
            if (pad.Pads.Length != 8 || pad.Pads[0] != 0 || pad.Pads[1] != 0 || pad.Pads[4] != 0 || pad.Pads[5] != 0) continue;
            var consumer = GraphEdits.SoleConsumer(graph, pad.Output);
            if (consumer is null) continue;
            int top = pad.Pads[2], left = pad.Pads[3], bottom = pad.Pads[6], right = pad.Pads[7];
            Window2d Widen(Window2d w) => w with { PadTop = w.PadTop + top, PadLeft = w.PadLeft + left, PadBottom = w.PadBottom + bottom, PadRight = w.PadRight + right };

            bool folded = false;
            switch (consumer)
            {
                case ConvNode conv when pad.Value == 0:
                    folded = TryFold(conv, w => conv.Window = w, Widen(conv.Window), pad, shapes, graph);
                    break;
                case AveragePoolNode avg when pad.Value == 0 && (avg.CountIncludePad || !HasPadding(avg.Window)) && WithinHalfKernel(Widen(avg.Window)):
                {
                    bool include = avg.CountIncludePad;
                    avg.CountIncludePad = true;
                    folded = TryFold(avg, w => avg.Window = w, Widen(avg.Window), pad, shapes, graph);
                    if (!folded) avg.CountIncludePad = include;
                    break;
                }
                case MaxPoolNode max when float.IsNegativeInfinity(pad.Value) && WithinHalfKernel(Widen(max.Window)):
                    folded = TryFold(max, w => max.Window = w, Widen(max.Window), pad, shapes, graph);
                    break;
            }
            if (folded)
            {
                changes.Add(new GraphChange(Name, consumer.Name, $"folded Pad '{pad.Name}' [t{top} l{left} b{bottom} r{right}] into {consumer.OpType} '{consumer.Name}'",
                    $"Pad [t{top} l{left} b{bottom} r{right}] folded"));
            }
        }
        return changes;
    }

    /// <summary>Gives <paramref name="consumer"/> the widened window and removes the Pad, when the output shape stays.</summary>
    private static bool TryFold(Node consumer, Action<Window2d> setWindow, Window2d widened, PadNode pad,
        IReadOnlyDictionary<string, TensorShape> shapes, ModelGraph graph)
    {
        var input = shapes[pad.Input];
        var (h, w) = widened.OutputSize(input[2], input[3]);
        var expected = shapes[consumer.Output];
        if (h != expected[2] || w != expected[3]) return false;
        setWindow(widened);
        consumer.Inputs[0] = pad.Input;
        graph.Nodes.Remove(pad);
        return true;
    }

    private static bool HasPadding(Window2d w) => w.PadTop != 0 || w.PadLeft != 0 || w.PadBottom != 0 || w.PadRight != 0;

    private static bool WithinHalfKernel(Window2d w)
        => w.PadTop <= w.KernelH / 2 && w.PadBottom <= w.KernelH / 2 && w.PadLeft <= w.KernelW / 2 && w.PadRight <= w.KernelW / 2;
}
