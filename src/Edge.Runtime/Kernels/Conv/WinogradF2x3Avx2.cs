using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels.Gemm;

namespace Edge.Runtime.Kernels.Conv;

/// <summary>
/// The 3×3 stride-1 convolution by Winograd's F(2×2, 3×3) in exact integer arithmetic, on AVX2: 16 multiplies per 2×2
/// output pixels and input channel where the direct form takes 36. Without VNNI an int8 product costs what an int16 one
/// does (<c>vpmaddubsw</c> then <c>vpmaddwd</c> to widen: two multiplies per 32 products; <c>vpmaddwd</c> on int16: one per
/// 16), so the 2.25× fewer products are 2.25× fewer multiplies. (With VNNI's <c>vpdpbusd</c>, 64 int8 products an
/// instruction, the gain would be 1.125× before the transforms; that path keeps its direct tiles.)
/// <para>
/// With d a 4×4 input patch (raw int8 x, the zero point where the window leaves the image), g a channel pair's 3×3
/// weights, <c>Bᵀ = [[1,0,−1,0],[0,1,1,0],[0,−1,1,0],[0,1,0,−1]]</c>, <c>G′ = 2G = [[2,0,0],[1,1,1],[1,−1,1],[0,0,2]]</c>
/// and <c>Aᵀ = [[1,1,1,0],[0,1,−1,−1]]</c>, the 2×2 outputs are <c>4·Y = Aᵀ[Σ_c (G′gG′ᵀ) ⊙ (BᵀdB)]A</c>, Y the direct
/// sums <c>Σ x·w</c> over the 3×3 window and the channels, exactly (Lavin and Gray's F(2×2, 3×3) with G doubled so that
/// every coefficient is whole).
/// Ranges: a transformed input V = BᵀdB adds four values of d with signs, |V| ≤ 4·128 = 512 … in fact ≤ 2·255 = 510,
/// an int16; a transformed weight U′ = G′gG′ᵀ, each factor's row summing at most 3 in magnitude, |U′| ≤ 9·127 = 1,143, an
/// int16. <c>vpmaddwd</c> on (V, V) pairs of two channels against (U′, U′) adds two products of at most 582,930 — never
/// its one saturating case (both pairs −32,768²) — into int32, and the sums over the channels and the 16 positions wrap
/// modulo 2^32 as the contract's accumulator does. The output transform's result is then 4·Y modulo 2^32; with at most
/// <see cref="MaxChannels"/> input channels |Y| ≤ 9·2048·128·127 &lt; 2^29, so 4·Y is itself an int32 and the arithmetic
/// shift by 2 gives Y exactly. Y plus the folded bias (<see cref="GemmPanels.FoldedBias"/>, <c>bias − zp_x·Σw</c>: the
/// zero point read where the window leaves the image then adds nothing) is the contract's accumulator, bit for bit, and
/// the output stage runs on it as everywhere (<see cref="OutputStage.Apply(Vector256{int}, int)"/>).
/// </para>
/// <para>
/// A call runs blocks of up to <see cref="BlockTiles"/> 2×2 tiles (tile t of the batch's tiles in (n, row, column) order).
/// Per block: the input transform of every tile, 16 channels a vector (a channel count that is no multiple of 16 takes a
/// last load that ends at the pixel's last channel, overlapping the one before: each channel is transformed on its own,
/// so the overlap writes the same values again), into V [16 positions][tiles][channels] int16 in scratch; then per panel
/// of 16 output channels and per position ξ, the int16 GEMM <c>M_ξ[tile][16] = Σ_pairs V_ξ[tile][pair] · U′_ξ[pair][16]</c>
/// on register tiles of <see cref="Rows"/> tiles × 16 channels (12 accumulators; U′ packed at load as [panel][ξ][pair][16
/// channels][2], one position's slice of a panel staying in L1 over the block's tiles); then per tile the output
/// transform, the shift, the bias and the stage, and the stores of the tile's pixels that lie in the call's range and in
/// the image. Where: AVX2 (the Avx2 path), ungrouped, 3×3, stride 1, undilated, <see cref="MinChannels"/>–<see cref="MaxChannels"/>
/// input channels, any padding, outputs of at least 2×2.
/// </para>
/// </summary>
internal sealed class WinogradF2x3Avx2
{
    /// <summary>Tiles of one register tile (12 int32 accumulators: 6 tiles × 16 channels).</summary>
    public const int Rows = 6;

