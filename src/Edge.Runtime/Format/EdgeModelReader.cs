using System.Buffers.Binary;
using System.Text;

namespace Edge.Runtime.Format;

/// <summary>
/// Reads a <c>.edge</c> file. Magic, version, file length and checksum are verified first; then every count, offset
/// and length is checked against the bytes that remain before it is used, so a truncated or altered file raises
/// <see cref="EdgeModelFormatException"/> — never another exception, never an allocation sized by unchecked input.
/// Operator parameters are checked when the runtime prepares each operator.
/// </summary>
public static class EdgeModelReader
{
    private const int MaxRank = 8;

    public static EdgeModel Read(string path, bool verifyChecksum = true)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EdgeModelFormatException(path, $"cannot read: {e.Message}", e);
        }
        return Read(bytes, path, verifyChecksum);
    }

    public static EdgeModel Read(Stream stream, string source, bool verifyChecksum = true)
    {
        using var ms = new MemoryStream();
        stream.CopyTo(ms);
        return Read(ms.ToArray(), source, verifyChecksum);
    }

    public static EdgeModel Read(ReadOnlySpan<byte> file, string source, bool verifyChecksum = true)
    {
        EdgeModelFormatException Bad(string m) => new(source, m);

        if (file.Length < EdgeFileLayout.SectionTableOffset) throw Bad($"too short for a .edge header ({file.Length} bytes, need {EdgeFileLayout.SectionTableOffset})");
        if (!file[..8].SequenceEqual(EdgeFileLayout.Magic)) throw Bad("not a .edge model (bad magic)");
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(file[8..]);
        if (version != EdgeFileLayout.FormatVersion) throw Bad($"format version {version} is not supported (this runtime reads version {EdgeFileLayout.FormatVersion})");
        uint sectionCount = BinaryPrimitives.ReadUInt32LittleEndian(file[12..]);
        ulong declaredLength = BinaryPrimitives.ReadUInt64LittleEndian(file[16..]);
        if (declaredLength != (ulong)file.Length) throw Bad($"file is {file.Length} bytes, its header declares {declaredLength} (truncated or padded)");
        if (sectionCount == 0 || sectionCount > EdgeFileLayout.MaxSections) throw Bad($"section count {sectionCount} is out of range 1..{EdgeFileLayout.MaxSections}");
        int tableEnd = EdgeFileLayout.SectionTableOffset + (int)sectionCount * EdgeFileLayout.SectionEntryLength;
        if (tableEnd > file.Length) throw Bad($"section table of {sectionCount} entries runs past the end of the file");
        if (verifyChecksum)
        {
            Span<byte> hash = stackalloc byte[EdgeFileLayout.ChecksumLength];
            EdgeFileLayout.ComputeChecksum(file, hash);
            if (!hash.SequenceEqual(file.Slice(EdgeFileLayout.ChecksumOffset, EdgeFileLayout.ChecksumLength)))
                throw Bad("checksum mismatch: the file is corrupt or was altered");
        }

        var model = new EdgeModel { ProducerVersion = ReadProducer(file.Slice(24, EdgeFileLayout.ProducerFieldLength), source) };
        var sections = new Dictionary<EdgeSectionKind, (int Offset, int Length)>();
        for (int i = 0; i < sectionCount; i++)
        {
            var entry = file[(EdgeFileLayout.SectionTableOffset + i * EdgeFileLayout.SectionEntryLength)..];
            var kind = (EdgeSectionKind)BinaryPrimitives.ReadUInt32LittleEndian(entry);
            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(entry[8..]);
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(entry[16..]);
            if (!Enum.IsDefined(kind)) throw Bad($"section {i} has unknown kind {(uint)kind}");
            if (offset < (ulong)tableEnd || offset > (ulong)file.Length || length > (ulong)file.Length - offset)
                throw Bad($"section {kind} [{offset}, +{length}) lies outside the file's {file.Length} bytes");
            if (offset % EdgeFileLayout.Alignment != 0) throw Bad($"section {kind} starts at {offset}, not a multiple of {EdgeFileLayout.Alignment}");
            if (!sections.TryAdd(kind, ((int)offset, (int)length))) throw Bad($"section {kind} appears twice");
        }
        if (!sections.TryGetValue(EdgeSectionKind.Graph, out var graph)) throw Bad("no graph section");
        if (!sections.TryGetValue(EdgeSectionKind.Blobs, out var blobs)) throw Bad("no blob section");

        ReadGraph(new SectionReader(file.Slice(graph.Offset, graph.Length), source, "graph section"), model, file.Slice(blobs.Offset, blobs.Length), blobs.Offset);
        if (sections.TryGetValue(EdgeSectionKind.Labels, out var labels))
        {
            var r = new SectionReader(file.Slice(labels.Offset, labels.Length), source, "labels section");
            int n = r.Count(4, "label count");
            for (int i = 0; i < n; i++) model.Labels.Add(r.String("label"));
            r.ExpectEnd();
        }
        if (sections.TryGetValue(EdgeSectionKind.Metadata, out var meta))
        {
            var r = new SectionReader(file.Slice(meta.Offset, meta.Length), source, "metadata section");
            int n = r.Count(4, "metadata count");
            if (n % 2 != 0) throw Bad("metadata section holds an odd number of strings");
            for (int i = 0; i < n; i += 2)
            {
                var key = r.String("metadata key");
                if (!model.Metadata.TryAdd(key, r.String("metadata value"))) throw Bad($"metadata key '{key}' appears twice");
            }
            r.ExpectEnd();
        }
        if (model.Labels.Count > 0 && model.Outputs.Count > 0)
        {
            var first = model.Tensors[model.Outputs[0]];
            if (first.Shape.Length == 0) throw Bad($"{model.Labels.Count} labels for output '{first.Name}', which has no class axis (rank 0)");
            if (model.Labels.Count != first.Shape[^1]) throw Bad($"{model.Labels.Count} labels for an output of {first.Shape[^1]} classes");
        }
        return model;
    }

    private static string ReadProducer(ReadOnlySpan<byte> field, string source)
    {
        int end = field.IndexOf((byte)0);
        try
        {
            return new UTF8Encoding(false, true).GetString(end < 0 ? field : field[..end]);
        }
        catch (DecoderFallbackException e)
        {
            throw new EdgeModelFormatException(source, "producer version is not valid UTF-8", e);
        }
    }

    private static void ReadGraph(SectionReader r, EdgeModel model, ReadOnlySpan<byte> blobs, int blobsFileOffset)
    {
        int tensorCount = r.Count(14, "tensor count");
        for (int i = 0; i < tensorCount; i++)
        {
            var name = r.String($"tensor {i} name");
            var type = r.DataType($"tensor '{name}'");
            var shape = r.Shape($"tensor '{name}'", MaxRank);
            float scale = r.Float();
            int zeroPoint = r.Int();
            if (type == EdgeDataType.Int8 && (!(scale > 0) || !float.IsFinite(scale) || zeroPoint is < -128 or > 127))
                throw r.Bad($"tensor '{name}' has invalid int8 parameters scale {scale}, zero point {zeroPoint}");
            model.Tensors.Add(new EdgeTensor(name, type, shape, scale, zeroPoint));
        }
        int inputCount = r.Count(13, "input count");
        if (inputCount == 0) throw r.Bad("the model declares no input");
        for (int i = 0; i < inputCount; i++)
        {
            int tensor = r.TensorIndex(tensorCount, $"input {i}");
            byte order = r.Byte();
            if (order > (byte)EdgeChannelOrder.Bgr) throw r.Bad($"input {i} has unknown channel order {order}");
            var mean = r.Floats($"input {i} mean");
            var std = r.Floats($"input {i} std");
            if (mean.Length != std.Length) throw r.Bad($"input {i} has {mean.Length} means and {std.Length} stds");
            if (std.Any(s => !(s > 0) || !float.IsFinite(s)) || mean.Any(m => !float.IsFinite(m))) throw r.Bad($"input {i} has a non-finite mean or a non-positive std");
            model.Inputs.Add(new EdgeInput(tensor, mean, std, (EdgeChannelOrder)order));
        }
        var outputs = r.Ints("outputs");
        if (outputs.Length == 0) throw r.Bad("the model declares no output");
        foreach (var o in outputs)
        {
            if ((uint)o >= (uint)tensorCount) throw r.Bad($"output tensor index {o} is out of range (the model has {tensorCount} tensors)");
        }
        model.Outputs.AddRange(outputs);

        int opCount = r.Count(30, "operator count");
        for (int i = 0; i < opCount; i++)
        {
            var type = (EdgeOpType)r.UShort();
            if (!Enum.IsDefined(type)) throw r.Bad($"operator {i} has unknown type {(ushort)type}");
            var name = r.String($"operator {i} name");
            var where = $"operator {i} '{name}' ({type})";
            var inputs = r.Ints($"{where} inputs");
            var outs = r.Ints($"{where} outputs");
            foreach (var t in inputs.Concat(outs))
            {
                if ((uint)t >= (uint)tensorCount) throw r.Bad($"{where} refers to tensor {t}, the model has {tensorCount}");
            }
            var ints = r.Ints($"{where} parameters");
            var floats = r.Floats($"{where} parameters");
            int blobCount = r.Count(25, $"{where} blob count");
            var opBlobs = new EdgeBlob[blobCount];
            for (int b = 0; b < blobCount; b++)
            {
                var blobType = r.DataType($"{where} blob {b}");
                var shape = r.Shape($"{where} blob {b}", MaxRank);
                long offset = r.Long(), length = r.Long();
                long expected = shape.Aggregate(1L, (a, d) => a * d) * (blobType == EdgeDataType.Int8 ? 1 : 4);
                if (offset < 0 || length < 0 || offset > blobs.Length || length > blobs.Length - offset)
                    throw r.Bad($"{where} blob {b} [{offset}, +{length}) lies outside the blob section of {blobs.Length} bytes");
                if ((blobsFileOffset + offset) % EdgeFileLayout.Alignment != 0) throw r.Bad($"{where} blob {b} is not {EdgeFileLayout.Alignment}-byte aligned");
                if (length != expected) throw r.Bad($"{where} blob {b} of shape [{string.Join(", ", shape)}] {blobType} needs {expected} bytes, the file gives {length}");
                opBlobs[b] = new EdgeBlob(blobType, shape, blobs.Slice((int)offset, (int)length).ToArray());
            }
            model.Ops.Add(new EdgeOp(type, name, inputs, outs, ints, floats, opBlobs));
        }
        r.ExpectEnd();
    }

    /// <summary>A cursor over one section; every read is bounds-checked and failures name the section and field.</summary>
    private ref struct SectionReader(ReadOnlySpan<byte> data, string source, string section)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _pos;

        public readonly EdgeModelFormatException Bad(string message) => new(source, $"{section}: {message}");

        private ReadOnlySpan<byte> Take(int n, string what = "value")
        {
            if (n < 0 || n > _data.Length - _pos) throw Bad($"{what} at byte {_pos} needs {n} bytes, {_data.Length - _pos} remain (truncated)");
            var s = _data.Slice(_pos, n);
            _pos += n;
            return s;
        }

        public byte Byte() => Take(1)[0];
        public ushort UShort() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));
        public int Int() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));
        public long Long() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));
        public float Float() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));

        /// <summary>A count of items each at least <paramref name="minItemBytes"/> long, so it cannot exceed what remains.</summary>
        public int Count(int minItemBytes, string what)
        {
            int n = Int();
            if (n < 0 || (long)n * minItemBytes > _data.Length - _pos) throw Bad($"{what} {n} does not fit in the {_data.Length - _pos} bytes that remain");
            return n;
        }

        public string String(string what)
        {
            int n = Count(1, $"{what} length");
            try
            {
                return new UTF8Encoding(false, true).GetString(Take(n, what));
            }
            catch (DecoderFallbackException e)
            {
                throw new EdgeModelFormatException(source, $"{section}: {what} is not valid UTF-8", e);
            }
        }

        public int[] Ints(string what)
        {
            int n = Count(4, $"{what} count");
            var v = new int[n];
            for (int i = 0; i < n; i++) v[i] = Int();
            return v;
        }

        public float[] Floats(string what)
        {
            int n = Count(4, $"{what} count");
            var v = new float[n];
            for (int i = 0; i < n; i++) v[i] = Float();
            return v;
        }

        public int[] Shape(string what, int maxRank)
        {
            var dims = Ints($"{what} shape");
            if (dims.Length > maxRank) throw Bad($"{what} has rank {dims.Length}, more than {maxRank}");
            long count = 1;
            foreach (var d in dims)
            {
                if (d <= 0) throw Bad($"{what} has a non-positive dimension in [{string.Join(", ", dims)}]");
                count *= d;
                if (count > int.MaxValue) throw Bad($"{what} shape [{string.Join(", ", dims)}] is too large");
            }
            return dims;
        }

        public EdgeDataType DataType(string what)
        {
            var t = (EdgeDataType)Byte();
            if (!Enum.IsDefined(t)) throw Bad($"{what} has unknown element type {(byte)t}");
            return t;
        }

        public int TensorIndex(int tensorCount, string what)
        {
            int t = Int();
            if ((uint)t >= (uint)tensorCount) throw Bad($"{what} refers to tensor {t}, the model has {tensorCount}");
            return t;
        }

        public readonly void ExpectEnd()
        {
            if (_pos != _data.Length) throw Bad($"{_data.Length - _pos} unexpected bytes after the last entry");
        }
    }
}
