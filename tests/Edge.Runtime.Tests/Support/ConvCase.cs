using Edge.Core.Graph;
using Edge.Core.Shapes;
using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Conv;
using Edge.Runtime.Kernels.DepthwiseConv;
using Edge.Runtime.Kernels.Gemm;

namespace Edge.Runtime.Tests.Support;

public enum ClampKind { None, Relu, Relu6, Clip }

/// <summary>
/// A seeded quantized convolution (or GEMM: a 1×1 convolution of a [N, 1, 1, K] tensor): NHWC input, [OC][KH][KW][ICg] weights,
/// bias, per-channel weight scales, and an output scale chosen so the outputs spread over the int8 range. Builds the
/// prepared kernels and the float oracle: dequantize, sum in double, clamp, quantize.
/// </summary>
internal sealed class ConvCase
{
    public ConvCase(Conv2dShape shape, int seed, bool extreme = false, ClampKind clamp = ClampKind.Relu, int? inputZeroPoint = null)
    {
        Shape = shape;
        Seed = seed;
        Extreme = extreme;
        ClampKind = clamp;
        var rng = new Random(seed);
        X = new QuantizationParams((float)TestData.Uniform(rng, 0.01, 0.1), inputZeroPoint ?? rng.Next(-128, 128));
        Input = TestData.Activations(rng, shape.InputLength, extreme);
        Weights = TestData.Weights(rng, shape.OutChannels * shape.KernelLength, extreme);
        WeightScales = new double[shape.OutChannels];
        for (int c = 0; c < WeightScales.Length; c++) WeightScales[c] = TestData.Uniform(rng, 0.002, 0.02);
        int biasRange = (int)(40 * 73 * Math.Sqrt(shape.KernelLength));
        Bias = new int[shape.OutChannels];
        for (int c = 0; c < Bias.Length; c++) Bias[c] = rng.Next(-biasRange, biasRange + 1);

        // Output scale: the median channel maps the accumulators' RMS to ~45 LSB ; no multiplier exceeds 0.9.
        var acc = Accumulators();
        double rms = Math.Max(1, Math.Sqrt(acc.Average(a => (double)a * a)));
        var sorted = WeightScales.Order().ToArray();
        if (clamp == ClampKind.Relu6)
        {
            // Real outputs of RMS ~4, so ReLU6's upper bound sits inside the distribution rather than below all of it.
            double f = 4 / (X.Scale * sorted[sorted.Length / 2] * rms);
            for (int c = 0; c < WeightScales.Length; c++) WeightScales[c] *= f;
            sorted = WeightScales.Order().ToArray();
        }
        double sOut = Math.Max(X.Scale * sorted[sorted.Length / 2] * rms / 45, X.Scale * sorted[^1] / 0.9);
        Y = new QuantizationParams((float)sOut, rng.Next(-60, 61));
        Clamp = clamp switch
        {
            ClampKind.Relu => FusedClamp.Relu,
            ClampKind.Relu6 => FusedClamp.Relu6,
            ClampKind.Clip => new FusedClamp(Y.Scale * (-128 - Y.ZeroPoint + 40.5f), Y.Scale * (127 - Y.ZeroPoint - 50.5f)),
            _ => FusedClamp.None,
        };
        var multipliers = new QuantizedMultiplier[shape.OutChannels];
        for (int c = 0; c < multipliers.Length; c++) multipliers[c] = QuantizedMultiplier.FromReal(X.Scale * WeightScales[c] / Y.Scale);
        Stage = new OutputStage(multipliers, Y.ZeroPoint, ClampRange.FromFusedClamp(Clamp, Y));
    }

    public Conv2dShape Shape { get; }
    public int Seed { get; }
    public bool Extreme { get; }
    public ClampKind ClampKind { get; }
    public QuantizationParams X { get; }
    public QuantizationParams Y { get; }
    public sbyte[] Input { get; }

    /// <summary>The .edge layout: [OutChannels][KH][KW][InChannelsPerGroup].</summary>
    public sbyte[] Weights { get; }
    public double[] WeightScales { get; }

    /// <summary>Mutable, so a test can plant extreme values before building a kernel.</summary>
    public int[] Bias { get; }
    public FusedClamp Clamp { get; }
    public OutputStage Stage { get; }

    public static Conv2dShape GemmShape(int batch, int inFeatures, int outFeatures) => new(batch, 1, 1, inFeatures, outFeatures, new Window2d(1, 1));

    public Int8Conv2d Conv() => Int8Conv2d.Prepare(Shape, Weights, Bias, X.ZeroPoint, Stage);
    public Int8DepthwiseConv2d Depthwise() => Int8DepthwiseConv2d.Prepare(Shape, Weights, Bias, X.ZeroPoint, Stage);
    public Int8Gemm Gemm() => Int8Gemm.Prepare(Shape.Batch, Shape.InChannels, Shape.OutChannels, Weights, Bias, X.ZeroPoint, Stage);

    public Func<int, string> Locate => Exact.Nhwc(Shape.OutH, Shape.OutW, Shape.OutChannels);

    /// <summary>The exact accumulators <c>bias + Σ (x − zp_x)·w</c> in int64, NHWC order, straight from the unpacked weights.</summary>
    public long[] Accumulators()
    {
        var s = Shape;
        var win = s.Window;
        int icg = s.InChannelsPerGroup, ocg = s.OutChannelsPerGroup;
        var acc = new long[s.OutputLength];
        for (int n = 0; n < s.Batch; n++)
            for (int oh = 0; oh < s.OutH; oh++)
                for (int ow = 0; ow < s.OutW; ow++)
                    for (int oc = 0; oc < s.OutChannels; oc++)
                    {
                        long sum = Bias[oc];
                        int g = oc / ocg;
                        for (int ic = 0; ic < icg; ic++)
                            for (int kh = 0; kh < win.KernelH; kh++)
                                for (int kw = 0; kw < win.KernelW; kw++)
                                {
                                    int ih = oh * win.StrideH - win.PadTop + kh * win.DilationH;
                                    int iw = ow * win.StrideW - win.PadLeft + kw * win.DilationW;
                                    if (ih < 0 || ih >= s.InH || iw < 0 || iw >= s.InW) continue;
                                    long x = Input[((n * s.InH + ih) * s.InW + iw) * s.InChannels + g * icg + ic] - X.ZeroPoint;
                                    sum += x * Weights[((oc * win.KernelH + kh) * win.KernelW + kw) * icg + ic];
                                }
                        acc[((n * s.OutH + oh) * s.OutW + ow) * s.OutChannels + oc] = sum;
                    }
        return acc;
    }

    /// <summary>The float oracle: <c>quantize(clamp(s_x·s_w[c]·acc))</c>, all in double.</summary>
    public sbyte[] Oracle()
    {
        var acc = Accumulators();
        var y = new sbyte[acc.Length];
        for (int i = 0; i < acc.Length; i++)
        {
            double real = (double)X.Scale * WeightScales[i % Shape.OutChannels] * acc[i];
            y[i] = Y.Quantize(Math.Clamp(real, Clamp.Min, Clamp.Max));
        }
        return y;
    }

    public override string ToString()
        => $"[{Shape}; seed {Seed}; x {X}; y {Y}; clamp {Clamp} → {Stage.Clamp}; extreme {Extreme}; bias[0] {Bias[0]}]";
}
