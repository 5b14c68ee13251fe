using Edge.Onnx.Proto;
using AT = Edge.Onnx.Proto.AttributeProto.Types.AttributeType;

namespace Edge.Onnx;

/// <summary>
/// Typed access to a node's attributes. A missing attribute yields the caller's default (the ONNX default); an attribute
/// of the wrong type, or an integer out of range, fails the import naming the node.
/// </summary>
internal sealed class NodeAttributes
{
    private readonly OnnxNode _node;
    private readonly Dictionary<string, AttributeProto> _byName = new();

    public NodeAttributes(OnnxNode node, IEnumerable<AttributeProto> attributes)
    {
        _node = node;
        foreach (var a in attributes)
        {
            if (!_byName.TryAdd(a.Name, a)) throw node.Error($"attribute '{a.Name}' is given twice");
        }
    }

    public bool Has(string name) => _byName.ContainsKey(name);

    public long Int(string name, long fallback) => Get(name, AT.Int)?.I ?? fallback;

    /// <summary>An INT attribute that must fit in an <see cref="int"/>.</summary>
    public int SmallInt(string name, int fallback) => Get(name, AT.Int) is { } a ? Narrow(name, a.I) : fallback;

    public long RequiredInt(string name) => Get(name, AT.Int)?.I ?? throw _node.Error($"attribute '{name}' is required");

    public float Float(string name, float fallback) => Get(name, AT.Float)?.F ?? fallback;

    public string String(string name, string fallback) => Get(name, AT.String)?.S.ToStringUtf8() ?? fallback;

    public long[]? Ints(string name) => Get(name, AT.Ints)?.Ints.ToArray();

    /// <summary>An INTS attribute whose values must fit in an <see cref="int"/>.</summary>
    public int[]? SmallInts(string name) => Ints(name)?.Select(v => Narrow(name, v)).ToArray();

    public float[]? Floats(string name) => Get(name, AT.Floats)?.Floats.ToArray();

    public TensorProto? Tensor(string name) => Get(name, AT.Tensor)?.T;

    /// <summary>The attribute, or null when absent; checks its declared type (IR version 1 files declare none).</summary>
    private AttributeProto? Get(string name, AT expected)
    {
        if (!_byName.TryGetValue(name, out var a)) return null;
        if (a.Type != AT.Undefined && a.Type != expected)
        {
            throw _node.Error($"attribute '{name}' must be {expected.ToString().ToUpperInvariant()}, got {a.Type.ToString().ToUpperInvariant()}");
        }
        if (expected == AT.Tensor && a.T is null) throw _node.Error($"attribute '{name}' holds no tensor");
        return a;
    }

    private int Narrow(string name, long value)
        => value is >= int.MinValue and <= int.MaxValue ? (int)value : throw _node.Error($"attribute '{name}' value {value} is out of range");
}
