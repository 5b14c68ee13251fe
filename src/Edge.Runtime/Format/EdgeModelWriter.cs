using System.Buffers.Binary;
using System.Text;

namespace Edge.Runtime.Format;

/// <summary>
/// Writes an <see cref="EdgeModel"/> as a <c>.edge</c> file. The same model gives the same bytes: no timestamps, sorted
/// metadata, zero padding. <see cref="Save"/> writes to a temporary file beside the target and renames it, so a failure
/// never leaves a half-written model.
/// </summary>
public static class EdgeModelWriter
{
    public static void Save(EdgeModel model, string path)
    {
        var bytes = ToBytes(model);
        var full = Path.GetFullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public static byte[] ToBytes(EdgeModel model)
    {
        // Blobs first, so the graph section can record their offsets relative to the blob section.
        var blobs = new MemoryStream();
        var blobOffsets = new Dictionary<EdgeBlob, long>(ReferenceEqualityComparer.Instance);
        foreach (var op in model.Ops)
        {
            foreach (var blob in op.Blobs)
            {
                if (blobOffsets.ContainsKey(blob)) continue;
                Pad(blobs);
                blobOffsets[blob] = blobs.Position;
                blobs.Write(blob.Data);
            }
        }

        var sections = new List<(EdgeSectionKind Kind, byte[] Data)>
        {
            (EdgeSectionKind.Graph, GraphSection(model, blobOffsets)),
            (EdgeSectionKind.Blobs, blobs.ToArray()),
        };
        if (model.Labels.Count > 0) sections.Add((EdgeSectionKind.Labels, Strings(model.Labels)));
        if (model.Metadata.Count > 0) sections.Add((EdgeSectionKind.Metadata, Strings(model.Metadata.SelectMany(kv => new[] { kv.Key, kv.Value }).ToList())));

        var file = new MemoryStream();
        file.Write(new byte[EdgeFileLayout.SectionTableOffset + EdgeFileLayout.SectionEntryLength * sections.Count]);
        var table = new List<(EdgeSectionKind, long, long)>();
        foreach (var (kind, data) in sections)
        {
            Pad(file);
            table.Add((kind, file.Position, data.Length));
            file.Write(data);
        }
        var bytes = file.ToArray();

        var span = bytes.AsSpan();
        EdgeFileLayout.Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], EdgeFileLayout.FormatVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], (uint)sections.Count);
        BinaryPrimitives.WriteUInt64LittleEndian(span[16..], (ulong)bytes.Length);
        var producer = Encoding.UTF8.GetBytes(model.ProducerVersion);
        if (producer.Length > EdgeFileLayout.ProducerFieldLength) throw new ArgumentException($"producer version '{model.ProducerVersion}' exceeds {EdgeFileLayout.ProducerFieldLength} UTF-8 bytes");
        producer.CopyTo(span[24..]);
        for (int i = 0; i < table.Count; i++)
        {
            var entry = span[(EdgeFileLayout.SectionTableOffset + i * EdgeFileLayout.SectionEntryLength)..];
            BinaryPrimitives.WriteUInt32LittleEndian(entry, (uint)table[i].Item1);
            BinaryPrimitives.WriteUInt64LittleEndian(entry[8..], (ulong)table[i].Item2);
            BinaryPrimitives.WriteUInt64LittleEndian(entry[16..], (ulong)table[i].Item3);
        }
        EdgeFileLayout.ComputeChecksum(span, span.Slice(EdgeFileLayout.ChecksumOffset, EdgeFileLayout.ChecksumLength));
        return bytes;
    }

    private static byte[] GraphSection(EdgeModel model, Dictionary<EdgeBlob, long> blobOffsets)
    {
        var ms = new MemoryStream();
        var w = new BinaryWriter(ms, Encoding.UTF8);
        w.Write(model.Tensors.Count);
        foreach (var t in model.Tensors)
        {
            WriteString(w, t.Name);
            w.Write((byte)t.DataType);
            WriteInts(w, t.Shape);
            w.Write(t.Scale);
            w.Write(t.ZeroPoint);
        }
        w.Write(model.Inputs.Count);
        foreach (var i in model.Inputs)
        {
            w.Write(i.Tensor);
            w.Write((byte)i.ChannelOrder);
            WriteFloats(w, i.Mean);
            WriteFloats(w, i.Std);
        }
        WriteInts(w, model.Outputs.ToArray());
        w.Write(model.Ops.Count);
        foreach (var op in model.Ops)
        {
            w.Write((ushort)op.Type);
            WriteString(w, op.Name);
            WriteInts(w, op.Inputs);
            WriteInts(w, op.Outputs);
            WriteInts(w, op.Ints);
            WriteFloats(w, op.Floats);
            w.Write(op.Blobs.Length);
            foreach (var b in op.Blobs)
            {
                w.Write((byte)b.DataType);
                WriteInts(w, b.Shape);
                w.Write(blobOffsets[b]);
                w.Write((long)b.Data.Length);
            }
        }
        w.Flush();
        return ms.ToArray();
    }

    private static byte[] Strings(IReadOnlyList<string> values)
    {
        var ms = new MemoryStream();
        var w = new BinaryWriter(ms, Encoding.UTF8);
        w.Write(values.Count);
        foreach (var s in values) WriteString(w, s);
        w.Flush();
        return ms.ToArray();
    }

    private static void WriteString(BinaryWriter w, string s)
    {
        var b = Encoding.UTF8.GetBytes(s);
        w.Write(b.Length);
        w.Write(b);
    }

    private static void WriteInts(BinaryWriter w, int[] values)
    {
        w.Write(values.Length);
        foreach (var v in values) w.Write(v);
    }

    private static void WriteFloats(BinaryWriter w, float[] values)
    {
        w.Write(values.Length);
        foreach (var v in values) w.Write(v);
    }

    private static void Pad(Stream s)
    {
        while (s.Position % EdgeFileLayout.Alignment != 0) s.WriteByte(0);
    }
}
