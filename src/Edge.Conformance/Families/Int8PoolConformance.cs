using Edge.Core.Shapes;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Pool;

namespace Edge.Conformance.Families;

/// <summary>
/// <see cref="Int8MaxPool"/>, <see cref="Int8AveragePool"/> (both ways of counting padding) and
/// <see cref="Int8GlobalAveragePool"/> on one kernel path against their scalar references: channels 1..65 around the
/// 8- and 16-lane blocks, windows 2×2, 3×3, 5×5 and generic ones (1×4, 7×3), strides 1 and 2, dilation 2 (max pool),
/// asymmetric padding and ceil mode, spatial sizes 1..9 and odd larger ones, batch 2, zero points −128, 0, 127, constant
/// extreme inputs. The windowed pools also run split into two row ranges (as two threads would); every output buffer's
/// tail must survive untouched.
/// </summary>
public static class Int8PoolConformance
{
    private static readonly int[] AllChannels = [1, 3, 4, 7, 8, 13, 15, 16, 17, 24, 31, 32, 33, 65];
    private static readonly int[] QuickChannels = [1, 7, 16, 33];
    private static readonly (int H, int W)[] Kernels = [(2, 2), (3, 3), (5, 5), (1, 4), (7, 3)];

    public static IEnumerable<ConformanceCase> Cases(KernelPath path, bool quick)
    {
        int index = 0;
        foreach (int channels in quick ? QuickChannels : AllChannels)
            foreach (var (kh, kw) in quick ? Kernels[..3] : Kernels)
                foreach (int stride in new[] { 1, 2 })
                {
                    int i = index++;
                    int dilation = i % 5 == 4 ? 2 : 1;
                    var (pt, pl, pb, pr) = (i % 3) switch
                    {
                        0 => (kh / 2, kw / 2, kh / 2, kw / 2),
                        1 => (kh / 2, 0, 0, kw / 2),
                        _ => (0, 0, 0, 0),
                    };
                    int h = Math.Max(1 + i % 9, (kh - 1) * dilation + 1), w = Math.Max(1 + (i * 5 + 3) % 9, (kw - 1) * dilation + 1);
                    var window = new Window2d(kh, kw, stride, stride, pt, pl, pb, pr, CeilMode: i % 4 == 3);
                    var dilated = window with { DilationH = dilation, DilationW = dilation, CeilMode = false };
                    var rng = new Random(i);
                    int zp = SeededInt8.ZeroPoint(rng, i);
                    bool extreme = i % 7 == 0;
                    int batch = 1 + i % 2;
                    yield return Max(path, new Pool2dShape(batch, h, w, channels, dilated), 2000 + i, extreme);
                    foreach (bool includePad in new[] { false, true })
                        yield return Average(path, new Pool2dShape(batch, h, w, channels, window), includePad, zp, 3000 + i, extreme);
                }
        foreach (int channels in quick ? QuickChannels : AllChannels)
        {
            int i = index++;
            yield return Global(path, 1 + i % 2, 1 + i % 7, 1 + (i * 3) % 9, channels, SeededInt8.ZeroPoint(new Random(i), i), 4000 + i, i % 5 == 0);
        }
        yield return Global(path, 1, 17, 19, 24, 127, 4999, extreme: true);       // 323 pixels, past the int16 sums
        // The AVX2 path's 32-channel blocks (the last ending at C): past the int16 runs, batches, a classifier's width.
        yield return Global(path, 1, 17, 19, 40, -128, 4998, extreme: true);
        yield return Global(path, 2, 16, 16, 33, 127, 4997, extreme: true);      // 256 pixels: one whole int16 run
        yield return Global(path, 1, 17, 19, 40, 127, 4994, extreme: false, constant: sbyte.MinValue);   // runs of 256 −128s: −32,768
        yield return Global(path, 1, 19, 17, 16, 127, 4993, extreme: false, constant: sbyte.MinValue);
        yield return Global(path, 1, 17, 17, 40, -128, 4992, extreme: false, constant: sbyte.MaxValue);
        yield return Global(path, 2, 7, 7, 256, 5, 4996, extreme: false);
        yield return Global(path, 1, 3, 5, 1283, -7, 4995, extreme: false);
        yield return Max(path, new Pool2dShape(1, 29, 27, 32, new Window2d(3, 3, 2, 2, 1, 1, 1, 1)), 5001, false);
        // The interior's 32- and 64-channel loads (AVX2, AVX-512BW), the last block overlapping: ResNet's 3×3 s2 pool and wider.
        yield return Max(path, new Pool2dShape(1, 15, 17, 64, new Window2d(3, 3, 2, 2, 1, 1, 1, 1)), 5002, true);
        yield return Max(path, new Pool2dShape(2, 9, 11, 96, new Window2d(3, 3, 1, 1, 1, 1, 1, 1)), 5003, false);
        yield return Max(path, new Pool2dShape(1, 8, 13, 130, new Window2d(2, 3, 2, 1, 0, 1, 1, 0)), 5004, false);
        yield return Max(path, new Pool2dShape(1, 12, 10, 47, new Window2d(3, 3, 2, 2, 1, 1, 1, 1, 2, 2)), 5005, true);
        // 2×2 stride 2 unpadded on few channels (a row at a time on AVX-512 VBMI): chunks of ⌊64 / C⌋ pixels, one or many
        // per row, odd input sizes (the last row and column unused), the tensor's last chunks, batches; 64 channels not.
        foreach (var (batch, h, w, channels) in new[] { (1, 28, 28, 6), (1, 10, 10, 16), (2, 9, 37, 1), (1, 7, 65, 7), (3, 5, 12, 13), (1, 4, 9, 33), (2, 6, 5, 63), (1, 4, 6, 64) })
            if (!quick || channels is 6 or 63)
                yield return Max(path, new Pool2dShape(batch, h, w, channels, new Window2d(2, 2, 2, 2)), 5100 + channels, channels % 3 == 0);
        yield return Average(path, new Pool2dShape(1, 15, 17, 48, new Window2d(3, 3, 1, 1, 1, 1, 1, 1)), false, -128, 5002, true);
    }

