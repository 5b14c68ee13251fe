using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels.Elementwise;
using Edge.Runtime.Tests.Support;

namespace Edge.Runtime.Tests.Kernels;

public class PadTests
{
    [Theory]
    [InlineData(1, 3, 4, 3, 1, 2, 0, 1, 0, 0, 0, 0)]
    [InlineData(2, 2, 2, 5, 0, 0, 3, 0, 0, 0, 0, 0)]
    [InlineData(1, 4, 3, 7, 2, 1, 1, 2, 1, 3, 0, 0)]
    [InlineData(2, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0)]
    [InlineData(2, 2, 3, 2, 1, 0, 0, 1, 0, 1, 1, 2)]
    public void Copies_the_input_and_fills_the_padding(int n, int h, int w, int c, int top, int left, int bottom, int right,
        int before, int after, int batchBefore, int batchAfter)
    {
        var p = new QuantizationParams(0.25f, -7);
        var pads = new NhwcPads(batchBefore, top, left, before, batchAfter, bottom, right, after);
        var value = Int8Pad.QuantizeValue(1.1f, p); // 1.1 / 0.25 = 4.4 → 4, + zp
        Assert.Equal(-3, value);
        var op = Int8Pad.Prepare(n, h, w, c, pads, value);
        var x = TestData.Activations(new Random(h * w * c), n * h * w * c);
        var y = new sbyte[op.OutputLength];
        y.AsSpan().Fill(99);
        Int8Pad.Run(op, x, y);
        int oh = op.OutHeight, ow = op.OutWidth, oc = op.OutChannels;
        for (int i = 0; i < y.Length; i++)
        {
            int b = i / (oh * ow * oc) - batchBefore, r = i / (ow * oc) % oh - top, col = i / oc % ow - left, ch = i % oc - before;
            bool inside = b >= 0 && b < n && r >= 0 && r < h && col >= 0 && col < w && ch >= 0 && ch < c;
            int expected = inside ? x[((b * h + r) * w + col) * c + ch] : value;
            Assert.True(expected == y[i], $"{op}: index {i} (n {b + batchBefore}, row {r + top}, col {col + left}, ch {ch + before}): expected {expected}, got {y[i]}");
        }
    }

    [Fact]
    public void Rejects_negative_pads() => Assert.Throws<ArgumentException>(() => Int8Pad.Prepare(1, 2, 2, 1, NhwcPads.Spatial(-1, 0, 0, 0), 0));
}
