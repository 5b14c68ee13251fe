using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Edge.Runtime.Arithmetic;
using Edge.Runtime.Format;
using Edge.Runtime.Session;
using Edge.Vision.Sources;

namespace Edge.Vision.Preprocessing;

/// <summary>
/// Turns one raw camera frame into a model's int8 NHWC input, allocating nothing per frame:
/// <list type="number">
/// <item>the centre crop with the model's aspect (<see cref="FrameCrop.Centre"/>), converted to 8-bit gray or R, G, B
/// planes (<see cref="PixelConversion"/>; skipped for gray from full-range Y or Gray8, read in place);</item>
/// <item>a separable resize to the model's size (<see cref="ResamplePlan"/>, area or bilinear): per output row the
/// source rows are blended on <see cref="Vector{T}"/> floats (bytes widened in registers), then each output value
/// sums its columns;</item>
/// <item>the model's normalization and input quantization fused into one multiply-add per value:
/// <c>q = clamp(round_half_away(v·a + b), −128, 127)</c> with <c>a = 1/(255·std·scale)</c>,
/// <c>b = zero_point − mean/(std·scale)</c> (v the resized pixel in [0, 255]), written straight into the NHWC
/// buffer the session copies as its input.</item>
/// </list>
/// The plain float implementation in the tests (a 2-D area or bilinear integral of the converted pixels in double,
/// then <c>(v/255 − mean)/std</c> and the runtime's <see cref="QuantizationParams.Quantize"/>) agrees within 1 LSB
/// (float rounding near .5). One instance serves one thread; the buffers are sized once, in the constructor.
/// </summary>
public sealed class FramePreprocessor
{
    private readonly ResamplePlan _rows, _cols;
    private readonly byte[] _planes;
    private readonly float[] _blend, _columns, _colWeightsByTap;
    private readonly float[] _scale, _offset;
    private readonly int[] _sourcePlane;
    private readonly bool[] _rowsRead;
    private readonly bool _direct;
    private readonly QuantizationParams _q;

    /// <param name="frame">The frames' format.</param>
    /// <param name="height">The model's input height.</param>
    /// <param name="width">The model's input width.</param>
    /// <param name="order">Gray (1 channel), RGB or BGR (3).</param>
    /// <param name="mean">Per channel (or one for all), as the model records: the network takes (pixel/255 − mean)/std.</param>
    /// <param name="std">Per channel (or one for all).</param>
    /// <param name="quantization">The int8 input's scale and zero point.</param>
    /// <param name="mode">Area (default) or bilinear.</param>
    /// <param name="vectorize">False runs scalar code everywhere (the tests hold both paths equal bit for bit).</param>
    public FramePreprocessor(FrameFormat frame, int height, int width, EdgeChannelOrder order, float[] mean, float[] std,
        QuantizationParams quantization, ResizeMode mode = ResizeMode.Area, bool vectorize = true)
    {
        frame.Validate();
        quantization.Validate("model input");
        if (height < 1 || width < 1) throw new ArgumentException($"a {width}×{height} model input");
        Channels = order == EdgeChannelOrder.Gray ? 1 : 3;
        if (mean.Length is not 1 && mean.Length != Channels || std.Length != mean.Length)
            throw new ArgumentException($"mean has {mean.Length} values and std {std.Length}: give one, or one per channel ({Channels})");
        Frame = frame;
        Height = height;
        Width = width;
        Order = order;
        Mode = mode;
        Vectorize = vectorize;
        Crop = FrameCrop.Centre(frame, height, width);
        _q = quantization;
        _rows = ResamplePlan.Create(mode, Crop.Height, height);
        _cols = ResamplePlan.Create(mode, Crop.Width, width);
        _direct = Channels == 1 && (frame.PixelFormat == FramePixelFormat.Gray8
            || frame.PixelFormat is FramePixelFormat.I420 or FramePixelFormat.Nv12 && frame.Range == YuvRange.Full);
        _planes = _direct ? [] : new byte[PixelConversion.PlaneBytes(Crop, Channels)];
        // The crop rows the resize reads (with a nonzero weight): only those are converted.
        _rowsRead = new bool[Crop.Height];
        for (int y = 0; y < height; y++)
            for (int t = 0; t < _rows.Taps; t++)
                if (_rows.Weights[y * _rows.MaxTaps + t] != 0f) _rowsRead[_rows.Start[y] + t] = true;
        _blend = new float[Crop.Width];
        _columns = new float[width];
        // The column weights tap-major (weight t of output x at t·width + x), for loads of eight outputs' weights.
        _colWeightsByTap = new float[_cols.Taps * width];
        for (int x = 0; x < width; x++)
            for (int t = 0; t < _cols.Taps; t++) _colWeightsByTap[t * width + x] = _cols.Weights[x * _cols.MaxTaps + t];
        _scale = new float[Channels];
        _offset = new float[Channels];
        _sourcePlane = new int[Channels];
        for (int c = 0; c < Channels; c++)
        {
            double m = mean.Length == 1 ? mean[0] : mean[c], s = std.Length == 1 ? std[0] : std[c];
            if (!(s > 0) || !double.IsFinite(s) || !double.IsFinite(m)) throw new ArgumentException($"channel {c}: mean {m}, std {s}");
            _scale[c] = (float)(1.0 / (255.0 * s * quantization.Scale));
            _offset[c] = (float)(quantization.ZeroPoint - m / (s * quantization.Scale));
            _sourcePlane[c] = order == EdgeChannelOrder.Bgr ? 2 - c : c;
        }
    }

