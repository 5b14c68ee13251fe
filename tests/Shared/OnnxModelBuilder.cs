using System.Buffers.Binary;
using Edge.Onnx.Proto;
using Google.Protobuf;
using DT = Edge.Onnx.Proto.TensorProto.Types.DataType;

namespace Edge.Tests.Shared;

/// <summary>A dimension of a graph input: a size, or a symbolic name such as "batch" (ONNX dim_param).</summary>
internal readonly record struct Dim(long Value, string? Param)
{
    public static implicit operator Dim(int value) => new(value, null);
    public static implicit operator Dim(string param) => new(0, param);
}

/// <summary>
/// Writes ONNX models for tests, over the importer's generated protobuf classes (same field numbers as onnx.proto).
/// Float initializers go to <c>raw_data</c> as PyTorch writes them, or to <c>float_data</c> with
/// <see cref="UseRawData"/> = false. Random weights are seeded, uniform in ±1/√fan_in like PyTorch's default init.
/// <code>
/// var bytes = new OnnxModelBuilder(opset: 13)
///     .Input("x", "batch", 3, 8, 8)
///     .RandomInitializer("w", 4, 3, 3, 3)
///     .Node("Conv", ["x", "w"], ["y"], "conv", OnnxAttr.Ints("pads", 1, 1, 1, 1))
///     .Output("y")
///     .ToBytes();
/// </code>
/// Link it into a test project with <c>&lt;Compile Include="../Shared/OnnxModelBuilder.cs" /&gt;</c>; the project
/// needs InternalsVisibleTo from Edge.Onnx (Edge.Onnx.Tests, Edge.Reference.Tests, Edge.Quantization.Tests and
/// Edge.Cli.Tests have it).
/// </summary>
internal sealed class OnnxModelBuilder
{
    private readonly ModelProto _model;
    private readonly Random _random;

    public OnnxModelBuilder(int opset = 13, string graphName = "test", int seed = 1)
    {
        _random = new Random(seed);
        _model = new ModelProto
        {
            IrVersion = opset >= 14 ? 8 : 7,
            ProducerName = "Edge.Tests",
            ProducerVersion = "1",
            Graph = new GraphProto { Name = graphName },
        };
        _model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
    }

    /// <summary>Whether float initializers are written to raw_data (default, as PyTorch does) or to float_data.</summary>
    public bool UseRawData { get; set; } = true;

    public GraphProto Graph => _model.Graph;

    public OnnxModelBuilder Opset(int version)
    {
        _model.OpsetImport[0].Version = version;
        return this;
    }

    public OnnxModelBuilder Producer(string name, string version)
    {
        _model.ProducerName = name;
        _model.ProducerVersion = version;
        return this;
    }

    public OnnxModelBuilder Metadata(string key, string value)
    {
        _model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return this;
    }

