namespace Edge.Runtime.Format;

/// <summary>
/// Constants of the <c>.edge</c> container (docs/edge-format.md). All integers little-endian.
/// <code>
/// offset  size  field
///      0     8  magic "EDGEINT8"
///      8     4  format version (u32)
///     12     4  section count (u32)
///     16     8  file length (u64)
///     24    16  producer version, UTF-8, zero-padded
///     40    32  SHA-256 of the whole file except this field: bytes [0, 40) then [72, file length)
///     72  24×n  section table: kind (u32), reserved (u32, 0), offset (u64), length (u64)
///   ...         sections, each starting at a multiple of 64, zero padding between
/// </code>
/// </summary>
public static class EdgeFileLayout
{
    public static ReadOnlySpan<byte> Magic => "EDGEINT8"u8;
    public const uint FormatVersion = 1;
    public const int ProducerFieldLength = 16;
    public const int ChecksumOffset = 40;
    public const int ChecksumLength = 32;
    public const int SectionTableOffset = 72;
    public const int SectionEntryLength = 24;
    public const int Alignment = 64;

    /// <summary>
    /// SHA-256 of the file without its checksum field, computed by the managed <see cref="Sha256"/> so that loading a
    /// model never reaches OpenSSL (absent on some devices and under qemu).
    /// </summary>
    public static void ComputeChecksum(ReadOnlySpan<byte> file, Span<byte> destination)
    {
        var hash = Sha256.Create();
        hash.Append(file[..ChecksumOffset]);
        hash.Append(file[(ChecksumOffset + ChecksumLength)..]);
        hash.Finish(destination);
    }

    /// <summary>Upper bound on the section count a reader accepts.</summary>
    public const int MaxSections = 16;
}

/// <summary>Section kinds. Part of the format: never renumber.</summary>
public enum EdgeSectionKind : uint
{
    /// <summary>Tensors, inputs, outputs, operators (blob contents live in <see cref="Blobs"/>).</summary>
    Graph = 1,

    /// <summary>Constant data; each blob starts at a multiple of 64 bytes from the start of the file.</summary>
    Blobs = 2,

    /// <summary>Class labels (optional).</summary>
    Labels = 3,

    /// <summary>Key/value provenance strings.</summary>
    Metadata = 4,
}
