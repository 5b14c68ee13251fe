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
}