    /// <summary>A preprocessor for <paramref name="session"/>'s int8 image input and frames of <paramref name="frame"/>.</summary>
    public static FramePreprocessor ForSession(EdgeSession session, FrameFormat frame, ResizeMode mode = ResizeMode.Area)
    {
        var (h, w) = session.ImageSize;
        var input = session.Inputs[0];
        if (h == 0) throw new ArgumentException($"{session.Source}: input '{input.Name}' [{string.Join(", ", input.LogicalShape)}] is not an image input");
        if (input.DataType != EdgeDataType.Int8) throw new ArgumentException($"{session.Source}: input '{input.Name}' is {input.DataType}; the camera pipeline feeds int8 inputs");
        var norm = session.Normalization;
        return new FramePreprocessor(frame, h, w, norm.ChannelOrder, norm.Mean, norm.Std, input.Quantization, mode);
    }

    public FrameFormat Frame { get; }
    public int Height { get; }
    public int Width { get; }
    public int Channels { get; }
    public EdgeChannelOrder Order { get; }
    public ResizeMode Mode { get; }
    public bool Vectorize { get; }

    /// <summary>The part of the frame the model sees.</summary>
    public FrameCrop Crop { get; }

    /// <summary>Values written per frame: height × width × channels.</summary>
    public int InputLength => Height * Width * Channels;

    /// <summary>Preprocesses <paramref name="frame"/> into <paramref name="nhwc"/> (<see cref="InputLength"/> int8 values).</summary>
    public void Process(ReadOnlySpan<byte> frame, Span<sbyte> nhwc)
    {
        if (frame.Length != Frame.FrameBytes) throw new ArgumentException($"a {Frame} frame is {Frame.FrameBytes} bytes, not {frame.Length}");
        if (nhwc.Length != InputLength) throw new ArgumentException($"the model input holds {InputLength} values, the buffer {nhwc.Length}");
        ReadOnlySpan<byte> planes;
        int stride, plane;
        if (_direct)
        {
            // Gray8 or full-range Y: the crop is read in place, rows Frame.Width apart.
            stride = Frame.Width;
            planes = frame.Slice(Crop.Y * stride + Crop.X);
            plane = 0;
        }
        else
        {
            PixelConversion.ToPlanes(frame, Frame, Crop, Channels, _planes, Vectorize, _rowsRead);
            planes = _planes;
            stride = Crop.Width;
            plane = Crop.Width * Crop.Height;
        }
        for (int y = 0; y < Height; y++)
        {
            for (int c = 0; c < Channels; c++)
            {
                BlendRows(planes.Slice(_sourcePlane[c] * plane), stride, y);
                Columns(y, c, nhwc);
            }
        }
    }

