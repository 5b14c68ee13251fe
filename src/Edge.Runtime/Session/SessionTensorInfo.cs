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

/// <summary>
/// The input's preprocessing as recorded in the model: the network consumes <c>(pixel/255 − Mean[c]) / Std[c]</c>.
/// <see cref="Normalize(float, float, float)"/> and <see cref="Luma"/> are the one statement of the image formulas: the
/// session's image path and Edge.Vision's <c>InputNormalization</c> both call them, so the two agree bit for bit.
/// </summary>
public sealed record SessionNormalization(float[] Mean, float[] Std, EdgeChannelOrder ChannelOrder)
{
    public float MeanOf(int channel) => Mean.Length == 1 ? Mean[0] : Mean[channel];
    public float StdOf(int channel) => Std.Length == 1 ? Std[0] : Std[channel];

    /// <summary>The network's value of <paramref name="pixel"/> (in [0, 255]) in channel <paramref name="channel"/>.</summary>
    public float Normalize(float pixel, int channel) => Normalize(pixel, MeanOf(channel), StdOf(channel));

    /// <summary>
    /// <c>(pixel/255 − mean)/std</c>: the float32 operations of torchvision's <c>ToTensor</c> then <c>Normalize</c>, in their order.
    /// </summary>
    public static float Normalize(float pixel, float mean, float std) => (pixel / 255f - mean) / std;

    /// <summary>The ITU-R BT.601 luma of an 8-bit RGB pixel: how an RGB image feeds a gray network.</summary>
    public static float Luma(byte r, byte g, byte b) => 0.299f * r + 0.587f * g + 0.114f * b;
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
