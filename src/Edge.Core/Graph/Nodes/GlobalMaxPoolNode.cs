using Edge.Core.Tensors;

namespace Edge.Core.Graph.Nodes;

/// <summary>Maximum over H×W of each channel: [N, C, H, W] → [N, C, 1, 1] (ONNX GlobalMaxPool, or ReduceMax over H, W).</summary>
public sealed class GlobalMaxPoolNode(string name, string input, string output) : Node(name, [input], [output])
{
    public override string OpType => "GlobalMaxPool";

    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        ExpectInputs(inputs, 1, 3);
        var d = inputs[0].ToArray();
        for (int i = 2; i < d.Length; i++) d[i] = 1;
        return [new TensorShape(d)];
    }
}

/// <summary>
/// Nearest-neighbour upsampling of an NCHW tensor by integer factors (ONNX Resize with mode nearest and integer scales,
/// nn.Upsample(scale_factor=2)): <c>y[n, c, i, j] = x[n, c, ⌊i / ScaleH⌋, ⌊j / ScaleW⌋]</c>. For integer factors every
/// coordinate mode but align_corners gives this map.
/// </summary>
public sealed class UpsampleNearestNode(string name, string input, string output, int scaleH, int scaleW) : Node(name, [input], [output])
{
    public override string OpType => "Resize";
    public int ScaleH { get; set; } = scaleH;
    public int ScaleW { get; set; } = scaleW;

    public override void Validate()
    {
        if (ScaleH <= 0 || ScaleW <= 0 || ScaleH > 64 || ScaleW > 64) throw Invalid($"scales {ScaleH}x{ScaleW} must be integers in 1..64");
        base.Validate();
    }

    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        ExpectInputs(inputs, 1, 4);
        var x = inputs[0];
        if (x.Rank != 4) throw BadShape($"Resize nearest expects an NCHW input, got {x}");
        long h = (long)x[2] * ScaleH, w = (long)x[3] * ScaleW;
        if (h > int.MaxValue || w > int.MaxValue) throw BadShape($"upsampling {x} by {ScaleH}x{ScaleW} overflows");
        return [new TensorShape(x[0], x[1], (int)h, (int)w)];
    }

    public override string DescribeAttributes() => $"nearest x{ScaleH}x{ScaleW}";
}
