using Edge.Core.Shapes;

namespace Edge.Reference.Kernels;

/// <summary>
/// The sizes of a 2-D pooling: <see cref="Planes"/> independent H×W planes (batch × channels of an NCHW tensor),
/// each [InH, InW] pooled to [OutH, OutW] by <see cref="Window"/>.
/// </summary>
public readonly record struct PoolShape(int Planes, int InH, int InW, int OutH, int OutW, Window2d Window)
{
    public int InputLength => Planes * InH * InW;
    public int OutputLength => Planes * OutH * OutW;

    internal void Check(int inputLength, int outputLength)
    {
        if (inputLength < InputLength) throw new ArgumentException($"input holds {inputLength} values, {this} needs {InputLength}");
        if (outputLength < OutputLength) throw new ArgumentException($"output holds {outputLength} values, {this} needs {OutputLength}");
    }

    /// <summary>The taps [Lo, Hi) of the window along H at output row <paramref name="oh"/> that land on real input.</summary>
    internal (int Lo, int Hi) RealTapsH(int oh) => IndexRange.Inside(Window.KernelH, Window.DilationH, oh * Window.StrideH - Window.PadTop, InH);

    /// <summary>The taps [Lo, Hi) of the window along W at output column <paramref name="ow"/> that land on real input.</summary>
    internal (int Lo, int Hi) RealTapsW(int ow) => IndexRange.Inside(Window.KernelW, Window.DilationW, ow * Window.StrideW - Window.PadLeft, InW);
}
