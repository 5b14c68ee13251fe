using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Edge.Vision.Sources;

namespace Edge.Vision.Preprocessing;

/// <summary>
/// The first step of <see cref="FramePreprocessor"/>: the crop of a raw frame as 8-bit planes, one gray plane or R, G
/// and B planes (planar, so the resize runs on contiguous rows). ITU-R BT.601, limited or full range as the frame says:
/// <code>
/// full:    R = Y + 1.402·V'            G = Y − 0.344136·U' − 0.714136·V'      B = Y + 1.772·U'      (U' = U − 128)
/// limited: Y* = 255/219·(Y − 16), chroma × 255/224: R = Y* + 1.596027·V'   G = Y* − 0.391762·U' − 0.812968·V'   B = Y* + 2.017232·U'
/// gray:    Y (full), 255/219·(Y − 16) (limited), 0.299·R + 0.587·G + 0.114·B (RGB frames)
/// </code>
/// each rounded to the nearest integer and clamped to [0, 255]. Integer arithmetic with 16 fraction bits: the largest
/// sum, 76309·239 + 132201·127 ≈ 3.5·10⁷, is far inside int32. The I420 and NV12 to RGB rows run on
/// <see cref="Vector{T}"/> (AVX2 here, AdvSimd on the Pi) and are bit-exact with the scalar per-pixel code, which
/// serves the tails and the other formats.
/// </summary>
public static class PixelConversion
{
    private const int Shift = 16, Half = 1 << (Shift - 1);

    /// <summary>Integer BT.601 coefficients (×2¹⁶) of one range.</summary>
    private readonly record struct Coefficients(int Y, int Y0, int Rv, int Gu, int Gv, int Bu);

    private static readonly Coefficients Full = new(65536, 0, 91881, 22554, 46802, 116130);
    private static readonly Coefficients Limited = new(76309, 16, 104597, 25675, 53279, 132201);

    /// <summary>Limited-range Y to gray: round(255/219·(Y − 16)) clamped.</summary>
    private static readonly byte[] LimitedLuma = BuildLimitedLuma();

    private static byte[] BuildLimitedLuma()
    {
        var t = new byte[256];
        for (int y = 0; y < 256; y++) t[y] = (byte)Math.Clamp((Limited.Y * (y - 16) + Half) >> Shift, 0, 255);
        return t;
    }

    /// <summary>Bytes of the planes <see cref="ToPlanes"/> writes for a crop.</summary>
    public static int PlaneBytes(FrameCrop crop, int channels) => channels * crop.Width * crop.Height;

    /// <summary>
    /// Writes the <paramref name="crop"/> of <paramref name="frame"/> as <paramref name="channels"/> planes (1: gray; 3: R,
    /// G, B) of crop.Width × crop.Height into <paramref name="planes"/>. <paramref name="vectorize"/> false runs the scalar
    /// code everywhere (the tests hold both equal).
    /// </summary>
    /// <remarks><paramref name="rows"/>, when given, marks the crop rows to write (a bilinear resize reads few of them).</remarks>
    public static void ToPlanes(ReadOnlySpan<byte> frame, FrameFormat format, FrameCrop crop, int channels, Span<byte> planes, bool vectorize = true,
        ReadOnlySpan<bool> rows = default)
    {
        if (channels is not (1 or 3)) throw new ArgumentException($"channels {channels}: 1 (gray) or 3 (RGB)");
        if (frame.Length != format.FrameBytes) throw new ArgumentException($"a {format} frame is {format.FrameBytes} bytes, not {frame.Length}");
        if (crop.X < 0 || crop.Y < 0 || crop.Width < 1 || crop.Height < 1 || crop.X + crop.Width > format.Width || crop.Y + crop.Height > format.Height)
            throw new ArgumentException($"crop {crop} is outside the {format.Width}×{format.Height} frame");
        int plane = crop.Width * crop.Height;
        if (planes.Length != channels * plane) throw new ArgumentException($"{channels} planes of {crop.Width}×{crop.Height} are {channels * plane} bytes, not {planes.Length}");
        var k = format.Range == YuvRange.Full ? Full : Limited;
        if (!rows.IsEmpty && rows.Length != crop.Height) throw new ArgumentException($"{rows.Length} row flags for a crop of {crop.Height} rows");
        for (int row = 0; row < crop.Height; row++)
        {
            if (!rows.IsEmpty && !rows[row]) continue;
            int y = crop.Y + row, o = row * crop.Width;
            if (channels == 1) GrayRow(frame, format, y, crop.X, planes.Slice(o, crop.Width), vectorize);
            else RgbRow(frame, format, k, y, crop.X, planes.Slice(o, crop.Width), planes.Slice(plane + o, crop.Width), planes.Slice(2 * plane + o, crop.Width), vectorize);
        }
    }

