using Edge.Core.Shapes;
using Edge.Runtime.Arithmetic;
using Edge.Runtime.Format;

namespace Edge.Quantization.Tests.Quantizer;

/// <summary>
/// A literal, slow reading of docs/int8-arithmetic.md and docs/edge-format.md over an <see cref="EdgeModel"/>, for
/// tests only: it checks that what the converter writes (layouts, multipliers, tables) computes what the fake-quant
/// simulation says. The runtime's kernels are the real implementation. Int8 operators only (plus Quantize,
/// Dequantize and float-output Softmax); one input, batch 1.
/// </summary>
internal sealed class Int8Interpreter(EdgeModel model)
{
    private readonly Dictionary<int, sbyte[]> _q = new();
    private readonly Dictionary<int, float[]> _f = new();

    /// <summary>Runs one item given NCHW float input (already normalized); returns the first output as floats, NCHW.</summary>
    public float[] Run(ReadOnlySpan<float> nchw)
    {
        _q.Clear();
        _f.Clear();
        var input = model.Tensors[model.Inputs[0].Tensor];
        var p = Params(input);
        var s = input.Shape;
        var x = new sbyte[input.ElementCount];
        if (s.Length == 4)
        {
            int h = s[1], w = s[2], c = s[3];
            for (int ci = 0; ci < c; ci++)
                for (int i = 0; i < h * w; i++) x[i * c + ci] = p.Quantize(nchw[ci * h * w + i]);
        }
        else
        {
            for (int i = 0; i < x.Length; i++) x[i] = p.Quantize(nchw[i]);
        }
        _q[model.Inputs[0].Tensor] = x;
        foreach (var op in model.Ops) Execute(op);
        int o = model.Outputs[0];
        var ot = model.Tensors[o];
        var values = ot.DataType == EdgeDataType.Float32 ? _f[o] : _q[o].Select(v => Params(ot).Dequantize(v)).ToArray();
        if (ot.Shape.Length != 4) return values;
        int oh = ot.Shape[1], ow = ot.Shape[2], oc = ot.Shape[3];
        var chw = new float[values.Length];
        for (int ci = 0; ci < oc; ci++)
            for (int i = 0; i < oh * ow; i++) chw[ci * oh * ow + i] = values[i * oc + ci];
        return chw;
    }

    private static QuantizationParams Params(EdgeTensor t) => new(t.Scale, t.ZeroPoint);

    private static int Requantize(long acc, int m, int n) => (int)((acc * m + (1L << (n - 1))) >> n);

    private static sbyte Clamp(long v, int lo = -128, int hi = 127) => (sbyte)Math.Clamp(v, lo, hi);

