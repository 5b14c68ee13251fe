using System.Runtime.InteropServices;
using Edge.Core.Shapes;
using Edge.Runtime.Arithmetic;
using Edge.Runtime.Format;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Conv;
using Edge.Runtime.Kernels.DepthwiseConv;
using Edge.Runtime.Kernels.Elementwise;
using Edge.Runtime.Kernels.Float;
using Edge.Runtime.Kernels.Gemm;
using Edge.Runtime.Kernels.Pool;
using Edge.Runtime.Tests.Support;

namespace Edge.Runtime.Tests.Session.Support;

/// <summary>
/// Builds an <see cref="EdgeModel"/> by hand, one operator at a time with seeded random parameters, and alongside it the
/// reference: the same operators run directly on their kernels' scalar reference (or float kernel), in order. A session
/// over the model must give exactly <see cref="Reference"/>'s bytes.
/// </summary>
internal sealed class ModelBuilder
{
    private readonly List<Action<Dictionary<int, byte[]>>> _steps = [];
    private int _input = -1;

    public ModelBuilder(int seed) => Rng = new Random(seed);

    public Random Rng { get; }
    public EdgeModel Model { get; } = new() { ProducerVersion = "edge test" };

    // ── Tensors ─────────────────────────────────────────────────────────────────────────────────────────────────────

    public QuantizationParams RandomParams() => new((float)TestData.Uniform(Rng, 0.02, 0.1), Rng.Next(-30, 31));

    public int Input(int[] shape, QuantizationParams? p = null, EdgeChannelOrder order = EdgeChannelOrder.Gray, float[]? mean = null, float[]? std = null)
    {
        _input = Int8("input", shape, p);
        Model.Inputs.Add(new EdgeInput(_input, mean ?? [0f], std ?? [1f], order));
        return _input;
    }

    public int Int8(string name, int[] shape, QuantizationParams? p = null)
    {
        var q = p ?? RandomParams();
        return Model.AddTensor(new EdgeTensor(name, EdgeDataType.Int8, shape, q.Scale, q.ZeroPoint));
    }

    public int Float(string name, int[] shape) => Model.AddTensor(new EdgeTensor(name, EdgeDataType.Float32, shape));

    public void Output(int tensor) => Model.Outputs.Add(tensor);

    public EdgeTensor Tensor(int t) => Model.Tensors[t];

    private QuantizationParams Params(int t) => new(Tensor(t).Scale, Tensor(t).ZeroPoint);
    private bool IsFloat(int t) => Tensor(t).DataType == EdgeDataType.Float32;
    private string Next(string what) => $"{what}{Model.Ops.Count}";

    /// <summary>Bytes of the model output for <paramref name="input"/> (the int8 NHWC input tensor), from the kernels directly.</summary>
    public byte[] Reference(ReadOnlySpan<sbyte> input, int output = 0)
    {
        var store = new Dictionary<int, byte[]> { [_input] = MemoryMarshal.AsBytes(input).ToArray() };
        foreach (var step in _steps) step(store);
        return store[Model.Outputs[output]];
    }

    private void Step<TIn, TOut>(int x, int y, Action<ReadOnlySpan<TIn>, Span<TOut>> run) where TIn : struct where TOut : struct
        => _steps.Add(s =>
        {
            var output = new byte[Tensor(y).ByteCount];
            run(MemoryMarshal.Cast<byte, TIn>(s[x]), MemoryMarshal.Cast<byte, TOut>(output.AsSpan()));
            s[y] = output;
        });

    private void Op(EdgeOpType type, int[] inputs, int output, int[]? ints = null, float[]? floats = null, EdgeBlob[]? blobs = null)
        => Model.Ops.Add(new EdgeOp(type, Next(type.ToString().ToLowerInvariant()), inputs, [output], ints, floats, blobs));

    // ── Random constants ────────────────────────────────────────────────────────────────────────────────────────────