    /// <summary>The fewest input channels: one whole 16-channel load per pixel (and the transforms' cost spread over enough products).</summary>
    public const int MinChannels = 16;

    /// <summary>The most input channels for which 4·Y stays an int32 (see the type).</summary>
    public const int MaxChannels = 2048;

    private const int Positions = 16;

    /// <summary>The bytes of transformed input a block may take (the block's V stays in L2 while every panel reads it).</summary>
    private const int TransformedBytes = 512 * 1024;

    /// <summary>[panel][ξ][pair][16 channels][2] int16: U′ = G′gG′ᵀ per output channel and input channel.</summary>
    private readonly AlignedArray<short> _weights;

    private WinogradF2x3Avx2(Conv2dShape shape, GemmPanels panels, int offset)
    {
        Shape = shape;
        int ic = shape.InChannels;
        Pairs = (ic + 1) / 2;
        ChannelStride = (ic + 15) & ~15;
        TilesW = (shape.OutW + 1) / 2;
        TilesH = (shape.OutH + 1) / 2;
        int tiles = shape.Batch * TilesH * TilesW;
        // As few blocks as the budget allows, of equal size (each block reads every weight once), whole register tiles.
        int fit = Math.Max(Rows, TransformedBytes / (Positions * ChannelStride * sizeof(short)));
        int blocks = (tiles + fit - 1) / fit;
        BlockTiles = ((tiles + blocks - 1) / blocks + Rows - 1) / Rows * Rows;
        PanelCount = panels.PanelsPerGroup;
        TransformedOffset = offset;
        SumsOffset = TransformedOffset + Positions * BlockTiles * ChannelStride * sizeof(short);
        ZeroPointOffset = SumsOffset + Positions * BlockTiles * GemmPanels.Width * sizeof(int);
        End = ZeroPointOffset + ChannelStride;
        _weights = new AlignedArray<short>(PanelCount * Positions * Pairs * 32);
        PackWeights(shape, panels, _weights.Span, Pairs);
    }

    public Conv2dShape Shape { get; }

    /// <summary>⌈IC/2⌉: the channel pairs of the GEMM's K loop (an odd count's last pair has zero weights for its second channel).</summary>
    public int Pairs { get; }

    /// <summary>int16 values per tile in the transformed input: IC rounded up to 16.</summary>
    public int ChannelStride { get; }

    /// <summary>2×2 tiles per output row pair and per image column pair: ⌈OutW/2⌉ and ⌈OutH/2⌉.</summary>
    public int TilesW { get; }
    public int TilesH { get; }

    /// <summary>Tiles per block: the batch's tiles in as few equal blocks as <c>TransformedBytes</c> of transformed input allow, rounded up to whole register tiles.</summary>
    public int BlockTiles { get; }

    public int PanelCount { get; }

    /// <summary>Where the block's V, its sums M and the zero-point pixel lie in the scratch, and the scratch bytes up to their end.</summary>
    public int TransformedOffset { get; }
    public int SumsOffset { get; }
    public int ZeroPointOffset { get; }
    public int End { get; }

    /// <summary>True for the shapes the kernel takes, on any machine (see the type); the work split aligns to tile rows for these.</summary>
    public static bool Suits(Conv2dShape shape)
    {
        var w = shape.Window;
        return shape.Group == 1 && w.KernelH == 3 && w.KernelW == 3 && w.StrideH == 1 && w.StrideW == 1
            && w.DilationH == 1 && w.DilationW == 1 && shape.InChannels >= MinChannels && shape.InChannels <= MaxChannels
            // A tile of one column or one row does 16 products for 2 outputs' 18: no gain for its transforms' cost.
            && shape.OutH >= 2 && shape.OutW >= 2;
    }

    /// <summary>The plan for <paramref name="shape"/> where this machine has AVX2 and the shape <see cref="Suits"/>, or null; its scratch from <paramref name="offset"/>.</summary>
    public static WinogradF2x3Avx2? For(Conv2dShape shape, GemmPanels panels, int offset)
        => Avx2.IsSupported && Suits(shape) ? new WinogradF2x3Avx2(shape, panels, (offset + 63) & ~63) : null;

