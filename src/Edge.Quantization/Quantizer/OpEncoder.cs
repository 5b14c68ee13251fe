using Edge.Core.Graph;
using Edge.Core.Graph.Nodes;
using Edge.Core.Shapes;
using Edge.Core.Tensors;
using Edge.Runtime.Arithmetic;
using Edge.Runtime.Format;

namespace Edge.Quantization.Quantizer;

/// <summary>
/// One node of the plan as one <see cref="EdgeOp"/>, with the ints, floats and blobs docs/edge-format.md fixes per
/// operator type — the int8 layouts, or, for a node kept in float, the float layouts ("Float operators").
/// </summary>
internal static class OpEncoder
{
    public static void Emit(EdgeModelEmitter e, NodePlan np)
    {
        var node = np.Node;
        bool f = np.IsFloat;
        var plan = e.Plan;
        IReadOnlyList<string> operands = node is BroadcastMulNode ? MulOperands(plan, node) : node.Inputs;
        var inputs = operands.Select(i => e.Read(i, asFloat: f)).ToArray();
        int output = e.Produce(node.Output);
        var x = plan.Tensors[node.Input];
        var y = plan.Tensors[node.Output];
        EdgeOp Op(EdgeOpType type, int[]? ints = null, float[]? floats = null, EdgeBlob[]? blobs = null)
            => new(type, node.Name, inputs, [output], ints, floats, blobs);

        e.AddOp(node switch
        {
            ConvNode conv => f
                ? Op(EdgeOpType.Conv2d, [.. Geometry(conv.Window), conv.Group], ClampFloats(conv.Clamp), FloatWeights(conv))
                : Op(EdgeOpType.Conv2d, [.. Geometry(conv.Window), conv.Group, np.Clamp.Min, np.Clamp.Max], null, Int8Weights(conv, np)),
            GemmNode gemm => f
                ? Op(EdgeOpType.Gemm, [], ClampFloats(gemm.Clamp), FloatWeights(gemm, x.Order))
                : Op(EdgeOpType.Gemm, [np.Clamp.Min, np.Clamp.Max], null, Int8Weights(gemm, np, x.Order)),
            MaxPoolNode max => Op(EdgeOpType.MaxPool, [.. Geometry(max.Window), max.Window.CeilMode ? 1 : 0]),
            AveragePoolNode avg => Op(EdgeOpType.AveragePool, [.. Geometry(avg.Window)[..8], avg.Window.CeilMode ? 1 : 0, avg.CountIncludePad ? 1 : 0]),
            GlobalAveragePoolNode => Op(EdgeOpType.GlobalAveragePool),
            AddNode add => f
                ? Op(EdgeOpType.Add, [], ClampFloats(add.Clamp))
                : Op(EdgeOpType.Add, [.. Pairs(np.Multipliers!), np.Clamp.Min, np.Clamp.Max]),
            ConcatNode concat => f
                ? Op(EdgeOpType.Concat, [Axis(concat.NormalizeAxis(y.Shape.Rank), y)])
                : Op(EdgeOpType.Concat, [Axis(concat.NormalizeAxis(y.Shape.Rank), y), .. Pairs(np.Multipliers!)]),
            UnaryElementwiseNode fn when f => FloatActivation(fn, Op),
            UnaryElementwiseNode fn => Op(EdgeOpType.Lookup, blobs: [EdgeBlob.FromInt8([256], LookupTables.Build(fn, x.Params, y.Params))]),
            PadNode pad => f
                ? Op(EdgeOpType.Pad, NhwcPads(pad.Pads), [pad.Value])
                : Op(EdgeOpType.Pad, [.. NhwcPads(pad.Pads), x.Params.Quantize(pad.Value)]),
            SoftmaxNode softmax => Op(EdgeOpType.Softmax, [Axis(softmax.Axis, y)]),
            LrnNode lrn => Op(EdgeOpType.Lrn, [lrn.Size], [lrn.Alpha, lrn.Beta, lrn.Bias]),
            _ when QuantizationPlan.IsView(node) => Op(EdgeOpType.Reshape),
            BroadcastMulNode => f
                ? Op(EdgeOpType.Mul)
                : Op(EdgeOpType.Mul, [.. Pairs(np.Multipliers!), np.Clamp.Min, np.Clamp.Max]),
            GlobalMaxPoolNode => Op(EdgeOpType.GlobalMaxPool),
            ChannelShuffleNode shuffle => Op(EdgeOpType.ChannelShuffle, [shuffle.Groups]),
            SliceNode slice => Op(EdgeOpType.Slice, NhwcBegin(slice.BeginOf(x.Shape.Rank))),
            UpsampleNearestNode up => Op(EdgeOpType.UpsampleNearest, [up.ScaleH, up.ScaleW]),
            _ => throw new ConversionException(node.Name, $"{node.OpType} has no .edge operator"),
        });
    }