    /// <summary>_blend[x] = Σ_t w_t · source[(start + t)·stride + x] over the rows output row <paramref name="y"/> covers.</summary>
    private void BlendRows(ReadOnlySpan<byte> source, int stride, int y)
    {
        int start = _rows.Start[y], count = _rows.Count[y], n = _blend.Length;
        var weights = _rows.Weights.AsSpan(y * _rows.MaxTaps, count);
        var blend = _blend.AsSpan();
        bool first = true;
        for (int t = 0; t < count; t++)
        {
            float w = weights[t];
            if (w == 0f) continue; // a padding tap
            var row = source.Slice((start + t) * stride, n);
            int x = 0;
            if (Vectorize && Vector.IsHardwareAccelerated)
            {
                int vb = Vector<byte>.Count, vf = Vector<float>.Count;
                var wv = new Vector<float>(w);
                for (; x + vb <= n; x += vb)
                {
                    Vector.Widen(new Vector<byte>(row[x..]), out Vector<ushort> lo, out Vector<ushort> hi);
                    Vector.Widen(lo, out Vector<uint> a, out Vector<uint> b);
                    Vector.Widen(hi, out Vector<uint> c, out Vector<uint> d);
                    Accumulate(blend.Slice(x), Vector.ConvertToSingle(a), wv, first);
                    Accumulate(blend.Slice(x + vf), Vector.ConvertToSingle(b), wv, first);
                    Accumulate(blend.Slice(x + 2 * vf), Vector.ConvertToSingle(c), wv, first);
                    Accumulate(blend.Slice(x + 3 * vf), Vector.ConvertToSingle(d), wv, first);
                }
            }
            // The scalar tail computes w·p (+ acc) in the same float operations as a lane, so both paths agree bit for bit.
            if (first) for (; x < n; x++) blend[x] = w * row[x];
            else for (; x < n; x++) blend[x] += w * row[x];
            first = false;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(Span<float> blend, Vector<float> pixels, Vector<float> w, bool first)
    {
        var product = pixels * w;
        (first ? product : new Vector<float>(blend) + product).CopyTo(blend);
    }

    /// <summary>
    /// Output row <paramref name="y"/>, channel <paramref name="c"/>: each value sums its columns of _blend (a fixed
    /// number of taps: AVX2 gathers eight outputs at a time, elsewhere a scalar loop with the same operations in the same
    /// order), then normalization and quantization.
    /// </summary>
    private unsafe void Columns(int y, int c, Span<sbyte> nhwc)
    {
        int taps = _cols.Taps, maxTaps = _cols.MaxTaps, width = Width;
        var h = _columns.AsSpan();
        fixed (float* blend = _blend, weights = _cols.Weights, hp = _columns)
        fixed (int* starts = _cols.Start)
        {
            int x = 0;
            if (Vectorize && Avx2.IsSupported)
            {
                fixed (float* tapMajor = _colWeightsByTap)
                for (; x + 8 <= width; x += 8)
                {
                    var start = Avx.LoadVector256(starts + x);
                    var v = Vector256<float>.Zero;
                    for (int t = 0; t < taps; t++)
                    {
                        var px = Avx2.GatherVector256(blend, start + Vector256.Create(t), 4);
                        v += Avx.LoadVector256(tapMajor + t * width + x) * px;
                    }
                    Avx.Store(hp + x, v);
                }
            }
            for (; x < width; x++)
            {
                float* b = blend + starts[x];
                float* w = weights + x * maxTaps;
                float v = 0;
                for (int t = 0; t < taps; t++) v += w[t] * b[t];
                hp[x] = v;
            }
        }
        QuantizeRow(h[..width], _scale[c], _offset[c], nhwc.Slice(y * width * Channels), c);
    }

    /// <summary>row[x·C + c] = quantize(h[x]·a + b): clamp to [−128, 127], then round half away from zero.</summary>
    private void QuantizeRow(ReadOnlySpan<float> h, float a, float b, Span<sbyte> row, int c)
    {
        int channels = Channels, x = 0, n = h.Length;
        if (Vectorize && Vector.IsHardwareAccelerated)
        {
            int vf = Vector<float>.Count;
            var va = new Vector<float>(a);
            var vb = new Vector<float>(b);
            var lo = new Vector<float>(-128f);
            var hi = new Vector<float>(127f);
            var half = new Vector<float>(0.5f);
            Span<int> lanes = stackalloc int[Vector<int>.Count];
            for (; x + vf <= n; x += vf)
            {
                var v = Vector.Min(Vector.Max(new Vector<float>(h[x..]) * va + vb, lo), hi);
                var r = v + Vector.ConditionalSelect(Vector.LessThan(v, Vector<float>.Zero), -half, half);
                Vector.ConvertToInt32(r).CopyTo(lanes);
                for (int i = 0; i < vf; i++) row[(x + i) * channels + c] = (sbyte)lanes[i];
            }
        }
        for (; x < n; x++) row[x * channels + c] = Quantize(h[x] * a + b);
    }

    /// <summary>The scalar twin of the vector quantization: same clamp, same rounding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static sbyte Quantize(float x)
    {
        float v = x < -128f ? -128f : x > 127f ? 127f : x;
        return (sbyte)(int)(v + (v < 0f ? -0.5f : 0.5f));
    }
}