    /// <summary>True when <paramref name="path"/> (resolved) runs this kernel: the AVX2 path (which AVX-VNNI's resolves to).</summary>
    public static bool Runs(KernelPath path) => path == KernelPath.Avx2;

    /// <summary>
    /// Work split for the shapes the kernel takes: rows per item a multiple of two output rows (a tile row) and of 8 (every
    /// tile path's rows), at least 32.
    /// </summary>
    public static int RowsPerItem(Conv2dShape shape)
    {
        int pair = 2 * shape.OutW, aligned = pair * 8 / Gcd(pair, 8);
        return (GemmWork.DefaultRowsPerItem + aligned - 1) / aligned * aligned;
    }

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);

    /// <summary>U′ = G′gG′ᵀ for every (output, input) channel pair, G′ = [[2,0,0],[1,1,1],[1,−1,1],[0,0,2]], packed for the GEMM.</summary>
    private static void PackWeights(Conv2dShape shape, GemmPanels panels, Span<short> packed, int pairs)
    {
        int ic = shape.InChannels;
        ReadOnlySpan<int> gp = [2, 0, 0, 1, 1, 1, 1, -1, 1, 0, 0, 2];
        Span<int> g = stackalloc int[9];
        Span<int> t = stackalloc int[12];
        for (int o = 0; o < shape.OutChannels; o++)
            for (int c = 0; c < ic; c++)
            {
                for (int k = 0; k < 9; k++) g[k] = panels.Weight(o, k * ic + c);
                for (int i = 0; i < 4; i++)
                    for (int kw = 0; kw < 3; kw++)
                        t[i * 3 + kw] = gp[i * 3] * g[kw] + gp[i * 3 + 1] * g[3 + kw] + gp[i * 3 + 2] * g[6 + kw];
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < 4; j++)
                    {
                        int u = t[i * 3] * gp[j * 3] + t[i * 3 + 1] * gp[j * 3 + 1] + t[i * 3 + 2] * gp[j * 3 + 2];
                        packed[(((o / 16 * Positions + i * 4 + j) * pairs + c / 2) * 16 + o % 16) * 2 + c % 2] = (short)u;
                    }
            }
    }

    /// <summary>Output pixels [<paramref name="m0"/>, <paramref name="m1"/>) × panels [<paramref name="p0"/>, <paramref name="p1"/>): the tiles that hold them, block by block.</summary>
    public void Run(Int8Conv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch, int m0, int m1, int p0, int p1)
    {
        var s = Shape;
        int image = s.OutH * s.OutW, tileRows = s.OutW * 2, perImage = TilesH * TilesW;
        ref byte sb = ref MemoryMarshal.GetReference(scratch);
        Unsafe.InitBlockUnaligned(ref Unsafe.Add(ref sb, ZeroPointOffset), (byte)(sbyte)op.InputZeroPoint, (uint)ChannelStride);
        // The tiles holding pixels m0 and m1 − 1, in the batch's tile order.
        int first = m0 / image * perImage + m0 % image / tileRows * TilesW;
        int last = (m1 - 1) / image * perImage + (m1 - 1) % image / tileRows * TilesW + TilesW;
        for (int t0 = first; t0 < last; t0 += BlockTiles)
        {
            int count = Math.Min(BlockTiles, last - t0);
            for (int t = 0; t < count; t++) TransformInput(input, ref sb, t0 + t, t, op.InputZeroPoint);
            for (int p = p0; p < p1; p++)
            {
                for (int xi = 0; xi < Positions; xi++) Multiply(ref sb, p, xi, count);
                for (int t = 0; t < count; t++) TransformOutput(op, ref sb, output, p, t0 + t, t, m0, m1);
            }
        }
    }

    /// <summary>Tile <paramref name="tile"/> of the batch into slot <paramref name="slot"/> of V: V = BᵀdB per channel.</summary>
    private void TransformInput(ReadOnlySpan<sbyte> input, ref byte sb, int tile, int slot, int zeroPoint)
    {
        var s = Shape;
        var w = s.Window;
        int perImage = TilesH * TilesW, c = s.InChannels;
        int n = tile / perImage, th = tile % perImage / TilesW, tw = tile % TilesW;
        int ih0 = 2 * th - w.PadTop, iw0 = 2 * tw - w.PadLeft;
        ref sbyte x = ref MemoryMarshal.GetReference(input);
        ref sbyte zp = ref Unsafe.As<byte, sbyte>(ref Unsafe.Add(ref sb, ZeroPointOffset));
        // The 16 patch pixels' offsets in the input, −1 where the patch leaves the image (read from the zero-point pixel).
        Span<nint> at = stackalloc nint[Positions];
        for (int r = 0; r < 4; r++)
            for (int q = 0; q < 4; q++)
            {
                int ih = ih0 + r, iw = iw0 + q;
                at[r * 4 + q] = (uint)ih < (uint)s.InH && (uint)iw < (uint)s.InW ? ((nint)(n * s.InH + ih) * s.InW + iw) * c : -1;
            }
        ref short v = ref Unsafe.As<byte, short>(ref Unsafe.Add(ref sb, TransformedOffset));
        nint position = (nint)BlockTiles * ChannelStride;
        ref short vt = ref Unsafe.Add(ref v, (nint)slot * ChannelStride);
        for (int c0 = 0; c0 < c; c0 += 16)
        {
            int cc = Math.Min(c0, c - 16);
            ref sbyte p0 = ref Unsafe.Add(ref x, cc);
            ref sbyte z = ref Unsafe.Add(ref zp, cc);
            // e = Bᵀd per column q, then V = eB per row i.
            for (int q = 0; q < 4; q++)
            {
                var d0 = Load(ref p0, ref z, at[q]);
                var d1 = Load(ref p0, ref z, at[4 + q]);
                var d2 = Load(ref p0, ref z, at[8 + q]);
                var d3 = Load(ref p0, ref z, at[12 + q]);
                // Rows of e kept in the V slots of column q for now; the row transform below reads them back.
                Store(ref vt, position, q, cc, d0 - d2);
                Store(ref vt, position, 4 + q, cc, d1 + d2);
                Store(ref vt, position, 8 + q, cc, d2 - d1);
                Store(ref vt, position, 12 + q, cc, d1 - d3);
            }
            for (int i = 0; i < 4; i++)
            {
                var e0 = Read(ref vt, position, i * 4, cc);
                var e1 = Read(ref vt, position, i * 4 + 1, cc);
                var e2 = Read(ref vt, position, i * 4 + 2, cc);
                var e3 = Read(ref vt, position, i * 4 + 3, cc);
                Store(ref vt, position, i * 4, cc, e0 - e2);
                Store(ref vt, position, i * 4 + 1, cc, e1 + e2);
                Store(ref vt, position, i * 4 + 2, cc, e2 - e1);
                Store(ref vt, position, i * 4 + 3, cc, e1 - e3);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Load(ref sbyte x, ref sbyte zp, nint at)
        => Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref at >= 0 ? ref Unsafe.Add(ref x, at) : ref zp));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref short vt, nint position, int xi, int c, Vector256<short> value)
        => value.StoreUnsafe(ref Unsafe.Add(ref vt, xi * position + c));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Read(ref short vt, nint position, int xi, int c)
        => Vector256.LoadUnsafe(ref Unsafe.Add(ref vt, xi * position + c));

    /// <summary>M_ξ[t][16] = Σ_pairs V_ξ[t][pair]·U′_ξ[pair][16] for the block's tiles (whole register tiles: slots past the block's tiles hold stale values, never stored).</summary>
    private unsafe void Multiply(ref byte sb, int panel, int xi, int count)
    {
        ref short v = ref Unsafe.As<byte, short>(ref Unsafe.Add(ref sb, TransformedOffset));
        ref int sums = ref Unsafe.As<byte, int>(ref Unsafe.Add(ref sb, SumsOffset));
        ref short u = ref Unsafe.Add(ref _weights[0], (nint)(panel * Positions + xi) * Pairs * 32);
        nint stride = ChannelStride, pairs = Pairs;
        // The next slice of weights (the next position's, or the next panel's first) follows this one: the second register
        // tile, which reads this slice from L1, prefetches it a line an iteration, so that where the weights come from
        // memory (a small image's deep layer: 8 MB at 7²×512) the next slice's first tile does not wait for each line.
        ref short next = ref Unsafe.Add(ref u, pairs * 32);
        for (int t = 0; t < count; t += Rows)
        {
            ref short a = ref Unsafe.Add(ref v, ((nint)xi * BlockTiles + t) * stride);
            bool prefetch = t == Rows && (panel * Positions + xi + 1) * Pairs * 32 < _weights.Length;
            Vector256<int> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
            Vector256<int> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            for (nint k = 0; k < pairs; k++)
            {
                var w0 = Vector256.LoadUnsafe(ref u, (nuint)(k * 32));
                var w1 = Vector256.LoadUnsafe(ref u, (nuint)(k * 32 + 16));
                if (prefetch) Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref next, k * 32)));
                var x = Pair(ref a, 2 * k);
                c00 += Avx2.MultiplyAddAdjacent(x, w0);
                c01 += Avx2.MultiplyAddAdjacent(x, w1);
                x = Pair(ref a, stride + 2 * k);
                c10 += Avx2.MultiplyAddAdjacent(x, w0);
                c11 += Avx2.MultiplyAddAdjacent(x, w1);
                x = Pair(ref a, 2 * stride + 2 * k);
                c20 += Avx2.MultiplyAddAdjacent(x, w0);
                c21 += Avx2.MultiplyAddAdjacent(x, w1);
                x = Pair(ref a, 3 * stride + 2 * k);
                c30 += Avx2.MultiplyAddAdjacent(x, w0);
                c31 += Avx2.MultiplyAddAdjacent(x, w1);
                x = Pair(ref a, 4 * stride + 2 * k);
                c40 += Avx2.MultiplyAddAdjacent(x, w0);
                c41 += Avx2.MultiplyAddAdjacent(x, w1);
                x = Pair(ref a, 5 * stride + 2 * k);
                c50 += Avx2.MultiplyAddAdjacent(x, w0);
                c51 += Avx2.MultiplyAddAdjacent(x, w1);
            }
            ref int m = ref Unsafe.Add(ref sums, ((nint)xi * BlockTiles + t) * GemmPanels.Width);
            c00.StoreUnsafe(ref m, 0);
            c01.StoreUnsafe(ref m, 8);
            c10.StoreUnsafe(ref m, 16);
            c11.StoreUnsafe(ref m, 24);
            c20.StoreUnsafe(ref m, 32);
            c21.StoreUnsafe(ref m, 40);
            c30.StoreUnsafe(ref m, 48);
            c31.StoreUnsafe(ref m, 56);
            c40.StoreUnsafe(ref m, 64);
            c41.StoreUnsafe(ref m, 72);
            c50.StoreUnsafe(ref m, 80);
            c51.StoreUnsafe(ref m, 88);
        }
    }

    /// <summary>The int16 pair at <paramref name="at"/> in every dword.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Pair(ref short a, nint at) => Vector256.Create(Unsafe.ReadUnaligned<int>(ref Unsafe.As<short, byte>(ref Unsafe.Add(ref a, at)))).AsInt16();

    /// <summary>Tile <paramref name="tile"/> (slot <paramref name="slot"/>), panel <paramref name="panel"/>: Y = AᵀMA / 4, the bias, the stage, the stores.</summary>
    private void TransformOutput(Int8Conv2d op, ref byte sb, Span<sbyte> output, int panel, int tile, int slot, int m0, int m1)
    {
        var s = Shape;
        int perImage = TilesH * TilesW, oc = s.OutChannels;
        int n = tile / perImage, th = tile % perImage / TilesW, tw = tile % TilesW;
        int c0 = panel * GemmPanels.Width, channels = Math.Min(GemmPanels.Width, oc - c0);
        ref int m = ref Unsafe.Add(ref Unsafe.As<byte, int>(ref Unsafe.Add(ref sb, SumsOffset)), (nint)slot * GemmPanels.Width);
        nint position = (nint)BlockTiles * GemmPanels.Width;
        ref int bias = ref MemoryMarshal.GetArrayDataReference(op.Panels.FoldedBias);
        var stage = op.Output;
        var (y00a, y01a, y10a, y11a) = Output(ref m, position, ref Unsafe.Add(ref bias, c0), stage, c0);
        Vector256<int> y00b = default, y01b = default, y10b = default, y11b = default;
        if (channels > 8) (y00b, y01b, y10b, y11b) = Output(ref Unsafe.Add(ref m, 8), position, ref Unsafe.Add(ref bias, c0 + 8), stage, c0 + 8);
        var row0 = Int8GemmTile.Avx2PackRows(y00a, y00b, y01a, y01b, stage.Clamp);
        var row1 = Int8GemmTile.Avx2PackRows(y10a, y10b, y11a, y11b, stage.Clamp);
        int oh = 2 * th, ow = 2 * tw;
        int pixel = n * s.OutH * s.OutW + oh * s.OutW + ow;
        ref sbyte y = ref MemoryMarshal.GetReference(output);
        bool right = ow + 1 < s.OutW;
        StorePixel(row0.GetLower(), ref y, pixel, m0, m1, oc, c0, channels);
        if (right) StorePixel(row0.GetUpper(), ref y, pixel + 1, m0, m1, oc, c0, channels);
        if (oh + 1 < s.OutH)
        {
            StorePixel(row1.GetLower(), ref y, pixel + s.OutW, m0, m1, oc, c0, channels);
            if (right) StorePixel(row1.GetUpper(), ref y, pixel + s.OutW + 1, m0, m1, oc, c0, channels);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Sum(ref int m, nint position, int xi) => Vector256.LoadUnsafe(ref Unsafe.Add(ref m, xi * position));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePixel(Vector128<sbyte> bytes, ref sbyte y, int pixel, int m0, int m1, int oc, int c0, int channels)
    {
        if (pixel >= m0 && pixel < m1) Int8GemmTile.StoreRow(bytes, ref Unsafe.Add(ref y, (nint)pixel * oc + c0), channels);
    }

    /// <summary>
    /// Eight channels of a tile: s = AᵀM (rows), Y′ = sA (4·Y), Y = Y′ &gt;&gt; 2, plus the folded bias, through the stage
    /// (int32 lanes with the zero point, clamped): pixels (0,0), (0,1), (1,0), (1,1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<int>, Vector256<int>, Vector256<int>, Vector256<int>) Output(ref int m, nint position, ref int bias, OutputStage stage, int c)
    {
        // s_0j = m_0j + m_1j + m_2j, s_1j = m_1j − m_2j − m_3j.
        var a0 = Sum(ref m, position, 4); var b0 = Sum(ref m, position, 8);
        var s00 = Sum(ref m, position, 0) + a0 + b0; var s10 = a0 - b0 - Sum(ref m, position, 12);
        var a1 = Sum(ref m, position, 5); var b1 = Sum(ref m, position, 9);
        var s01 = Sum(ref m, position, 1) + a1 + b1; var s11 = a1 - b1 - Sum(ref m, position, 13);
        var a2 = Sum(ref m, position, 6); var b2 = Sum(ref m, position, 10);
        var s02 = Sum(ref m, position, 2) + a2 + b2; var s12 = a2 - b2 - Sum(ref m, position, 14);
        var a3 = Sum(ref m, position, 7); var b3 = Sum(ref m, position, 11);
        var s03 = Sum(ref m, position, 3) + a3 + b3; var s13 = a3 - b3 - Sum(ref m, position, 15);
        var folded = Vector256.LoadUnsafe(ref bias);
        var y00 = stage.Apply(Vector256.ShiftRightArithmetic(s00 + s01 + s02, 2) + folded, c);
        var y01 = stage.Apply(Vector256.ShiftRightArithmetic(s01 - s02 - s03, 2) + folded, c);
        var y10 = stage.Apply(Vector256.ShiftRightArithmetic(s10 + s11 + s12, 2) + folded, c);
        var y11 = stage.Apply(Vector256.ShiftRightArithmetic(s11 - s12 - s13, 2) + folded, c);
        return (y00, y01, y10, y11);
    }
}
