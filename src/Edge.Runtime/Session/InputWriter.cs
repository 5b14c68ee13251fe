using Edge.Runtime.Arithmetic;
using Edge.Runtime.Format;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Float;

namespace Edge.Runtime.Session;

/// <summary>
/// Writes caller data into the model's input tensor in the arena: a float NCHW tensor (quantized with the input's
/// parameters by the contract's rule, and transposed to NHWC), int8 NHWC as it is, or an 8-bit HWC image normalized as the
/// model records it. For images, per-channel 256-entry tables built at load map a pixel straight to its int8 value:
/// <c>table[c][p] = quantize((p/255 − mean[c]) / std[c])</c>, the normalization in float32 in that order (as
/// torchvision's ToTensor then Normalize), so a table lookup gives the same int8 as normalizing and then quantizing.
/// </summary>
internal sealed class InputWriter
{
    private readonly SessionTensorInfo _info;
    private readonly SessionNormalization _norm;
    private readonly sbyte[][]? _tables;
    private readonly int _h, _w, _c;
    private readonly KernelPath _path;

    public InputWriter(SessionTensorInfo info, SessionNormalization normalization, KernelPath path)
    {
        (_info, _norm, _path) = (info, normalization, path);
        if (info.IsImageLayout) (_h, _w, _c) = (info.NhwcShape[1], info.NhwcShape[2], info.NhwcShape[3]);
        if (IsImage && info.DataType == EdgeDataType.Int8)
        {
            _tables = new sbyte[_c][];
            for (int c = 0; c < _c; c++)
            {
                _tables[c] = new sbyte[256];
                for (int p = 0; p < 256; p++) _tables[c][p] = info.Quantization.Quantize(normalization.Normalize(p, c));
            }
        }
    }

    /// <summary>The input is one image of 1 (gray) or 3 (RGB, BGR) channels, matching its recorded channel order.</summary>
    public bool IsImage => _info.IsImageLayout && _info.NhwcShape[0] == 1 && _info.DataType != EdgeDataType.Int32
        && (_c == 1 ? _norm.ChannelOrder == EdgeChannelOrder.Gray : _c == 3 && _norm.ChannelOrder != EdgeChannelOrder.Gray);

    /// <summary>Height and width of the image the input holds.</summary>
    public (int Height, int Width) ImageSize => (_h, _w);

    /// <summary>Values per work item of a float input's quantization: planes (or the whole tensor) in runs of this many.</summary>
    private const int ChunkValues = 8192;

    /// <summary>
    /// Work items of <see cref="WriteFloatRange"/> for threads: runs of <see cref="ChunkValues"/> values within each NCHW
    /// plane (or within the whole tensor when it is not an image), each written by one item; 1 for a float32 input tensor.
    /// </summary>
    public int FloatWorkItems => _info.DataType == EdgeDataType.Float32 ? 1 : Planes * ChunksPerPlane;

    private int Planes => _info.IsImageLayout ? _info.NhwcShape[0] * _c : 1;
    private int PlaneLength => _info.IsImageLayout ? _h * _w : (int)_info.ElementCount;
    private int ChunksPerPlane => Math.Max(1, (PlaneLength + ChunkValues - 1) / ChunkValues);

