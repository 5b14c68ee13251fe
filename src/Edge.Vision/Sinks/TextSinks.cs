using System.Globalization;
using System.Text;
using Edge.Vision.Pipeline;

namespace Edge.Vision.Sinks;

/// <summary>
/// One human-readable line per prediction: <c>frame 12  Coat (4)  0.931  2.14 ms</c>, or <c>frame 12  -  (Coat 0.412 below 0.500)</c>
/// under the threshold. Each line is formatted into a reused buffer and written with one call.
/// </summary>
public sealed class ConsoleSink(TextWriter writer, float threshold = 0) : IPredictionSink
{
    private readonly LineBuilder _line = new(512);

    public void OnPrediction(in Prediction p)
    {
        var b = _line.Clear();
        b.Append("frame ").Append(p.Frame).Append("  ");
        if (!p.AboveThreshold) b.Append("-  (");
        if (p.Label is not null) b.Append(p.Label).Append(" (").Append(p.ClassIndex).Append(')');
        else b.Append("class ").Append(p.ClassIndex);
        b.Append("  ").Append(p.Confidence, "0.000");
        if (!p.AboveThreshold) b.Append(" below ").Append(threshold, "0.000").Append(')');
        b.Append("  ").Append(p.LatencyMilliseconds, "0.00").Append(" ms\n");
        writer.Write(b.Written);
        writer.Flush();
    }

    public void OnStopped() => writer.Flush();
}

/// <summary>
/// One JSON object per line per prediction (JSON Lines), to stdout or a file:
/// <c>{"frame":12,"class":4,"label":"Coat","confidence":0.9312,"above_threshold":true,"latency_ms":2.14}</c>.
/// A line is formatted whole into a reused buffer and written with one call, then flushed, so a reader never sees
/// half a line from a pipeline that stopped (Ctrl+C, SIGTERM and <c>--frames</c> all finish the current line).
/// </summary>
public sealed class JsonLinesSink : IPredictionSink
{
    private readonly TextWriter _writer;
    private readonly bool _ownsWriter;
    private readonly LineBuilder _line = new(1024);
    private string[] _escaped = [];

    public JsonLinesSink(TextWriter writer, bool ownsWriter = false) => (_writer, _ownsWriter) = (writer, ownsWriter);

    /// <summary>Appends to <paramref name="path"/> (created when missing).</summary>
    public static JsonLinesSink ToFile(string path)
        => new(new StreamWriter(path, append: true, new UTF8Encoding(false)), ownsWriter: true);

    public void OnPrediction(in Prediction p)
    {
        var b = _line.Clear();
        b.Append("{\"frame\":").Append(p.Frame).Append(",\"class\":").Append(p.ClassIndex).Append(",\"label\":");
        if (p.Label is null) b.Append("null");
        else b.Append('"').Append(Escaped(p.ClassIndex, p.Label)).Append('"');
        b.Append(",\"confidence\":").Append(p.Confidence, "0.####").Append(",\"above_threshold\":").Append(p.AboveThreshold ? "true" : "false")
            .Append(",\"latency_ms\":").Append(p.LatencyMilliseconds, "0.###").Append("}\n");
        _writer.Write(b.Written);
        _writer.Flush();
    }

    public void OnStopped()
    {
        _writer.Flush();
        if (_ownsWriter) _writer.Dispose();
    }

    /// <summary>A label JSON-escaped, computed once per class.</summary>
    private string Escaped(int index, string label)
    {
        if (index >= _escaped.Length) Array.Resize(ref _escaped, Math.Max(index + 1, 16));
        return _escaped[index] ??= System.Text.Json.JsonEncodedText.Encode(label).ToString();
    }
}

/// <summary>Formats into one reused char buffer with the invariant culture; text past its end is cut (labels are short).</summary>
internal sealed class LineBuilder(int capacity)
{
    private readonly char[] _buffer = new char[capacity];
    private int _length;

    public ReadOnlySpan<char> Written => _buffer.AsSpan(0, _length);

    public LineBuilder Clear()
    {
        _length = 0;
        return this;
    }

    public LineBuilder Append(ReadOnlySpan<char> text)
    {
        int n = Math.Min(text.Length, _buffer.Length - _length);
        text[..n].CopyTo(_buffer.AsSpan(_length));
        _length += n;
        return this;
    }

    public LineBuilder Append(char c)
    {
        if (_length < _buffer.Length) _buffer[_length++] = c;
        return this;
    }

    public LineBuilder Append(long v)
    {
        if (v.TryFormat(_buffer.AsSpan(_length), out int n, default, CultureInfo.InvariantCulture)) _length += n;
        return this;
    }

    public LineBuilder Append(double v, string format)
    {
        if (v.TryFormat(_buffer.AsSpan(_length), out int n, format, CultureInfo.InvariantCulture)) _length += n;
        return this;
    }
}