    /// <summary>Per-channel multipliers that map accumulators of K products to an output spread over ~±40.</summary>
    public QuantizedMultiplier[] Multipliers(int channels, int k)
        => Enumerable.Range(0, channels).Select(_ => QuantizedMultiplier.FromReal(TestData.Uniform(Rng, 0.004, 0.012) / Math.Sqrt(k))).ToArray();

    public int[] Bias(int channels, int k)
    {
        int range = (int)(1500 * Math.Sqrt(k));
        return Enumerable.Range(0, channels).Select(_ => Rng.Next(-range, range + 1)).ToArray();
    }

    public float[] Floats(int n, double scale) => Enumerable.Range(0, n).Select(_ => (float)TestData.Uniform(Rng, -scale, scale)).ToArray();

    private static EdgeBlob[] Requantization(int[] bias, QuantizedMultiplier[] m) =>
    [
        EdgeBlob.FromInt32([bias.Length], bias),
        EdgeBlob.FromInt32([m.Length], m.Select(q => q.Multiplier).ToArray()),
        EdgeBlob.FromInt32([m.Length], m.Select(q => q.Shift).ToArray()),
        EdgeBlob.FromFloat32([m.Length], Enumerable.Repeat(0.01f, m.Length).ToArray()),
    ];

    private static int[] Geometry(Window2d w) => [w.KernelH, w.KernelW, w.StrideH, w.StrideW, w.PadTop, w.PadLeft, w.PadBottom, w.PadRight, w.DilationH, w.DilationW];

    private static (int N, int H, int W, int C) Nhwc(EdgeTensor t) => (t.Shape[0], t.Shape[1], t.Shape[2], t.Shape[3]);

    // ── Operators ───────────────────────────────────────────────────────────────────────────────────────────────────

    /// <summary>Conv2d, int8 or float32 by the input's type; depthwise when group = IC = OC.</summary>
    public int Conv(int x, int outChannels, Window2d window, int group = 1, bool relu = false)
    {
        var (n, h, w, c) = Nhwc(Tensor(x));
        var shape = new Conv2dShape(n, h, w, c, outChannels, window, group);
        int[] outShape = [n, shape.OutH, shape.OutW, outChannels];
        int[] wShape = [outChannels, window.KernelH, window.KernelW, shape.InChannelsPerGroup];
        if (IsFloat(x))
        {
            var wf = Floats(outChannels * shape.KernelLength, 1.0 / Math.Sqrt(shape.KernelLength));
            var bf = Floats(outChannels, 0.2);
            float min = relu ? 0f : float.NegativeInfinity, max = float.PositiveInfinity;
            int yf = Float(Next("conv"), outShape);
            Op(EdgeOpType.Conv2d, [x], yf, [.. Geometry(window), group], [min, max], [EdgeBlob.FromFloat32(wShape, wf), EdgeBlob.FromFloat32([outChannels], bf)]);
            var fk = FloatConv2d.Prepare(shape, wf, bf, min, max);
            Step<float, float>(x, yf, (i, o) => FloatConv2d.Run(fk, i, o));
            return yf;
        }
        var weights = TestData.Weights(Rng, outChannels * shape.KernelLength);
        var bias = Bias(outChannels, shape.KernelLength);
        var m = Multipliers(outChannels, shape.KernelLength);
        int y = Int8(Next("conv"), outShape);
        var clamp = relu ? new ClampRange(Tensor(y).ZeroPoint, 127) : ClampRange.Full;
        Op(EdgeOpType.Conv2d, [x], y, [.. Geometry(window), group, clamp.Min, clamp.Max], null,
            [EdgeBlob.FromInt8(wShape, weights), .. Requantization(bias, m)]);
        var stage = new OutputStage(m, Tensor(y).ZeroPoint, clamp);
        int zp = Tensor(x).ZeroPoint;
        if (shape.IsDepthwise)
        {
            var dw = Int8DepthwiseConv2d.Prepare(shape, weights, bias, zp, stage);
            Step<sbyte, sbyte>(x, y, (i, o) => Int8DepthwiseConv2d.RunScalar(dw, i, o, []));
        }
        else
        {
            var conv = Int8Conv2d.Prepare(shape, weights, bias, zp, stage);
            Step<sbyte, sbyte>(x, y, (i, o) => Int8Conv2d.RunScalar(conv, i, o, []));
        }
        return y;
    }

