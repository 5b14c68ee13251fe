using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Edge.Runtime.Kernels.Pool;

/// <summary>
/// The window walk shared by the Vector128 pools: for an output pixel, the taps of its window that land on real input,
/// as element offsets into the NHWC input. Clipping divides (by the dilation), so rows are clipped once per output row
/// and columns only where the window crosses the input's left or right edge; the columns in between take every tap.
/// </summary>
internal readonly struct PoolTaps
{
    private readonly Pool2dShape _s;
    private readonly int _interiorLo, _interiorHi;

    public PoolTaps(Pool2dShape s)
    {
        _s = s;
        var w = s.Window;
        (_interiorLo, _interiorHi) = WindowTaps.Interior(s.OutW, w.KernelW, w.StrideW, w.PadLeft, w.DilationW, s.InW);
    }

    /// <summary>The output columns [InteriorLo, InteriorHi) whose windows take every column tap.</summary>
    public int InteriorLo => _interiorLo;
    public int InteriorHi => _interiorHi;

    /// <summary>Output row (n, oh): its real taps [I0, I1) and the element offset of input pixel (n, first real row, column 0).</summary>
    public readonly record struct Row(nint Start, int I0, int I1);

    /// <summary>
    /// The real taps of one output pixel: <see cref="Rows"/> × <see cref="Cols"/> of them (taps [J0, J1) of its window's
    /// columns), the first at element <see cref="First"/> (channel 0), the next in a row <see cref="ColStep"/> elements
    /// on, the next row <see cref="RowStep"/> on.
    /// </summary>
    public readonly record struct Pixel(nint First, int Rows, int J0, int J1, nint RowStep, nint ColStep)
    {
        public int Cols => J1 - J0;
        public int Count => Rows * Cols;

        /// <summary>The element offset of the last tap (channel 0).</summary>
        public nint Last => First + (Rows - 1) * RowStep + (Cols - 1) * ColStep;
    }

    public Row RowAt(int n, int oh)
    {
        var s = _s;
        var w = s.Window;
        var (i0, i1) = s.RealTapsH(oh);
        int ih = oh * w.StrideH - w.PadTop + i0 * w.DilationH;
        return new Row(i1 > i0 ? (nint)(n * s.InH + ih) * s.InW * s.Channels : 0, i0, i1);
    }

    public Pixel At(in Row r, int ow)
    {
        var s = _s;
        var w = s.Window;
        var (j0, j1) = ow >= _interiorLo && ow < _interiorHi ? (0, w.KernelW) : s.RealTapsW(ow);
        int iw = ow * w.StrideW - w.PadLeft + j0 * w.DilationW;
        nint first = j1 > j0 ? r.Start + (nint)iw * s.Channels : 0;
        return new Pixel(first, r.I1 - r.I0, j0, j1, (nint)w.DilationH * s.InW * s.Channels, (nint)w.DilationW * s.Channels);
    }

    /// <summary>Eight int8 at element <paramref name="offset"/> in the low lanes of a vector, zeros above (reads exactly eight bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<sbyte> Load8(ref sbyte x, nint offset)
        => Vector128.CreateScalar(Unsafe.ReadUnaligned<long>(ref Unsafe.As<sbyte, byte>(ref Unsafe.Add(ref x, offset)))).AsSByte();

    /// <summary>Writes the low eight lanes of <paramref name="v"/> at element <paramref name="offset"/> (exactly eight bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store8(ref sbyte y, nint offset, Vector128<sbyte> v)
        => Unsafe.WriteUnaligned(ref Unsafe.As<sbyte, byte>(ref Unsafe.Add(ref y, offset)), v.AsInt64().ToScalar());
}
