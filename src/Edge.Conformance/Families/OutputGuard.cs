namespace Edge.Conformance.Families;

/// <summary>
/// Bytes after a kernel's output that it must leave alone (its masked stores end at the tensor's last byte): filled
/// before the run and checked after it.
/// </summary>
public static class OutputGuard
{
    public const int Length = 128;
    private const sbyte Byte = 0x5A;

    public static void Fill(Span<sbyte> guard) => guard.Fill(Byte);

    /// <summary>Null when the guard is untouched, else which byte of it was written.</summary>
    public static string? Check(ReadOnlySpan<sbyte> guard)
    {
        int at = guard.IndexOfAnyExcept(Byte);
        return at < 0 ? null : $"wrote past the output's end (guard byte {at})";
    }
}