    /// <summary>Gemm over a [N, K] (or [N, …]) input, int8 or float32 by the input's type.</summary>
    public int Gemm(int x, int outFeatures, bool relu = false)
    {
        var t = Tensor(x);
        int n = t.Shape[0], k = (int)(t.ElementCount / n);
        if (IsFloat(x))
        {
            var wf = Floats(outFeatures * k, 1.0 / Math.Sqrt(k));
            var bf = Floats(outFeatures, 0.2);
            int yf = Float(Next("gemm"), [n, outFeatures]);
            float min = relu ? 0f : float.NegativeInfinity;
            Op(EdgeOpType.Gemm, [x], yf, [], [min, float.PositiveInfinity], [EdgeBlob.FromFloat32([outFeatures, k], wf), EdgeBlob.FromFloat32([outFeatures], bf)]);
            var fk = FloatGemm.Prepare(n, k, outFeatures, wf, bf, min, float.PositiveInfinity);
            Step<float, float>(x, yf, (i, o) => FloatGemm.Run(fk, i, o));
            return yf;
        }
        var weights = TestData.Weights(Rng, outFeatures * k);
        var bias = Bias(outFeatures, k);
        var m = Multipliers(outFeatures, k);
        int y = Int8(Next("gemm"), [n, outFeatures]);
        var clamp = relu ? new ClampRange(Tensor(y).ZeroPoint, 127) : ClampRange.Full;
        Op(EdgeOpType.Gemm, [x], y, [clamp.Min, clamp.Max], null, [EdgeBlob.FromInt8([outFeatures, k], weights), .. Requantization(bias, m)]);
        var gemm = Int8Gemm.Prepare(n, k, outFeatures, weights, bias, t.ZeroPoint, new OutputStage(m, Tensor(y).ZeroPoint, clamp));
        Step<sbyte, sbyte>(x, y, (i, o) => Int8Gemm.RunScalar(gemm, i, o, []));
        return y;
    }

    public int MaxPool(int x, Window2d window)
    {
        var (n, h, w, c) = Nhwc(Tensor(x));
        var shape = new Pool2dShape(n, h, w, c, window);
        int y = Like(x, "maxpool", [n, shape.OutH, shape.OutW, c]);
        Op(EdgeOpType.MaxPool, [x], y, [.. Geometry(window), window.CeilMode ? 1 : 0]);
        if (IsFloat(x))
        {
            var fk = FloatMaxPool.Prepare(shape);
            Step<float, float>(x, y, (i, o) => FloatMaxPool.Run(fk, i, o));
        }
        else
        {
            var k = Int8MaxPool.Prepare(shape);
            Step<sbyte, sbyte>(x, y, (i, o) => Int8MaxPool.RunScalar(k, i, o));
        }
        return y;
    }

    public int AveragePool(int x, Window2d window, bool countIncludePad)
    {
        var (n, h, w, c) = Nhwc(Tensor(x));
        var shape = new Pool2dShape(n, h, w, c, window);
        int y = Like(x, "avgpool", [n, shape.OutH, shape.OutW, c]);
        Op(EdgeOpType.AveragePool, [x], y, [.. Geometry(window)[..8], window.CeilMode ? 1 : 0, countIncludePad ? 1 : 0]);
        if (IsFloat(x))
        {
            var fk = FloatAveragePool.Prepare(shape, countIncludePad);
            Step<float, float>(x, y, (i, o) => FloatAveragePool.Run(fk, i, o));
        }
        else
        {
            var k = Int8AveragePool.Prepare(shape, countIncludePad, Tensor(x).ZeroPoint);
            Step<sbyte, sbyte>(x, y, (i, o) => Int8AveragePool.RunScalar(k, i, o));
        }
        return y;
    }

