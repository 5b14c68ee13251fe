using Edge.Core.Shapes;
using Edge.Core.Tensors;

namespace Edge.Core.Graph.Nodes;

/// <summary>A 2-D pooling window over each channel of an NCHW tensor.</summary>
public abstract class PoolNode : Node
{
    protected PoolNode(string name, string input, string output, Window2d window) : base(name, [input], [output]) => Window = window;

    public Window2d Window { get; set; }

    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        ExpectInputs(inputs, 1, 4);
        var x = inputs[0];
        if (x.Rank != 4) throw BadShape($"{OpType} expects an NCHW input, got {x}");
        var (h, w) = Window.OutputSize(x[2], x[3], Name);
        return [new TensorShape(x[0], x[1], h, w)];
    }

    public override void Validate()
    {
        // PyTorch's rule: padding at most half the kernel, so no window lies in padding alone.
        if (Window.PadTop > Window.KernelH / 2 || Window.PadBottom > Window.KernelH / 2 ||
            Window.PadLeft > Window.KernelW / 2 || Window.PadRight > Window.KernelW / 2)
        {
            throw Invalid($"padding {Window} exceeds half the kernel");
        }
        base.Validate();
    }

    public override string DescribeAttributes() => Window.ToString();
}

/// <summary>Max over each window; padding never wins (it counts as −∞).</summary>
public sealed class MaxPoolNode(string name, string input, string output, Window2d window) : PoolNode(name, input, output, window)
{
    public override string OpType => "MaxPool";
}

/// <summary>
/// Mean over each window. With <see cref="CountIncludePad"/> the divisor counts zero padding inside the padded input
/// (PyTorch's default); without it only real input elements are counted. Parts of a ceil-mode window that fall past
/// the padded input are never counted.
/// </summary>
public sealed class AveragePoolNode(string name, string input, string output, Window2d window, bool countIncludePad) : PoolNode(name, input, output, window)
{
    public override string OpType => "AveragePool";
    public bool CountIncludePad { get; set; } = countIncludePad;
    public override string DescribeAttributes() => base.DescribeAttributes() + (CountIncludePad ? " incl-pad" : "");
}

/// <summary>Mean over H×W of each channel: [N, C, H, W] → [N, C, 1, 1].</summary>
public sealed class GlobalAveragePoolNode(string name, string input, string output) : Node(name, [input], [output])
{
    public override string OpType => "GlobalAveragePool";

    public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs)
    {
        ExpectInputs(inputs, 1, 3);
        var d = inputs[0].ToArray();
        for (int i = 2; i < d.Length; i++) d[i] = 1;
        return [new TensorShape(d)];
    }
}
