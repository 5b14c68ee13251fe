namespace Edge.Runtime.Format;

/// <summary>
/// Operator types of the <c>.edge</c> format. Values are part of the file format: never renumber, only append.
/// Parameter layouts are in docs/edge-format.md.
/// </summary>
public enum EdgeOpType : ushort
{
    /// <summary>Convolution, including grouped and depthwise (group == in == out channels).</summary>
    Conv2d = 1,
    Gemm = 2,
    MaxPool = 3,
    AveragePool = 4,
    GlobalAveragePool = 5,
    Add = 6,
    Concat = 7,

    /// <summary>An element-wise non-linearity as a 256-entry table.</summary>
    Lookup = 8,
    Pad = 9,
    Softmax = 10,
    Lrn = 11,

    /// <summary>A view with another shape over the same bytes (Flatten, Reshape).</summary>
    Reshape = 12,

    /// <summary>Float32 → int8 with the output tensor's parameters.</summary>
    Quantize = 13,

    /// <summary>Int8 → float32 with the input tensor's parameters.</summary>
    Dequantize = 14,

    /// <summary>Int8 → int8 with other parameters.</summary>
    Rescale = 15,

    /// <summary>
    /// A float32 element-wise activation (a node kept in float by the converter): ints [kind], floats its parameters
    /// (docs/edge-format.md, "Float operators").
    /// </summary>
    FloatActivation = 16,

    /// <summary>Product of two tensors, the second of the first's shape, one value per channel, or a scalar (squeeze-excitation gates).</summary>
    Mul = 17,

    /// <summary>Per-channel maximum over H×W.</summary>
    GlobalMaxPool = 18,

    /// <summary>ShuffleNet's channel permutation (ints [groups]).</summary>
    ChannelShuffle = 19,

    /// <summary>A box of the input (ints: the begin of each axis); ShuffleNet's channel split.</summary>
    Slice = 20,

    /// <summary>Nearest upsampling by integer factors (ints [sh, sw]).</summary>
    UpsampleNearest = 21,
}

/// <summary>The function of a <see cref="EdgeOpType.FloatActivation"/> op (its first int). Part of the format: never renumber.</summary>
public enum EdgeActivationKind
{
    /// <summary>max(x, 0).</summary>
    Relu = 0,

    /// <summary>min(max(x, floats[0]), floats[1]).</summary>
    Clip = 1,

    /// <summary>x ≥ 0 ? x : floats[0]·x.</summary>
    LeakyRelu = 2,

    /// <summary>1 / (1 + e^−x).</summary>
    Sigmoid = 3,

    /// <summary>tanh(x).</summary>
    Tanh = 4,

    /// <summary>x &gt; 0 ? x : floats[0]·(e^x − 1).</summary>
    Elu = 5,

    /// <summary>clamp(floats[0]·x + floats[1], 0, 1).</summary>
    HardSigmoid = 6,

    /// <summary>x·clamp(x + 3, 0, 6)/6.</summary>
    HardSwish = 7,

    /// <summary>x·(1 / (1 + e^−x)) (SiLU, Swish).</summary>
    Silu = 8,
}
