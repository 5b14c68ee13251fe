using Edge.Runtime.Format;

namespace Edge.Runtime.Session;

/// <summary>
/// Reads a model output out of the arena. As float: the values in the caller's logical layout (NCHW for a rank-4 tensor,
/// as the float model gives them), dequantized when the tensor is int8. As int8: the raw int8 tensor in the runtime's
/// layout (NHWC), which only an int8 output has.
/// </summary>
internal sealed class OutputReader
{
    private readonly SessionTensorInfo _info;
    private readonly float[]? _dequantized;

    public OutputReader(SessionTensorInfo info)
    {
        _info = info;
        if (info.DataType == EdgeDataType.Int8)
        {
            _dequantized = new float[256];
            for (int q = -128; q <= 127; q++) _dequantized[q + 128] = info.Quantization.Dequantize(q);
        }
    }

    public void ReadFloat(in ArenaView arena, int tensor, Span<float> destination)
    {
        CheckLength(destination.Length);
        if (_info.DataType == EdgeDataType.Float32)
        {
            var src = arena.Float32(tensor);
            if (!_info.IsImageLayout) src.CopyTo(destination);
            else Transpose(src, destination);
            return;
        }
        var q = arena.Int8(tensor);
        var table = _dequantized!;
        if (!_info.IsImageLayout)
        {
            for (int i = 0; i < q.Length; i++) destination[i] = table[q[i] + 128];
            return;
        }
        var (hw, c) = (_info.NhwcShape[1] * _info.NhwcShape[2], _info.NhwcShape[3]);
        for (int p = 0; p < q.Length / c; p++)
            for (int ch = 0; ch < c; ch++) destination[((p / hw) * c + ch) * hw + p % hw] = table[q[p * c + ch] + 128];
    }

    public void ReadInt8(in ArenaView arena, int tensor, Span<sbyte> destination)
    {
        if (_info.DataType != EdgeDataType.Int8)
            throw new InvalidOperationException($"output '{_info.Name}' is {_info.DataType}, not int8; read it as float (convert with --int8-output for raw int8)");
        CheckLength(destination.Length);
        arena.Int8(tensor).CopyTo(destination);
    }

    private void Transpose(ReadOnlySpan<float> nhwc, Span<float> nchw)
    {
        var (hw, c) = (_info.NhwcShape[1] * _info.NhwcShape[2], _info.NhwcShape[3]);
        for (int p = 0; p < nhwc.Length / c; p++)
            for (int ch = 0; ch < c; ch++) nchw[((p / hw) * c + ch) * hw + p % hw] = nhwc[p * c + ch];
    }

    private void CheckLength(int length)
    {
        if (length != _info.ElementCount)
            throw new ArgumentException($"the output span holds {length} values; output '{_info.Name}' [{string.Join(", ", _info.LogicalShape)}] has {_info.ElementCount}");
    }
}