    private static void GrayRow(ReadOnlySpan<byte> frame, FrameFormat f, int y, int x0, Span<byte> dst, bool vectorize)
    {
        int w = f.Width, n = dst.Length;
        switch (f.PixelFormat)
        {
            case FramePixelFormat.Gray8:
                frame.Slice(y * w + x0, n).CopyTo(dst);
                return;
            case FramePixelFormat.I420 or FramePixelFormat.Nv12:
                var luma = frame.Slice(y * w + x0, n);
                if (f.Range == YuvRange.Full) luma.CopyTo(dst);
                else LimitedToFull(luma, dst, vectorize);
                return;
            case FramePixelFormat.Yuyv:
                var packed = frame.Slice(y * 4 * f.ChromaWidth);
                for (int i = 0; i < n; i++)
                {
                    byte e = packed[2 * (x0 + i)];
                    dst[i] = f.Range == YuvRange.Full ? e : LimitedLuma[e];
                }
                return;
            case FramePixelFormat.Rgb24:
                var rgb = frame.Slice(3 * (y * w + x0), 3 * n);
                for (int i = 0; i < n; i++) dst[i] = Luma(rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]);
                return;
        }
    }

    /// <summary>Limited-range Y to full: the <see cref="LimitedLuma"/> formula on int lanes, the table for the tail.</summary>
    private static void LimitedToFull(ReadOnlySpan<byte> luma, Span<byte> dst, bool vectorize)
    {
        int i = 0, n = luma.Length;
        if (vectorize && Vector.IsHardwareAccelerated)
        {
            var y0 = new Vector<int>(Limited.Y0);
            var ky = new Vector<int>(Limited.Y);
            var half = new Vector<int>(Half);
            var zero = Vector<int>.Zero;
            var max = new Vector<int>(255);
            for (; i + Vector<byte>.Count <= n; i += Vector<byte>.Count)
            {
                Quarters(new Vector<byte>(luma[i..]), out var a, out var b, out var c, out var d);
                a = Vector.Min(Vector.Max(((a - y0) * ky + half) >> Shift, zero), max);
                b = Vector.Min(Vector.Max(((b - y0) * ky + half) >> Shift, zero), max);
                c = Vector.Min(Vector.Max(((c - y0) * ky + half) >> Shift, zero), max);
                d = Vector.Min(Vector.Max(((d - y0) * ky + half) >> Shift, zero), max);
                Pack(a, b, c, d).CopyTo(dst[i..]);
            }
        }
        for (; i < n; i++) dst[i] = LimitedLuma[luma[i]];
    }

    /// <summary>round(0.299·R + 0.587·G + 0.114·B) in 16-bit fixed point (the weights sum to exactly 2¹⁶).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte Luma(byte r, byte g, byte b) => (byte)((19595 * r + 38470 * g + 7471 * b + Half) >> Shift);

    private static void RgbRow(ReadOnlySpan<byte> frame, FrameFormat f, Coefficients k, int y, int x0, Span<byte> r, Span<byte> g, Span<byte> b, bool vectorize)
    {
        int w = f.Width, n = r.Length;
        switch (f.PixelFormat)
        {
            case FramePixelFormat.Gray8:
                var gray = frame.Slice(y * w + x0, n);
                gray.CopyTo(r);
                gray.CopyTo(g);
                gray.CopyTo(b);
                return;
            case FramePixelFormat.Rgb24:
                var rgb = frame.Slice(3 * (y * w + x0), 3 * n);
                for (int i = 0; i < n; i++) (r[i], g[i], b[i]) = (rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]);
                return;
            case FramePixelFormat.I420:
            {
                int cw = f.ChromaWidth, chromaPlane = cw * f.ChromaHeight, lumaPlane = w * f.Height;
                var luma = frame.Slice(y * w + x0, n);
                var uRow = frame.Slice(lumaPlane + (y >> 1) * cw, cw);
                var vRow = frame.Slice(lumaPlane + chromaPlane + (y >> 1) * cw, cw);
                int i = 0;
                if (vectorize && Vector.IsHardwareAccelerated)
                {
                    int vb = Vector<byte>.Count;
                    // Each step reads vb luma bytes and vb chroma bytes of each plane (half of them used): stay inside the rows.
                    for (; i + vb <= n && (x0 + i) / 2 + vb <= cw; i += vb)
                    {
                        var yv = new Vector<byte>(luma[i..]);
                        var u = Duplicate(new Vector<byte>(uRow[((x0 + i) >> 1)..]));
                        var v = Duplicate(new Vector<byte>(vRow[((x0 + i) >> 1)..]));
                        Convert(k, yv, u, v, r[i..], g[i..], b[i..]);
                    }
                }
                for (; i < n; i++)
                {
                    int c = (x0 + i) >> 1;
                    Pixel(k, luma[i], uRow[c], vRow[c], out r[i], out g[i], out b[i]);
                }
                return;
            }
            case FramePixelFormat.Nv12:
            {
                int cw = f.ChromaWidth, lumaPlane = w * f.Height;
                var luma = frame.Slice(y * w + x0, n);
                var uvRow = frame.Slice(lumaPlane + (y >> 1) * 2 * cw, 2 * cw);
                int i = 0;
                if (vectorize && Vector.IsHardwareAccelerated)
                {
                    int vb = Vector<byte>.Count;
                    for (; i + vb <= n && x0 + i + vb <= 2 * cw; i += vb)
                    {
                        var yv = new Vector<byte>(luma[i..]);
                        // vb bytes of U,V pairs as ushort lanes u | v << 8: spread each to both pixels of its pair.
                        var pairs = Vector.AsVectorUInt16(new Vector<byte>(uvRow[(x0 + i)..]));
                        var u = Vector.AsVectorByte((pairs & new Vector<ushort>(0xFF)) | (pairs << 8));
                        var v = Vector.AsVectorByte((pairs >> 8) | (pairs & new Vector<ushort>(0xFF00)));
                        Convert(k, yv, u, v, r[i..], g[i..], b[i..]);
                    }
                }
                for (; i < n; i++)
                {
                    int c = 2 * ((x0 + i) >> 1);
                    Pixel(k, luma[i], uvRow[c], uvRow[c + 1], out r[i], out g[i], out b[i]);
                }
                return;
            }
            case FramePixelFormat.Yuyv:
            {
                var packed = frame.Slice(y * 4 * f.ChromaWidth, 4 * f.ChromaWidth);
                for (int i = 0; i < n; i++)
                {
                    int x = x0 + i, group = 4 * (x >> 1);
                    Pixel(k, packed[2 * x], packed[group + 1], packed[group + 3], out r[i], out g[i], out b[i]);
                }
                return;
            }
        }
    }

    /// <summary>The first half of <paramref name="c"/>'s bytes, each twice: c0 c0 c1 c1 … (one chroma sample per pixel pair).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<byte> Duplicate(Vector<byte> c)
    {
        Vector.Widen(c, out Vector<ushort> low, out _);
        return Vector.AsVectorByte(low | (low << 8));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Pixel(in Coefficients k, byte y, byte u, byte v, out byte r, out byte g, out byte b)
    {
        int yy = k.Y * (y - k.Y0) + Half, uu = u - 128, vv = v - 128;
        r = Clamp((yy + k.Rv * vv) >> Shift);
        g = Clamp((yy - k.Gu * uu - k.Gv * vv) >> Shift);
        b = Clamp((yy + k.Bu * uu) >> Shift);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte Clamp(int v) => (byte)(v < 0 ? 0 : v > 255 ? 255 : v);

    /// <summary>Vector.Count&lt;byte&gt; pixels: the scalar <see cref="Pixel"/> formula on int lanes, four quarters at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Convert(in Coefficients k, Vector<byte> y, Vector<byte> u, Vector<byte> v, Span<byte> r, Span<byte> g, Span<byte> b)
    {
        Quarters(y, out var y0, out var y1, out var y2, out var y3);
        Quarters(u, out var u0, out var u1, out var u2, out var u3);
        Quarters(v, out var v0, out var v1, out var v2, out var v3);
        var r0 = Channel(k, y0, u0, v0, out var g0, out var b0);
        var r1 = Channel(k, y1, u1, v1, out var g1, out var b1);
        var r2 = Channel(k, y2, u2, v2, out var g2, out var b2);
        var r3 = Channel(k, y3, u3, v3, out var g3, out var b3);
        Pack(r0, r1, r2, r3).CopyTo(r);
        Pack(g0, g1, g2, g3).CopyTo(g);
        Pack(b0, b1, b2, b3).CopyTo(b);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<int> Channel(in Coefficients k, Vector<int> y, Vector<int> u, Vector<int> v, out Vector<int> g, out Vector<int> b)
    {
        var c128 = new Vector<int>(128);
        var yy = (y - new Vector<int>(k.Y0)) * new Vector<int>(k.Y) + new Vector<int>(Half);
        var uu = u - c128;
        var vv = v - c128;
        var zero = Vector<int>.Zero;
        var max = new Vector<int>(255);
        g = Vector.Min(Vector.Max((yy - uu * new Vector<int>(k.Gu) - vv * new Vector<int>(k.Gv)) >> Shift, zero), max);
        b = Vector.Min(Vector.Max((yy + uu * new Vector<int>(k.Bu)) >> Shift, zero), max);
        return Vector.Min(Vector.Max((yy + vv * new Vector<int>(k.Rv)) >> Shift, zero), max);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Quarters(Vector<byte> x, out Vector<int> q0, out Vector<int> q1, out Vector<int> q2, out Vector<int> q3)
    {
        Vector.Widen(x, out Vector<ushort> lo, out Vector<ushort> hi);
        Vector.Widen(lo, out Vector<uint> a, out Vector<uint> bq);
        Vector.Widen(hi, out Vector<uint> c, out Vector<uint> d);
        (q0, q1, q2, q3) = (Vector.AsVectorInt32(a), Vector.AsVectorInt32(bq), Vector.AsVectorInt32(c), Vector.AsVectorInt32(d));
    }

    /// <summary>Four int vectors of values in [0, 255] back to bytes, in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<byte> Pack(Vector<int> a, Vector<int> b, Vector<int> c, Vector<int> d)
        => Vector.Narrow(Vector.Narrow(Vector.AsVectorUInt32(a), Vector.AsVectorUInt32(b)), Vector.Narrow(Vector.AsVectorUInt32(c), Vector.AsVectorUInt32(d)));
}
