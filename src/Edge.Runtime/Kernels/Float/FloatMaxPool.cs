namespace Edge.Runtime.Kernels.Float;

/// <summary>Float32 2-D max pooling on NHWC tensors: the largest real tap (padding never wins; a window with none gives −∞).</summary>
public sealed class FloatMaxPool
{
    private FloatMaxPool(Pool2dShape shape) => Shape = shape;

    public Pool2dShape Shape { get; }

    public static FloatMaxPool Prepare(Pool2dShape shape) => new(shape);

    public static void Run(FloatMaxPool op, ReadOnlySpan<float> input, Span<float> output)
    {
        var s = op.Shape;
        var win = s.Window;
        Guard.Length(input.Length, s.InputLength, "input");
        Guard.Length(output.Length, s.OutputLength, "output");
        for (int n = 0; n < s.Batch; n++)
            for (int oh = 0; oh < s.OutH; oh++)
            {
                var (i0, i1) = s.RealTapsH(oh);
                for (int ow = 0; ow < s.OutW; ow++)
                {
                    var (j0, j1) = s.RealTapsW(ow);
                    var y = output.Slice(((n * s.OutH + oh) * s.OutW + ow) * s.Channels, s.Channels);
                    y.Fill(float.NegativeInfinity);
                    for (int i = i0; i < i1; i++)
                        for (int j = j0; j < j1; j++)
                        {
                            int pixel = (n * s.InH + oh * win.StrideH - win.PadTop + i * win.DilationH) * s.InW + ow * win.StrideW - win.PadLeft + j * win.DilationW;
                            var x = input.Slice(pixel * s.Channels, s.Channels);
                            for (int c = 0; c < s.Channels; c++) y[c] = MathF.Max(y[c], x[c]);
                        }
                }
            }
    }

    public override string ToString() => $"FloatMaxPool {Shape}";
}