    private void Execute(EdgeOp op)
    {
        var xt = model.Tensors[op.Inputs[0]];
        var yt = model.Tensors[op.Outputs[0]];
        int y = op.Outputs[0];
        switch (op.Type)
        {
            case EdgeOpType.Quantize:
                _q[y] = _f[op.Inputs[0]].Select(v => Params(yt).Quantize(v)).ToArray();
                break;
            case EdgeOpType.Dequantize:
                _f[y] = _q[op.Inputs[0]].Select(v => Params(xt).Dequantize(v)).ToArray();
                break;
            case EdgeOpType.Reshape:
                _q[y] = (sbyte[])_q[op.Inputs[0]].Clone();
                break;
            case EdgeOpType.Lookup:
            {
                var table = op.Blobs[0].AsInt8().ToArray();
                _q[y] = _q[op.Inputs[0]].Select(v => table[v + 128]).ToArray();
                break;
            }
            case EdgeOpType.Conv2d:
                _q[y] = Conv(op, xt, yt);
                break;
            case EdgeOpType.Gemm:
                _q[y] = Gemm(op, xt, yt);
                break;
            case EdgeOpType.MaxPool:
            case EdgeOpType.AveragePool:
                _q[y] = Pool(op, xt, yt);
                break;
            case EdgeOpType.GlobalAveragePool:
            {
                var x = _q[op.Inputs[0]];
                int hw = xt.Shape[1] * xt.Shape[2], c = xt.Shape[3];
                var r = new sbyte[c];
                for (int ci = 0; ci < c; ci++)
                {
                    int sum = 0;
                    for (int i = 0; i < hw; i++) sum += x[i * c + ci] - xt.ZeroPoint;
                    r[ci] = Clamp(Rounding.DivRound(sum, hw) + xt.ZeroPoint);
                }
                _q[y] = r;
                break;
            }
            case EdgeOpType.Add:
            {
                var a = _q[op.Inputs[0]];
                var b = _q[op.Inputs[1]];
                var bt = model.Tensors[op.Inputs[1]];
                var k = op.Ints;
                _q[y] = a.Select((av, i) =>
                {
                    int ra = Requantize((long)(av - xt.ZeroPoint) << 20, k[0], k[1]);
                    int rb = Requantize((long)(b[i] - bt.ZeroPoint) << 20, k[2], k[3]);
                    return Clamp((long)Requantize(ra + rb, k[4], k[5]) + yt.ZeroPoint, k[6], k[7]);
                }).ToArray();
                break;
            }
            case EdgeOpType.Concat:
                _q[y] = Concat(op, yt);
                break;
            case EdgeOpType.Pad:
                _q[y] = Pad(op, xt, yt);
                break;
            case EdgeOpType.Softmax:
            {
                var v = _q[op.Inputs[0]].Select(q => Params(xt).Dequantize(q)).ToArray();
                float max = v.Max();
                var e = v.Select(t => MathF.Exp(t - max)).ToArray();
                float sum = e.Sum();
                var r = e.Select(t => t / sum).ToArray();
                if (yt.DataType == EdgeDataType.Float32) _f[y] = r;
                else _q[y] = r.Select(t => Params(yt).Quantize(t)).ToArray();
                break;
            }
            default:
                throw new NotSupportedException($"{op} is not interpreted");
        }
    }