    /// <summary>
    /// Work items [<paramref name="begin"/>, <paramref name="end"/>) of <see cref="FloatWorkItems"/> of a float NCHW input;
    /// the caller has checked its length (<see cref="CheckLength"/>) once for the whole run.
    /// </summary>
    public void WriteFloatRange(ReadOnlySpan<float> nchw, in ArenaView arena, int tensor, int begin, int end)
    {
        if (_info.DataType == EdgeDataType.Float32)
        {
            var dst = arena.Float32(tensor);
            if (!_info.IsImageLayout) nchw.CopyTo(dst);
            else
                for (int n = 0, plane = _h * _w; n < _info.NhwcShape[0]; n++)
                    for (int c = 0; c < _c; c++)
                    {
                        var src = nchw.Slice((n * _c + c) * plane, plane);
                        var to = dst.Slice(n * plane * _c + c);
                        for (int i = 0; i < src.Length; i++) to[i * _c] = src[i];
                    }
            return;
        }
        var q = _info.Quantization;
        var y = arena.Int8(tensor);
        int chunks = ChunksPerPlane, planeLength = PlaneLength;
        for (int item = begin; item < end; item++)
        {
            // Plane (n, c) of NCHW, read in order, written into NHWC with stride C (1 when the input is not an image).
            int plane = item / chunks, start = item % chunks * ChunkValues, count = Math.Min(ChunkValues, planeLength - start);
            var src = nchw.Slice(plane * planeLength + start, count);
            if (!_info.IsImageLayout) Float32Quantize.Strided(src, y.Slice(start), 1, q, _path);
            else
            {
                int n = plane / _c, c = plane % _c;
                Float32Quantize.Strided(src, y.Slice((n * planeLength + start) * _c + c), _c, q, _path);
            }
        }
    }

    public void WriteInt8(ReadOnlySpan<sbyte> nhwc, in ArenaView arena, int tensor)
    {
        if (_info.DataType != EdgeDataType.Int8)
            throw new InvalidOperationException($"input '{_info.Name}' is {_info.DataType}; pass float NCHW values instead of int8");
        CheckLength(nhwc.Length, "int8 input");
        nhwc.CopyTo(arena.Int8(tensor));
    }

    /// <summary>
    /// An 8-bit HWC image of the input's height and width: gray (1 channel) or RGB (3 channels). A gray image feeding an
    /// RGB network is replicated; an RGB image feeding a gray network becomes ITU-R BT.601 luma first (as
    /// <c>InputNormalization.ToChw</c> does); a BGR network takes the channels in reverse.
    /// </summary>
    public void WriteImage(ReadOnlySpan<byte> hwc, int height, int width, int channels, in ArenaView arena, int tensor)
    {
        if (!IsImage) throw new InvalidOperationException($"input '{_info.Name}' [{string.Join(", ", _info.LogicalShape)}] ({_norm.ChannelOrder}) is not a gray or color image input");
        if (height != _h || width != _w)
            throw new ArgumentException($"the image is {width}×{height}, the model takes {_w}×{_h}: resize it first (Edge.Vision's ImageInput does)");
        if (channels is not (1 or 3)) throw new ArgumentException($"an image has 1 (gray) or 3 (RGB) channels, not {channels}");
        if (hwc.Length != height * width * channels) throw new ArgumentException($"{hwc.Length} bytes are not a {width}×{height}×{channels} image");
        int pixels = height * width;
        bool luma = channels == 3 && _c == 1;
        if (_tables is not null && !luma)
        {
            var y = arena.Int8(tensor);
            for (int c = 0; c < _c; c++)
            {
                var table = _tables[c];
                int source = channels == 1 ? 0 : _norm.ChannelOrder == EdgeChannelOrder.Bgr ? 2 - c : c;
                for (int p = 0; p < pixels; p++) y[p * _c + c] = table[hwc[p * channels + source]];
            }
            return;
        }
        bool int8 = _info.DataType == EdgeDataType.Int8;
        var q = _info.Quantization;
        var yq = int8 ? arena.Int8(tensor) : default;
        var yf = int8 ? default : arena.Float32(tensor);
        for (int c = 0; c < _c; c++)
        {
            int source = channels == 1 ? 0 : _norm.ChannelOrder == EdgeChannelOrder.Bgr ? 2 - c : c;
            for (int p = 0; p < pixels; p++)
            {
                float pixel = luma ? SessionNormalization.Luma(hwc[3 * p], hwc[3 * p + 1], hwc[3 * p + 2]) : hwc[p * channels + source];
                float value = _norm.Normalize(pixel, c);
                if (int8) yq[p * _c + c] = q.Quantize(value);
                else yf[p * _c + c] = value;
            }
        }
    }

    public void CheckLength(int length, string what)
    {
        if (length != _info.ElementCount)
            throw new ArgumentException($"{what} holds {length} values; input '{_info.Name}' [{string.Join(", ", _info.LogicalShape)}] needs {_info.ElementCount}");
    }
}