    /// <summary>A float32 graph input; each dimension is a size or a dim_param name.</summary>
    public OnnxModelBuilder Input(string name, params Dim[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d.Param is null ? new TensorShapeProto.Types.Dimension { DimValue = d.Value } : new TensorShapeProto.Types.Dimension { DimParam = d.Param });
        }
        Graph.Input.Add(new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)DT.Float, Shape = shape } },
        });
        return this;
    }

    /// <summary>A graph output (float32, shape left to inference).</summary>
    public OnnxModelBuilder Output(string name)
    {
        Graph.Output.Add(new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)DT.Float } },
        });
        return this;
    }

    public OnnxModelBuilder Initializer(string name, int[] dims, float[] values)
        => Initializer(FloatTensor(name, dims, values, UseRawData));

    public OnnxModelBuilder Initializer(TensorProto tensor)
    {
        Graph.Initializer.Add(tensor);
        return this;
    }

    /// <summary>A float initializer of seeded uniform values in ±1/√fan_in (fan_in: the product of dims after the first).</summary>
    public OnnxModelBuilder RandomInitializer(string name, params int[] dims)
    {
        int fanIn = Math.Max(1, dims.Skip(1).Aggregate(1, (a, b) => a * b));
        float bound = 1f / MathF.Sqrt(fanIn);
        var values = new float[dims.Aggregate(1, (a, b) => a * b)];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(_random.NextDouble() * 2 - 1) * bound;
        return Initializer(name, dims, values);
    }

    /// <summary>A 1-D int64 initializer (Reshape shapes, Pad pads, Unsqueeze axes).</summary>
    public OnnxModelBuilder Int64Initializer(string name, params long[] values)
        => Initializer(Int64Tensor(name, [values.Length], values));

    /// <summary>A node; <paramref name="name"/> defaults to "{opType}_{index}". An empty input name omits an optional input.</summary>
    public OnnxModelBuilder Node(string opType, string[] inputs, string[] outputs, string? name = null, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = name ?? $"{opType}_{Graph.Node.Count}" };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        node.Attribute.Add(attributes);
        return Node(node);
    }

    public OnnxModelBuilder Node(NodeProto node)
    {
        Graph.Node.Add(node);
        return this;
    }

    /// <summary>A Constant node holding a 1-D int64 tensor (how PyTorch writes shapes and pads).</summary>
    public OnnxModelBuilder Int64Constant(string output, params long[] values)
        => Node("Constant", [], [output], null, OnnxAttr.Tensor("value", Int64Tensor("", [values.Length], values)));

    /// <summary>A Constant node holding a float scalar (Clip bounds, Pad value).</summary>
    public OnnxModelBuilder FloatConstant(string output, float value)
        => Node("Constant", [], [output], null, OnnxAttr.Tensor("value", FloatTensor("", [], [value], raw: true)));

    /// <summary>A deep copy of the model built so far.</summary>
    public ModelProto Build() => _model.Clone();

    public byte[] ToBytes() => _model.ToByteArray();

    /// <summary>Writes the model to <paramref name="path"/> and returns the path.</summary>
    public string Save(string path)
    {
        File.WriteAllBytes(path, ToBytes());
        return path;
    }

    public static TensorProto FloatTensor(string name, int[] dims, float[] values, bool raw = true)
    {
        var t = new TensorProto { Name = name, DataType = (int)DT.Float };
        t.Dims.Add(dims.Select(d => (long)d));
        if (raw)
        {
            var bytes = new byte[values.Length * 4];
            for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
            t.RawData = ByteString.CopyFrom(bytes);
        }
        else
        {
            t.FloatData.Add(values);
        }
        return t;
    }

    public static TensorProto Int64Tensor(string name, int[] dims, long[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)DT.Int64 };
        t.Dims.Add(dims.Select(d => (long)d));
        t.Int64Data.Add(values);
        return t;
    }
}

/// <summary>Attribute factories for <see cref="OnnxModelBuilder.Node(string, string[], string[], string?, AttributeProto[])"/>.</summary>
internal static class OnnxAttr
{
    private static AttributeProto Of(string name, AttributeProto.Types.AttributeType type) => new() { Name = name, Type = type };

    public static AttributeProto Int(string name, long value)
    {
        var a = Of(name, AttributeProto.Types.AttributeType.Int);
        a.I = value;
        return a;
    }

    public static AttributeProto Float(string name, float value)
    {
        var a = Of(name, AttributeProto.Types.AttributeType.Float);
        a.F = value;
        return a;
    }

    public static AttributeProto String(string name, string value)
    {
        var a = Of(name, AttributeProto.Types.AttributeType.String);
        a.S = ByteString.CopyFromUtf8(value);
        return a;
    }

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = Of(name, AttributeProto.Types.AttributeType.Ints);
        a.Ints.Add(values);
        return a;
    }

    public static AttributeProto Floats(string name, params float[] values)
    {
        var a = Of(name, AttributeProto.Types.AttributeType.Floats);
        a.Floats.Add(values);
        return a;
    }

    public static AttributeProto Tensor(string name, TensorProto value)
    {
        var a = Of(name, AttributeProto.Types.AttributeType.Tensor);
        a.T = value;
        return a;
    }
}