    public int GlobalAveragePool(int x)
    {
        var (n, h, w, c) = Nhwc(Tensor(x));
        int y = Like(x, "gap", [n, 1, 1, c]);
        Op(EdgeOpType.GlobalAveragePool, [x], y);
        if (IsFloat(x))
        {
            var fk = FloatGlobalAveragePool.Prepare(n, h, w, c);
            Step<float, float>(x, y, (i, o) => FloatGlobalAveragePool.Run(fk, i, o));
        }
        else
        {
            var k = Int8GlobalAveragePool.Prepare(n, h, w, c, Tensor(x).ZeroPoint);
            Step<sbyte, sbyte>(x, y, (i, o) => Int8GlobalAveragePool.RunScalar(k, i, o));
        }
        return y;
    }

    /// <summary>Add of two tensors of one shape, int8 (output parameters random, optional ReLU clamp) or float32.</summary>
    public int Add(int a, int b, bool relu = false)
    {
        if (IsFloat(a))
        {
            int yf = Float(Next("add"), Tensor(a).Shape);
            float min = relu ? 0f : float.NegativeInfinity;
            Op(EdgeOpType.Add, [a, b], yf, [], [min, float.PositiveInfinity]);
            var fk = FloatAdd.Prepare(min, float.PositiveInfinity);
            _steps.Add(s =>
            {
                var o = new byte[Tensor(yf).ByteCount];
                FloatAdd.Run(fk, MemoryMarshal.Cast<byte, float>(s[a]), MemoryMarshal.Cast<byte, float>(s[b]), MemoryMarshal.Cast<byte, float>(o.AsSpan()));
                s[yf] = o;
            });
            return yf;
        }
        var (pa, pb) = (Params(a), Params(b));
        var py = new QuantizationParams(Math.Max(pa.Scale, pb.Scale) * 1.5f, Rng.Next(-20, 21));
        int y = Int8(Next("add"), Tensor(a).Shape, py);
        var clamp = relu ? new ClampRange(py.ZeroPoint, 127) : ClampRange.Full;
        var k = Int8Add.FromScales(pa, pb, py, clamp);
        Op(EdgeOpType.Add, [a, b], y, [k.MultiplierA.Multiplier, k.MultiplierA.Shift, k.MultiplierB.Multiplier, k.MultiplierB.Shift,
            k.OutputMultiplier.Multiplier, k.OutputMultiplier.Shift, clamp.Min, clamp.Max]);
        _steps.Add(s =>
        {
            var o = new byte[Tensor(y).ByteCount];
            Int8Add.RunScalar(k, MemoryMarshal.Cast<byte, sbyte>(s[a]), MemoryMarshal.Cast<byte, sbyte>(s[b]), MemoryMarshal.Cast<byte, sbyte>(o.AsSpan()));
            s[y] = o;
        });
        return y;
    }

