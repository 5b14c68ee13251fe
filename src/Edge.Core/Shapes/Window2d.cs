using Edge.Core.Errors;

namespace Edge.Core.Shapes;

/// <summary>
/// The 2-D sliding window shared by Conv, MaxPool and AveragePool: kernel, strides, dilations and the four pads,
/// which may differ on each side (ONNX <c>pads</c> = [top, left, bottom, right]).
/// </summary>
public readonly record struct Window2d(
    int KernelH, int KernelW,
    int StrideH = 1, int StrideW = 1,
    int PadTop = 0, int PadLeft = 0, int PadBottom = 0, int PadRight = 0,
    int DilationH = 1, int DilationW = 1,
    bool CeilMode = false)
{
    public bool IsSymmetricPadding => PadTop == PadBottom && PadLeft == PadRight;

    /// <summary>Output (height, width) for an input of <paramref name="h"/>×<paramref name="w"/>.</summary>
    public (int H, int W) OutputSize(int h, int w, string? nodeName = null)
    {
        try
        {
            return (ConvGeometry.OutputSize(h, KernelH, StrideH, PadTop, PadBottom, DilationH, CeilMode),
                    ConvGeometry.OutputSize(w, KernelW, StrideW, PadLeft, PadRight, DilationW, CeilMode));
        }
        catch (ShapeInferenceException e) when (nodeName is not null)
        {
            throw new ShapeInferenceException(nodeName, e.Message);
        }
    }

    public override string ToString()
    {
        var s = $"k{KernelH}x{KernelW} s{StrideH}x{StrideW}";
        if (PadTop != 0 || PadLeft != 0 || PadBottom != 0 || PadRight != 0)
            s += IsSymmetricPadding ? $" p{PadTop}x{PadLeft}" : $" p[{PadTop},{PadLeft},{PadBottom},{PadRight}]";
        if (DilationH != 1 || DilationW != 1) s += $" d{DilationH}x{DilationW}";
        if (CeilMode) s += " ceil";
        return s;
    }
}
