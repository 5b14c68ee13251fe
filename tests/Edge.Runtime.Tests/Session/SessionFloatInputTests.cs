using Edge.Runtime.Arithmetic;
using Edge.Runtime.Session;
using Edge.Runtime.Tests.Session.Support;

namespace Edge.Runtime.Tests.Session;

/// <summary>
/// A float NCHW input is quantized into the NHWC int8 tensor value by value, for every batch item and channel: through a
/// model that only dequantizes it, the NCHW float output (the reader transposes back) is each input value quantized —
/// also where planes are split into several work items (more than 8,192 values) and threads share them.
/// </summary>
public class SessionFloatInputTests
{
    [Theory]
    [InlineData(1, 1, 5, 7, 1)]
    [InlineData(2, 3, 5, 7, 1)]
    [InlineData(3, 4, 1, 9, 2)]
    [InlineData(2, 3, 97, 101, 1)]
    [InlineData(2, 3, 97, 101, 3)]
    [InlineData(1, 1, 128, 129, 2)]
    public void Float_nchw_input_lands_in_nhwc_quantized(int n, int c, int h, int w, int threads)
    {
        var q = new QuantizationParams(0.037f, -5);
        var b = new ModelBuilder(3);
        int x = b.Input([n, h, w, c], q);
        b.Output(b.Dequantize(x));
        using var s = EdgeSession.FromModel(b.Model, new EdgeSessionOptions { Threads = threads });
        var rng = new Random(n * 100 + c);
        var nchw = new float[n * c * h * w];
        for (int i = 0; i < nchw.Length; i++) nchw[i] = (float)(rng.NextDouble() * 12 - 6);
        var output = new float[nchw.Length];
        s.Run(nchw, output);
        for (int ni = 0; ni < n; ni++)
            for (int ci = 0; ci < c; ci++)
                for (int p = 0; p < h * w; p++)
                {
                    float v = nchw[(ni * c + ci) * h * w + p];
                    float expected = q.Dequantize(q.Quantize(v));
                    float actual = output[(ni * c + ci) * h * w + p];
                    Assert.True(expected == actual, $"n {ni}, c {ci}, pixel {p}: input {v}, expected {expected}, actual {actual}");
                }
    }
}