    /// <summary>Channel concatenation; int8 inputs with other parameters than the output's (those of input 0) are rescaled.</summary>
    public int Concat(params int[] xs)
    {
        var first = Tensor(xs[0]);
        int[] shape = (int[])first.Shape.Clone();
        shape[^1] = xs.Sum(x => Tensor(x).Shape[^1]);
        int pixels = (int)(first.ElementCount / first.Shape[^1]);
        var channels = xs.Select(x => Tensor(x).Shape[^1]).ToArray();
        int y = IsFloat(xs[0]) ? Float(Next("concat"), shape) : Int8(Next("concat"), shape, Params(xs[0]));
        if (IsFloat(xs[0]))
        {
            Op(EdgeOpType.Concat, xs, y, [shape.Length - 1]);
            var fk = FloatConcat.Prepare(pixels, channels);
            _steps.Add(s =>
            {
                var o = new byte[Tensor(y).ByteCount];
                for (int i = 0; i < xs.Length; i++) FloatConcat.Run(fk, i, MemoryMarshal.Cast<byte, float>(s[xs[i]]), MemoryMarshal.Cast<byte, float>(o.AsSpan()));
                s[y] = o;
            });
            return y;
        }
        var rescales = xs.Select(x => Int8Rescale.Prepare(Params(x), Params(y))).ToArray();
        Op(EdgeOpType.Concat, xs, y, [shape.Length - 1, .. rescales.SelectMany(r => r.IsIdentity ? new[] { 0, 0 } : [r.Multiplier.Multiplier, r.Multiplier.Shift])]);
        var k = Int8Concat.Prepare(pixels, channels, rescales);
        _steps.Add(s =>
        {
            var o = new byte[Tensor(y).ByteCount];
            for (int i = 0; i < xs.Length; i++) Int8Concat.Run(k, i, MemoryMarshal.Cast<byte, sbyte>(s[xs[i]]), MemoryMarshal.Cast<byte, sbyte>(o.AsSpan()));
            s[y] = o;
        });
        return y;
    }

    /// <summary>An int8 lookup of tanh between the input's parameters and random output parameters.</summary>
    public int Lookup(int x)
    {
        var py = new QuantizationParams(1f / 100, Rng.Next(-10, 11));
        int y = Int8(Next("lookup"), Tensor(x).Shape, py);
        var table = Int8Lookup.BuildTable(MathF.Tanh, Params(x), py);
        Op(EdgeOpType.Lookup, [x], y, blobs: [EdgeBlob.FromInt8([256], table)]);
        var k = Int8Lookup.Prepare(table);
        Step<sbyte, sbyte>(x, y, (i, o) => Int8Lookup.Run(k, i, o));
        return y;
    }

    public int Rescale(int x)
    {
        var px = Params(x);
        var py = new QuantizationParams(px.Scale * 1.7f, Rng.Next(-20, 21));
        int y = Int8(Next("rescale"), Tensor(x).Shape, py);
        var k = Int8Rescale.Prepare(px, py);
        Op(EdgeOpType.Rescale, [x], y, [k.Multiplier.Multiplier, k.Multiplier.Shift]);
        Step<sbyte, sbyte>(x, y, (i, o) => Int8Rescale.Run(k, i, o));
        return y;
    }

    public int Pad(int x, NhwcPads pads, float value = 0.25f)
    {
        var (n, h, w, c) = Nhwc(Tensor(x));
        int[] shape = [pads.BatchBefore + n + pads.BatchAfter, pads.Top + h + pads.Bottom, pads.Left + w + pads.Right, pads.ChannelsBefore + c + pads.ChannelsAfter];
        int[] p = [pads.BatchBefore, pads.Top, pads.Left, pads.ChannelsBefore, pads.BatchAfter, pads.Bottom, pads.Right, pads.ChannelsAfter];
        int y = Like(x, "pad", shape);
        if (IsFloat(x))
        {
            Op(EdgeOpType.Pad, [x], y, p, [value]);
            var fk = FloatPad.Prepare(n, h, w, c, pads, value);
            Step<float, float>(x, y, (i, o) => FloatPad.Run(fk, i, o));
            return y;
        }
        var q = Params(x).Quantize(value);
        Op(EdgeOpType.Pad, [x], y, [.. p, q]);
        var k = Int8Pad.Prepare(n, h, w, c, pads, q);
        Step<sbyte, sbyte>(x, y, (i, o) => Int8Pad.Run(k, i, o));
        return y;
    }

