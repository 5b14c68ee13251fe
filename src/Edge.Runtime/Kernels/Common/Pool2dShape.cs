using Edge.Core.Shapes;

namespace Edge.Runtime.Kernels;

/// <summary>
/// The sizes of a 2-D pooling on NHWC int8 tensors: input [Batch, InH, InW, Channels] to output
/// [Batch, OutH, OutW, Channels], the output size following <see cref="Window2d.OutputSize"/> (ceil mode included).
/// </summary>
public readonly record struct Pool2dShape
{
    public Pool2dShape(int batch, int inH, int inW, int channels, Window2d window)
    {
        Guard.Positive(batch, nameof(batch));
        Guard.Positive(channels, nameof(channels));
        (Batch, InH, InW, Channels, Window) = (batch, inH, inW, channels, window);
        (OutH, OutW) = window.OutputSize(inH, inW);
    }

    public int Batch { get; }
    public int InH { get; }
    public int InW { get; }
    public int Channels { get; }
    public Window2d Window { get; }
    public int OutH { get; }
    public int OutW { get; }

    public int InputLength => Batch * InH * InW * Channels;
    public int OutputLength => Batch * OutH * OutW * Channels;

    /// <summary>The taps [Lo, Hi) of output row <paramref name="oh"/>'s window that land on real input rows.</summary>
    internal (int Lo, int Hi) RealTapsH(int oh) => WindowTaps.Inside(Window.KernelH, Window.DilationH, oh * Window.StrideH - Window.PadTop, InH);

    /// <summary>The taps [Lo, Hi) of output column <paramref name="ow"/>'s window that land on real input columns.</summary>
    internal (int Lo, int Hi) RealTapsW(int ow) => WindowTaps.Inside(Window.KernelW, Window.DilationW, ow * Window.StrideW - Window.PadLeft, InW);

    public override string ToString() => $"N{Batch} {InH}x{InW}x{Channels} → {OutH}x{OutW}x{Channels} {Window}";
}
