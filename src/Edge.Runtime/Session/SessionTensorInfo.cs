using Edge.Runtime.Arithmetic;
using Edge.Runtime.Format;

namespace Edge.Runtime.Session;

/// <summary>
/// A model input or output as a session sees it: the tensor's name and type, its shape as the runtime holds it (NHWC for
/// images: <see cref="NhwcShape"/>) and as the float model and the caller see it (NCHW: <see cref="LogicalShape"/>), and
/// for int8 tensors the quantization <c>real = Scale·(q − ZeroPoint)</c>.
/// </summary>
public sealed record SessionTensorInfo(string Name, EdgeDataType DataType, int[] NhwcShape, int[] LogicalShape, float Scale, int ZeroPoint)
{
    /// <summary>Elements in the tensor (the length of a span that holds it).</summary>
    public int ElementCount => (int)NhwcShape.Aggregate(1L, (a, d) => a * d);

    public QuantizationParams Quantization => new(Scale, ZeroPoint);

    /// <summary>Rank 4 tensors are NHWC in the runtime and NCHW for the caller; other ranks are the same in both.</summary>
    public bool IsImageLayout => NhwcShape.Length == 4;

    internal static SessionTensorInfo From(EdgeTensor t)
    {
        var s = t.Shape;
        int[] logical = s.Length == 4 ? [s[0], s[3], s[1], s[2]] : (int[])s.Clone();
        return new SessionTensorInfo(t.Name, t.DataType, (int[])s.Clone(), logical, t.Scale, t.ZeroPoint);
    }

    public override string ToString()
        => $"{Name} {DataType} NCHW [{string.Join(", ", LogicalShape)}] (NHWC [{string.Join(", ", NhwcShape)}])"
           + (DataType == EdgeDataType.Int8 ? $" s={Scale:g6} zp={ZeroPoint}" : "");
}

/// <summary>The input's preprocessing as recorded in the model: the network consumes <c>(pixel/255 − Mean[c]) / Std[c]</c>.</summary>
public sealed record SessionNormalization(float[] Mean, float[] Std, EdgeChannelOrder ChannelOrder)
{
    public float MeanOf(int channel) => Mean.Length == 1 ? Mean[0] : Mean[channel];
    public float StdOf(int channel) => Std.Length == 1 ? Std[0] : Std[channel];
}

/// <summary>One prepared operator, for reports: what runs, on which path, with which tensors.</summary>
/// <param name="Index">Position in execution order.</param>
/// <param name="Name">The operator's name (the float graph's node).</param>
/// <param name="Type">The .edge operator type.</param>
/// <param name="Kernel">The kernel, e.g. <c>Int8DepthwiseConv2d</c>; <c>view</c> for a Reshape (nothing runs).</param>
/// <param name="Path">The path the kernel runs: Scalar for kernels that have only their reference.</param>
/// <param name="Inputs">Model tensor indices read.</param>
/// <param name="Outputs">Model tensor indices written.</param>
/// <param name="WeightBytes">Bytes of constants (weights, bias, multipliers, tables) stored for the operator.</param>
/// <param name="ScratchBytes">Bytes of the shared scratch buffer the kernel needs.</param>
/// <param name="InPlace">The output shares the buffer of an input (an element-wise operator run in place, or a view).</param>
public sealed record SessionOperatorInfo(int Index, string Name, EdgeOpType Type, string Kernel, Kernels.KernelPath Path,
    int[] Inputs, int[] Outputs, long WeightBytes, int ScratchBytes, bool InPlace);