    private sbyte[] Conv(EdgeOp op, EdgeTensor xt, EdgeTensor yt)
    {
        var k = op.Ints;
        var win = new Window2d(k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7], k[8], k[9]);
        int group = k[10], qmin = k[11], qmax = k[12];
        var x = _q[op.Inputs[0]];
        var w = op.Blobs[0].AsInt8();
        var bias = op.Blobs[1].AsInt32();
        var m = op.Blobs[2].AsInt32();
        var n = op.Blobs[3].AsInt32();
        int ih = xt.Shape[1], iw = xt.Shape[2], ic = xt.Shape[3], oh = yt.Shape[1], ow = yt.Shape[2], oc = yt.Shape[3];
        int icg = ic / group, ocg = oc / group;
        var y = new sbyte[oh * ow * oc];
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++)
                for (int o = 0; o < oc; o++)
                {
                    long acc = bias[o];
                    int g = o / ocg;
                    for (int ky = 0; ky < win.KernelH; ky++)
                    {
                        int yy = oy * win.StrideH - win.PadTop + ky * win.DilationH;
                        if (yy < 0 || yy >= ih) continue;
                        for (int kx = 0; kx < win.KernelW; kx++)
                        {
                            int xx = ox * win.StrideW - win.PadLeft + kx * win.DilationW;
                            if (xx < 0 || xx >= iw) continue;
                            for (int i = 0; i < icg; i++)
                                acc += (x[(yy * iw + xx) * ic + g * icg + i] - xt.ZeroPoint) * w[((o * win.KernelH + ky) * win.KernelW + kx) * icg + i];
                        }
                    }
                    y[(oy * ow + ox) * oc + o] = Clamp((long)Requantize(acc, m[o], n[o]) + yt.ZeroPoint, qmin, qmax);
                }
        return y;
    }

    private sbyte[] Gemm(EdgeOp op, EdgeTensor xt, EdgeTensor yt)
    {
        var x = _q[op.Inputs[0]];
        var w = op.Blobs[0].AsInt8();
        var bias = op.Blobs[1].AsInt32();
        var m = op.Blobs[2].AsInt32();
        var n = op.Blobs[3].AsInt32();
        int kk = x.Length, oc = yt.Shape[^1];
        var y = new sbyte[oc];
        for (int o = 0; o < oc; o++)
        {
            long acc = bias[o];
            for (int i = 0; i < kk; i++) acc += (x[i] - xt.ZeroPoint) * w[o * kk + i];
            y[o] = Clamp((long)Requantize(acc, m[o], n[o]) + yt.ZeroPoint, op.Ints[0], op.Ints[1]);
        }
        return y;
    }

    private sbyte[] Pool(EdgeOp op, EdgeTensor xt, EdgeTensor yt)
    {
        var k = op.Ints;
        bool max = op.Type == EdgeOpType.MaxPool;
        var win = max
            ? new Window2d(k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7], k[8], k[9], k[10] == 1)
            : new Window2d(k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7], CeilMode: k[8] == 1);
        bool includePad = !max && k[9] == 1;
        var x = _q[op.Inputs[0]];
        int ih = xt.Shape[1], iw = xt.Shape[2], c = xt.Shape[3], oh = yt.Shape[1], ow = yt.Shape[2];
        var y = new sbyte[oh * ow * c];
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++)
                for (int ci = 0; ci < c; ci++)
                {
                    int best = int.MinValue, sum = 0, count = 0;
                    for (int ky = 0; ky < win.KernelH; ky++)
                    {
                        int yy = oy * win.StrideH - win.PadTop + ky * win.DilationH;
                        for (int kx = 0; kx < win.KernelW; kx++)
                        {
                            int xx = ox * win.StrideW - win.PadLeft + kx * win.DilationW;
                            bool inside = yy >= 0 && yy < ih && xx >= 0 && xx < iw;
                            bool inPadded = yy < ih + win.PadBottom && xx < iw + win.PadRight;
                            if (inside)
                            {
                                int v = x[(yy * iw + xx) * c + ci];
                                best = Math.Max(best, v);
                                sum += v - xt.ZeroPoint;
                                count++;
                            }
                            else if (includePad && inPadded)
                            {
                                count++;
                            }
                        }
                    }
                    y[(oy * ow + ox) * c + ci] = max ? (sbyte)best : Clamp(Rounding.DivRound(sum, count) + xt.ZeroPoint);
                }
        return y;
    }

    private sbyte[] Concat(EdgeOp op, EdgeTensor yt)
    {
        int axis = op.Ints[0], rank = yt.Shape.Length;
        long outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= yt.Shape[i];
        for (int i = axis + 1; i < rank; i++) inner *= yt.Shape[i];
        var y = new sbyte[yt.ElementCount];
        long offset = 0, row = yt.Shape[axis] * inner;
        for (int k = 0; k < op.Inputs.Length; k++)
        {
            var xt = model.Tensors[op.Inputs[k]];
            var x = _q[op.Inputs[k]];
            int m = op.Ints[1 + 2 * k], n = op.Ints[2 + 2 * k];
            long part = xt.Shape[axis] * inner;
            for (long o = 0; o < outer; o++)
                for (long i = 0; i < part; i++)
                {
                    sbyte v = x[o * part + i];
                    y[o * row + offset + i] = m == 0 ? v : Clamp((long)Requantize((long)(v - xt.ZeroPoint) << 20, m, n) + yt.ZeroPoint);
                }
            offset += part;
        }
        return y;
    }

    private sbyte[] Pad(EdgeOp op, EdgeTensor xt, EdgeTensor yt)
    {
        var p = op.Ints;
        var x = _q[op.Inputs[0]];
        int ih = xt.Shape[1], iw = xt.Shape[2], c = xt.Shape[3], oh = yt.Shape[1], ow = yt.Shape[2], oc = yt.Shape[3];
        var y = new sbyte[oh * ow * oc];
        Array.Fill(y, (sbyte)p[8]);
        for (int yy = 0; yy < ih; yy++)
            for (int xx = 0; xx < iw; xx++)
                for (int ci = 0; ci < c; ci++)
                    y[((yy + p[1]) * ow + xx + p[2]) * oc + ci + p[3]] = x[(yy * iw + xx) * c + ci];
        return y;
    }
}