    /// <summary>Softmax along the channels: int8 input to float32 (or to int8 with s = 1/256, zp = −128), or float to float.</summary>
    public int Softmax(int x, bool int8Output = false)
    {
        var t = Tensor(x);
        int length = t.Shape[^1], rows = (int)(t.ElementCount / length);
        int y = int8Output ? Int8(Next("softmax"), t.Shape, Int8Softmax.Int8Output) : Float(Next("softmax"), t.Shape);
        Op(EdgeOpType.Softmax, [x], y, [t.Shape.Length - 1]);
        if (IsFloat(x))
        {
            var fk = FloatSoftmax.Prepare(rows, length);
            Step<float, float>(x, y, (i, o) => FloatSoftmax.Run(fk, i, o));
            return y;
        }
        var k = Int8Softmax.Prepare(rows, length, Params(x));
        if (int8Output) Step<sbyte, sbyte>(x, y, (i, o) => Int8Softmax.RunInt8(k, i, o));
        else Step<sbyte, float>(x, y, (i, o) => Int8Softmax.RunFloat(k, i, o));
        return y;
    }

    public int Lrn(int x, int size = 5)
    {
        var t = Tensor(x);
        int channels = t.Shape[^1], pixels = (int)(t.ElementCount / channels);
        const float alpha = 1e-2f, beta = 0.75f, bias = 1f;
        int y = IsFloat(x) ? Float(Next("lrn"), t.Shape) : Int8(Next("lrn"), t.Shape, RandomParams());
        Op(EdgeOpType.Lrn, [x], y, [size], [alpha, beta, bias]);
        if (IsFloat(x))
        {
            var fk = FloatLrn.Prepare(pixels, channels, size, alpha, beta, bias);
            Step<float, float>(x, y, (i, o) => FloatLrn.Run(fk, i, o));
            return y;
        }
        var k = Int8Lrn.Prepare(pixels, channels, size, alpha, beta, bias, Params(x), Params(y));
        Step<sbyte, sbyte>(x, y, (i, o) => Int8Lrn.Run(k, i, o));
        return y;
    }

    /// <summary>A view with another shape (Flatten to [N, features] by default).</summary>
    public int Reshape(int x, int[]? shape = null)
    {
        var t = Tensor(x);
        shape ??= [t.Shape[0], (int)(t.ElementCount / t.Shape[0])];
        int y = IsFloat(x) ? Float(Next("reshape"), shape) : Int8(Next("reshape"), shape, Params(x));
        Op(EdgeOpType.Reshape, [x], y);
        _steps.Add(s => s[y] = s[x]);
        return y;
    }

    public int Dequantize(int x)
    {
        int y = Float(Next("dequantize"), Tensor(x).Shape);
        Op(EdgeOpType.Dequantize, [x], y);
        var k = Int8Dequantize.Prepare(Params(x));
        Step<sbyte, float>(x, y, (i, o) => Int8Dequantize.Run(k, i, o));
        return y;
    }

    public int Quantize(int x, QuantizationParams? p = null)
    {
        int y = Int8(Next("quantize"), Tensor(x).Shape, p ?? new QuantizationParams(0.05f, Rng.Next(-20, 21)));
        Op(EdgeOpType.Quantize, [x], y);
        var k = Float32Quantize.Prepare(Params(y));
        Step<float, sbyte>(x, y, (i, o) => Float32Quantize.Run(k, i, o, KernelPath.Scalar));
        return y;
    }

    public int Activation(int x, EdgeActivationKind kind, params float[] parameters)
    {
        int y = Float(Next("activation"), Tensor(x).Shape);
        Op(EdgeOpType.FloatActivation, [x], y, [(int)kind], parameters);
        var k = FloatActivation.Prepare(kind, parameters);
        Step<float, float>(x, y, (i, o) => FloatActivation.Run(k, i, o));
        return y;
    }

    /// <summary>A new tensor of <paramref name="x"/>'s type and parameters with another shape (pools and pad keep parameters).</summary>
    private int Like(int x, string what, int[] shape) => IsFloat(x) ? Float(Next(what), shape) : Int8(Next(what), shape, Params(x));
}
