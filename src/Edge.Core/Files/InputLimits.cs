namespace Edge.Core.Files;

/// <summary>
/// The most a data file may make Edge allocate, so a hostile or mistaken input (a gzip bomb, <c>/dev/zero</c>, a header
/// declaring 2^64 bytes) ends in a one-line error instead of taking a Raspberry Pi's memory. Readers check a declared
/// size before allocating and count inflated bytes while inflating. The <c>edge</c> command sets these from
/// <c>--max-input-mb</c> and <c>--max-pixels</c>; libraries read them when they open a file.
/// </summary>
public static class InputLimits
{
    /// <summary>256 MiB: the default ceiling on the bytes one input file holds (inflated, for gzip).</summary>
    public const long DefaultMaxBytes = 256L << 20;

    /// <summary>2^26 pixels (8192 × 8192): the default ceiling on one decoded image.</summary>
    public const long DefaultMaxPixels = 1L << 26;

    private static long _maxBytes = DefaultMaxBytes, _maxPixels = DefaultMaxPixels;

    /// <summary>Bytes one data file may hold, inflated (IDX, raw tensors, images, models).</summary>
    public static long MaxBytes
    {
        get => Volatile.Read(ref _maxBytes);
        set => Volatile.Write(ref _maxBytes, value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must be positive"));
    }

    /// <summary>Pixels one decoded image may have.</summary>
    public static long MaxPixels
    {
        get => Volatile.Read(ref _maxPixels);
        set => Volatile.Write(ref _maxPixels, value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must be positive"));
    }

    /// <summary>Restores both defaults.</summary>
    public static void Reset()
    {
        MaxBytes = DefaultMaxBytes;
        MaxPixels = DefaultMaxPixels;
    }

    /// <summary>"256 MiB", for messages.</summary>
    public static string Describe(long bytes) => bytes % (1L << 20) == 0 ? $"{bytes >> 20} MiB" : $"{bytes} bytes";

    /// <summary>The sentence every over-limit message ends with.</summary>
    public static string BytesHint => $"the limit is {Describe(MaxBytes)} (edge --max-input-mb raises it)";
}