    private static ConformanceCase Max(KernelPath path, Pool2dShape s, int seed, bool extreme)
        => new($"{nameof(Int8MaxPool)}/{path}", $"{s}, seed {seed}{(extreme ? ", extreme" : "")}", () =>
        {
            var op = Int8MaxPool.Prepare(s);
            var x = CaseData.Activations(new Random(seed), s.InputLength, extreme);
            return Rows(s.OutputLength, op.RowCount, seed, Compare.Nhwc(s.OutH, s.OutW, s.Channels),
                y => Int8MaxPool.RunScalar(op, x, y),
                y => Int8MaxPool.Run(op, x, y, path),
                (y, b, e) => Int8MaxPool.RunRows(op, x, y, path, b, e));
        });

    private static ConformanceCase Average(KernelPath path, Pool2dShape s, bool includePad, int zp, int seed, bool extreme)
        => new($"{nameof(Int8AveragePool)}/{path}", $"{s}{(includePad ? " incl-pad" : "")}, zp {zp}, seed {seed}{(extreme ? ", extreme" : "")}", () =>
        {
            var op = Int8AveragePool.Prepare(s, includePad, zp);
            var x = CaseData.Activations(new Random(seed), s.InputLength, extreme);
            return Rows(s.OutputLength, op.RowCount, seed, Compare.Nhwc(s.OutH, s.OutW, s.Channels),
                y => Int8AveragePool.RunScalar(op, x, y),
                y => Int8AveragePool.Run(op, x, y, path),
                (y, b, e) => Int8AveragePool.RunRows(op, x, y, path, b, e));
        });

    /// <summary>A global average pool case; <paramref name="constant"/>: every input byte that value (the int16 runs' bounds).</summary>
    private static ConformanceCase Global(KernelPath path, int n, int h, int w, int c, int zp, int seed, bool extreme, sbyte? constant = null)
        => new($"{nameof(Int8GlobalAveragePool)}/{path}", $"N{n} {h}x{w}x{c}, zp {zp}, seed {seed}{(extreme ? ", extreme" : "")}{(constant is { } k ? $", all {k}" : "")}", () =>
        {
            var op = Int8GlobalAveragePool.Prepare(n, h, w, c, zp);
            var x = CaseData.Activations(new Random(seed), op.InputLength, extreme);
            if (constant is { } value) x.AsSpan().Fill(value);
            var expected = new sbyte[op.OutputLength];
            Int8GlobalAveragePool.RunScalar(op, x, expected);
            var actual = new sbyte[op.OutputLength + 16];
            actual.AsSpan().Fill(99);
            Int8GlobalAveragePool.Run(op, x, actual.AsSpan(0, op.OutputLength), path);
            return Compare.FirstDifference<sbyte>(expected, actual.AsSpan(0, op.OutputLength), i => $" (n {i / c}, c {i % c})")
                ?? (actual.AsSpan(op.OutputLength).IndexOfAnyExcept((sbyte)99) >= 0 ? "wrote past the output tensor" : null);
        });

    /// <summary>The path whole, then split at a seeded row into two ranges run last-first, against the reference.</summary>
    internal static string? Rows(int length, int rows, int seed, Func<int, string> locate, Action<sbyte[]> reference, Action<Span<sbyte>> whole,
        RowsAction split)
    {
        var expected = new sbyte[length];
        reference(expected);
        var actual = new sbyte[length + 16];
        actual.AsSpan().Fill(99);
        whole(actual.AsSpan(0, length));
        if (Compare.FirstDifference<sbyte>(expected, actual.AsSpan(0, length), locate) is { } d) return $"whole: {d}";
        if (actual.AsSpan(length).IndexOfAnyExcept((sbyte)99) >= 0) return "wrote past the output tensor";
        int at = new Random(seed + 1).Next(0, rows + 1);
        actual.AsSpan().Fill(99);
        split(actual.AsSpan(0, length), at, rows);
        split(actual.AsSpan(0, length), 0, at);
        if (Compare.FirstDifference<sbyte>(expected, actual.AsSpan(0, length), locate) is { } r) return $"rows split at {at}: {r}";
        return actual.AsSpan(length).IndexOfAnyExcept((sbyte)99) >= 0 ? "rows: wrote past the output tensor" : null;
    }

    internal delegate void RowsAction(Span<sbyte> output, int begin, int end);
}