    /// <summary>kh, kw, sh, sw, pt, pl, pb, pr, dh, dw (as <see cref="Window2d"/>).</summary>
    private static int[] Geometry(Window2d w)
        => [w.KernelH, w.KernelW, w.StrideH, w.StrideW, w.PadTop, w.PadLeft, w.PadBottom, w.PadRight, w.DilationH, w.DilationW];

    private static int Axis(int axis, TensorPlan t) => NhwcLayout.Axis(axis, t.Shape.Rank);

    /// <summary>The Mul's inputs in the .edge order: the full operand, then the one that repeats over it.</summary>
    private static string[] MulOperands(QuantizationPlan plan, Node mul)
    {
        var (full, repeating) = plan.MulOperands(mul);
        return [full, repeating ?? throw new ConversionException(mul.Name, "Mul operands do not broadcast as the int8 Mul needs")];
    }

    /// <summary>An NCHW begin [n, c, h, w] as NHWC [n, h, w, c]; a rank-2 begin unchanged.</summary>
    private static int[] NhwcBegin(int[] b) => b.Length == 4 ? [b[0], b[2], b[3], b[1]] : b;

    /// <summary>ONNX pads [n0, c0, h0, w0, n1, c1, h1, w1] in NHWC order [n0, h0, w0, c0, n1, h1, w1, c1].</summary>
    private static int[] NhwcPads(int[] p) => [p[0], p[2], p[3], p[1], p[4], p[6], p[7], p[5]];

    private static float[] ClampFloats(FusedClamp c) => [c.Min, c.Max];

    /// <summary>M, n per multiplier; a null multiplier (a plain copy) is written as 0, 0.</summary>
    private static int[] Pairs(QuantizedMultiplier?[] multipliers)
        => multipliers.SelectMany(m => m is { } q ? new[] { q.Multiplier, q.Shift } : [0, 0]).ToArray();

    private static EdgeBlob[] Int8Weights(ConvNode conv, NodePlan np)
    {
        var w = np.Weights!;
        int oc = conv.OutChannels, icg = conv.InChannelsPerGroup, kh = conv.Window.KernelH, kw = conv.Window.KernelW;
        return [EdgeBlob.FromInt8([oc, kh, kw, icg], NhwcLayout.ConvWeights<sbyte>(w.Values, oc, icg, kh, kw)), .. Requantization(np)];
    }

    private static EdgeBlob[] Int8Weights(GemmNode gemm, NodePlan np, FlatOrder? order)
    {
        var w = np.Weights!;
        var values = order is null ? w.Values : NhwcLayout.GemmColumnsToHwc<sbyte>(w.Values, gemm.OutFeatures, order);
        return [EdgeBlob.FromInt8([gemm.OutFeatures, gemm.InFeatures], values), .. Requantization(np)];
    }

    /// <summary>bias int32 [OC], M int32 [OC], n int32 [OC], weight scales f32 [OC].</summary>
    private static EdgeBlob[] Requantization(NodePlan np)
    {
        int oc = np.Weights!.Channels;
        var m = np.Multipliers!.Select(q => q!.Value).ToArray();
        return
        [
            EdgeBlob.FromInt32([oc], np.Bias),
            EdgeBlob.FromInt32([oc], m.Select(q => q.Multiplier).ToArray()),
            EdgeBlob.FromInt32([oc], m.Select(q => q.Shift).ToArray()),
            EdgeBlob.FromFloat32([oc], np.Weights.Scales),
        ];
    }

    private static EdgeBlob[] FloatWeights(ConvNode conv)
    {
        int oc = conv.OutChannels, icg = conv.InChannelsPerGroup, kh = conv.Window.KernelH, kw = conv.Window.KernelW;
        return [EdgeBlob.FromFloat32([oc, kh, kw, icg], NhwcLayout.ConvWeights<float>(conv.Weight.Data, oc, icg, kh, kw)), FloatBias(conv.Bias, oc)];
    }

    private static EdgeBlob[] FloatWeights(GemmNode gemm, FlatOrder? order)
    {
        var w = order is null ? gemm.Weight.Data : NhwcLayout.GemmColumnsToHwc<float>(gemm.Weight.Data, gemm.OutFeatures, order);
        return [EdgeBlob.FromFloat32([gemm.OutFeatures, gemm.InFeatures], w), FloatBias(gemm.Bias, gemm.OutFeatures)];
    }

    private static EdgeBlob FloatBias(ConstantTensor? bias, int channels) => EdgeBlob.FromFloat32([channels], bias?.Data ?? new float[channels]);

    private static EdgeOp FloatActivation(UnaryElementwiseNode fn, Func<EdgeOpType, int[]?, float[]?, EdgeBlob[]?, EdgeOp> op)
    {
        var (kind, parameters) = LookupTables.FloatActivation(fn);
        return op(EdgeOpType.FloatActivation, [(int)kind], parameters, null);
    }
}
