using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Edge.Runtime.Kernels.Pool;

/// <summary>
/// The 2×2, stride-2 max pool without padding (LeNet's, VGG's) on few channels (C &lt; 64), a row at a time with AVX-512
/// VBMI: an output row's bytes are cut into chunks of whole pixels, at most 64 bytes (P = ⌊64 / C⌋ pixels); a chunk's
/// windows lie in 2·P·C ≤ 128 consecutive bytes of each of its two input rows, so two 64-byte loads per input row, their
/// maxima, and two <c>vpermt2b</c> (the left and the right pixel of each window, per output byte) give its bytes with one
/// more max and one masked store. (The Vector128 path walks 16 channels a pixel at a time: 6 of 16 lanes for LeNet's 6
/// channels.) The last chunks of the tensor, whose 128-byte reads would pass the input's end, go a byte at a time. A max
/// of int8 values is exact in any order, so the bytes are <see cref="RunScalar"/>'s.
/// </summary>
public sealed partial class Int8MaxPool
{
    /// <summary>Pixels per chunk (⌊64 / C⌋), and the chunk's two <c>vpermt2b</c> indices: byte i of pixel p = i / C, channel c = i mod C, ← 2p·C + c (left) and 2p·C + C + c (right).</summary>
    private sealed record PairChunks(int Pixels, byte[] Indices);

    /// <summary>Where <see cref="PairRowsFit"/>: the chunks of <see cref="PairRows"/>; else null.</summary>
    private PairChunks? Pairs { get; }

    private static PairChunks? PairChunksFor(Pool2dShape s)
    {
        if (!PairRowsFit(s)) return null;
        int c = s.Channels, pixels = 64 / c;
        var indices = new byte[128];
        for (int i = 0; i < pixels * c; i++)
        {
            int left = 2 * (i / c) * c + i % c;
            (indices[i], indices[64 + i]) = ((byte)left, (byte)(left + c));
        }
        return new PairChunks(pixels, indices);
    }

    /// <summary>Whether <paramref name="s"/> is a 2×2, stride-2 pool without padding or dilation on 1–63 channels, every window inside the input.</summary>
    internal static bool PairRowsFit(Pool2dShape s)
    {
        var w = s.Window;
        return w.KernelH == 2 && w.KernelW == 2 && w.StrideH == 2 && w.StrideW == 2 && w.DilationH == 1 && w.DilationW == 1
            && w.PadTop == 0 && w.PadLeft == 0 && w.PadBottom == 0 && w.PadRight == 0 && s.Channels < 64
            && 2 * s.OutW <= s.InW && 2 * s.OutH <= s.InH;
    }

    /// <summary>
    /// Whether <see cref="RunRows"/> takes <see cref="PairRows"/> for <paramref name="path"/>: AVX-512 asked for (Avx512BW or
    /// Avx512Vnni) and VBMI present — Zen 4 included, where the other managed kernels run AVX2 on the VNNI path: there this
    /// kernel measured 2.8× (LeNet-5's 28²×6 pool, 0.90 → 0.32 µs) and 1.4× (10²×16) faster than the Vector128 rows
    /// (bench/RESULTS.md, thirteenth session).
    /// </summary>
    private bool RunsPairRows(KernelPath path) => Pairs is not null && KernelPaths.Supported(path) >= KernelPath.Avx512BW && Avx512Vbmi.IsSupported;

    private static unsafe void PairRows(Int8MaxPool op, ReadOnlySpan<sbyte> input, Span<sbyte> output, int begin, int end)
    {
        var s = op.Shape;
        Guard.Length(input.Length, s.InputLength, "input");
        Guard.Length(output.Length, s.OutputLength, "output");
        var chunks = op.Pairs!;
        int c = s.Channels, rowBytes = s.InW * c, outRowBytes = s.OutW * c, chunkBytes = chunks.Pixels * c;
        long inputEnd = s.InputLength;
        fixed (sbyte* x = input, y = output)
        fixed (byte* pIndices = chunks.Indices)
        {
            var left = Vector512.Load(pIndices).AsSByte();
            var right = Vector512.Load(pIndices + 64).AsSByte();
            for (int r = begin; r < end; r++)
            {
                int n = r / s.OutH, oh = r % s.OutH;
                sbyte* top = x + ((long)n * s.InH + 2 * oh) * rowBytes, bottom = top + rowBytes, yr = y + (long)r * outRowBytes;
                for (int o = 0; o < outRowBytes; o += chunkBytes)
                {
                    int bytes = Math.Min(chunkBytes, outRowBytes - o);
                    sbyte* a = top + 2 * o, b = bottom + 2 * o;
                    if (b + 128 - x > inputEnd)
                    {
                        // The tensor's last chunks: the 64-byte reads would pass its end.
                        for (int i = 0; i < bytes; i++)
                        {
                            int at = 2 * (i / c) * c + i % c;
                            yr[o + i] = Math.Max(Math.Max(a[at], a[at + c]), Math.Max(b[at], b[at + c]));
                        }
                        continue;
                    }
                    var lo = Vector512.Max(Vector512.Load(a), Vector512.Load(b));
                    var hi = Vector512.Max(Vector512.Load(a + 64), Vector512.Load(b + 64));
                    var v = Vector512.Max(Avx512Vbmi.PermuteVar64x8x2(lo, left, hi), Avx512Vbmi.PermuteVar64x8x2(lo, right, hi));
                    MaskedStore.First(yr + o, v, bytes);
                }
            }
        }
    }
}
