using Edge.Core.Shapes;

namespace Edge.Onnx.OpMapping;

/// <summary>
/// The sliding-window attributes shared by Conv, MaxPool and AveragePool — strides, dilations, pads, auto_pad,
/// ceil_mode — read into a <see cref="Window2d"/>. ONNX pads are [top, left, bottom, right] for 2-D windows.
/// </summary>
internal static class WindowAttributes
{
    public static Window2d Read(OnnxNode node, int kernelH, int kernelW, string input, bool allowCeilMode, bool allowDilations)
    {
        var a = node.Attributes;
        var strides = Pair(node, "strides");
        var dilations = Pair(node, "dilations");
        if (!allowDilations && (dilations[0] != 1 || dilations[1] != 1)) throw node.Unsupported("dilations are not supported by this operator");
        bool ceilMode = a.Int("ceil_mode", 0) != 0;
        if (ceilMode && !allowCeilMode) throw node.Error("ceil_mode is not an attribute of this operator");

        string autoPad = a.String("auto_pad", "NOTSET");
        int[] pads = autoPad switch
        {
            "NOTSET" => ExplicitPads(node),
            "VALID" => [0, 0, 0, 0],
            "SAME_UPPER" or "SAME_LOWER" => SamePads(node, input, [kernelH, kernelW], strides, dilations, upper: autoPad == "SAME_UPPER"),
            _ => throw node.Error($"auto_pad '{autoPad}' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER"),
        };
        return new Window2d(kernelH, kernelW, strides[0], strides[1], pads[0], pads[1], pads[2], pads[3],
            dilations[0], dilations[1], ceilMode && (autoPad is "NOTSET" or "VALID"));
    }

    /// <summary>The kernel_shape of a pooling node: required, two positive values.</summary>
    public static (int H, int W) PoolKernel(OnnxNode node)
    {
        var k = node.Attributes.SmallInts("kernel_shape") ?? throw node.Error("attribute 'kernel_shape' is required");
        if (k.Length != 2) throw node.Unsupported($"only 2-D pooling is supported, kernel_shape is [{string.Join(", ", k)}]");
        if (k[0] <= 0 || k[1] <= 0) throw node.Error($"kernel_shape [{k[0]}, {k[1]}] must be positive");
        return (k[0], k[1]);
    }

    private static int[] Pair(OnnxNode node, string name)
    {
        var v = node.Attributes.SmallInts(name) ?? [1, 1];
        if (v.Length != 2) throw node.Unsupported($"{name} [{string.Join(", ", v)}] must have 2 values (a 2-D window)");
        if (v[0] <= 0 || v[1] <= 0) throw node.Error($"{name} [{v[0]}, {v[1]}] must be positive");
        return v;
    }

    private static int[] ExplicitPads(OnnxNode node)
    {
        var p = node.Attributes.SmallInts("pads") ?? [0, 0, 0, 0];
        if (p.Length != 4) throw node.Unsupported($"pads [{string.Join(", ", p)}] must have 4 values (a 2-D window)");
        if (p.Any(v => v < 0)) throw node.Unsupported($"negative pads [{string.Join(", ", p)}] are not supported");
        return p;
    }

    /// <summary>
    /// SAME_UPPER / SAME_LOWER: the output is ceil(in / stride) and the padding needed for it is split evenly, the odd
    /// element going to the end (UPPER) or the beginning (LOWER). Needs the input's static height and width.
    /// </summary>
    private static int[] SamePads(OnnxNode node, string input, int[] kernel, int[] strides, int[] dilations, bool upper)
    {
        var ctx = node.Context;
        var shape = ctx.ShapeOf(input);
        if (shape.Rank != 4) throw node.Error($"auto_pad SAME needs an NCHW input, got {shape}");
        var pads = new int[4];
        for (int axis = 0; axis < 2; axis++)
        {
            if (ctx.DependsOnBatch(input, axis + 2)) throw node.Unsupported($"auto_pad SAME needs a static input size, dimension {axis + 2} of {shape} changes with the batch");
            int size = shape[axis + 2];
            int output = (size + strides[axis] - 1) / strides[axis];
            int effective = dilations[axis] * (kernel[axis] - 1) + 1;
            int total = Math.Max(0, (output - 1) * strides[axis] + effective - size);
            int small = total / 2, large = total - small;
            pads[axis] = upper ? small : large;
            pads[axis + 2] = upper ? large : small;
        }
        return pads;
    }
}
