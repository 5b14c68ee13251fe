using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels.Elementwise;
using Edge.Runtime.Tests.Support;

namespace Edge.Runtime.Tests.Kernels;

public class SoftmaxLrnTests
{
    [Theory]
    [InlineData(1, 10, 0.1f, 0)]
    [InlineData(3, 17, 0.05f, -20)]
    [InlineData(2, 1, 0.2f, 5)]
    [InlineData(1, 1000, 0.08f, 12)]
    public void Softmax_matches_the_double_oracle(int rows, int length, float scale, int zp)
    {
        var p = new QuantizationParams(scale, zp);
        var x = TestData.Activations(new Random(length), rows * length);
        var op = Int8Softmax.Prepare(rows, length, p);
        var yf = new float[rows * length];
        var yq = new sbyte[rows * length];
        Int8Softmax.RunFloat(op, x, yf);
        Int8Softmax.RunInt8(op, x, yq);
        var oracle = new sbyte[yq.Length];
        for (int r = 0; r < rows; r++)
        {
            var row = x.Skip(r * length).Take(length).Select(q => p.DequantizeDouble(q)).ToArray();
            double max = row.Max(), sum = row.Sum(v => Math.Exp(v - max));
            for (int i = 0; i < length; i++)
            {
                double prob = Math.Exp(row[i] - max) / sum;
                Assert.True(Math.Abs(prob - yf[r * length + i]) <= 1e-6 + 1e-5 * prob, $"row {r} index {i}: {prob} vs {yf[r * length + i]}");
                oracle[r * length + i] = Int8Softmax.Int8Output.Quantize(prob);
            }
            Assert.Equal(1.0, yf.Skip(r * length).Take(length).Sum(v => (double)v), 4);
        }
        Exact.Within(oracle, yq, 1, $"softmax {rows}x{length} {p}");
    }

    [Theory]
    [InlineData(5, 1e-4f, 0.75f, 1f, 13, 1.0f)]  // AlexNet's parameters
    [InlineData(5, 1e-2f, 0.75f, 2f, 17, 0.5f)]
    [InlineData(3, 1e-3f, 0.5f, 1f, 7, 0.3f)]
    [InlineData(4, 2e-3f, 1f, 1f, 9, 1.0f)]      // even size: one more channel after than before
    public void Lrn_matches_the_double_oracle(int size, float alpha, float beta, float bias, int channels, float scale)
    {
        var input = new QuantizationParams(scale, 3);
        var x = TestData.Activations(new Random(channels), 6 * channels);
        // Output scale from the data, so the outputs fill the int8 range.
        var real = Lrn(x, 6, channels, size, alpha, beta, bias, input);
        var output = new QuantizationParams((float)(real.Max(Math.Abs) / 120), -2);
        var op = Int8Lrn.Prepare(6, channels, size, alpha, beta, bias, input, output);
        var y = new sbyte[x.Length];
        Int8Lrn.Run(op, x, y);
        Exact.Within(real.Select(v => output.Quantize(v)).ToArray(), y, 1, $"LRN size {size} alpha {alpha} beta {beta} bias {bias} C {channels}");
        Exact.Varied(y, "LRN");
    }

    /// <summary>The ONNX/LrnNode formula in double: y = x / (bias + alpha/size·Σ x²)^beta over c − ⌊(size−1)/2⌋ … c + ⌈(size−1)/2⌉.</summary>
    private static double[] Lrn(sbyte[] x, int pixels, int channels, int size, double alpha, double beta, double bias, QuantizationParams p)
    {
        var y = new double[x.Length];
        for (int px = 0; px < pixels; px++)
            for (int c = 0; c < channels; c++)
            {
                double sum = 0;
                for (int j = c - (size - 1) / 2; j <= c + size / 2; j++)
                    if (j >= 0 && j < channels) sum += Math.Pow(p.DequantizeDouble(x[px * channels + j]), 2);
                y[px * channels + c] = p.DequantizeDouble(x[px * channels + c]) / Math.Pow(bias + alpha / size * sum, beta);
            }
        return y;
    }
}
