namespace Edge.Runtime.Kernels.Pool;

/// <summary>
/// Int8 2-D max pooling on NHWC tensors. Quantization is monotonic, so the max of the int8 values is the quantized max:
/// the output has the input's parameters. Only taps on real input compete (padding never wins); a window with no
/// real tap — possible only with dilation — yields −128, the quantization of the float path's −∞.
/// </summary>
public sealed class Int8MaxPool
{
    private Int8MaxPool(Pool2dShape shape) => Shape = shape;

    public Pool2dShape Shape { get; }

    public static Int8MaxPool Prepare(Pool2dShape shape) => new(shape);

    /// <summary>The scalar reference (the only path).</summary>
    public static void Run(Int8MaxPool op, ReadOnlySpan<sbyte> input, Span<sbyte> output)
    {
        var s = op.Shape;
        var win = s.Window;
        Guard.Length(input.Length, s.InputLength, "input");
        Guard.Length(output.Length, s.OutputLength, "output");
        for (int n = 0; n < s.Batch; n++)
            for (int oh = 0; oh < s.OutH; oh++)
            {
                var (i0, i1) = s.RealTapsH(oh);
                int ih0 = oh * win.StrideH - win.PadTop;
                for (int ow = 0; ow < s.OutW; ow++)
                {
                    var (j0, j1) = s.RealTapsW(ow);
                    int iw0 = ow * win.StrideW - win.PadLeft;
                    var y = output.Slice(((n * s.OutH + oh) * s.OutW + ow) * s.Channels, s.Channels);
                    y.Fill(sbyte.MinValue);
                    for (int i = i0; i < i1; i++)
                        for (int j = j0; j < j1; j++)
                        {
                            int pixel = (n * s.InH + ih0 + i * win.DilationH) * s.InW + iw0 + j * win.DilationW;
                            var x = input.Slice(pixel * s.Channels, s.Channels);
                            for (int c = 0; c < s.Channels; c++)
                                if (x[c] > y[c]) y[c] = x[c];
                        }
                }
            }
    }

    public override string ToString() => $"Int8MaxPool {Shape}";
}
