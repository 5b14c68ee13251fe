using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels.Gemm;

namespace Edge.Runtime.Kernels.Conv;

/// <summary>
/// The direct convolution with output pixels in the vector lanes, for layers with few output channels on a shallow input
/// (LeNet's first 5×5 on a grey image: 6 channels, which fill 6 of the 16 lanes of the channel-lane tiles). Per output
/// row, blocks of 16 pixels × every output channel: the sums are generated code (<see cref="PixelLaneCode"/>: one
/// <c>vpdpbusd</c> per channel, kernel row and quad of the window row, the window's bytes gathered per lane by
/// <c>vpermb</c> from the padded row window; or, where KW·C is not a multiple of 4 and that takes fewer quads, the quads
/// run across kernel rows: <see cref="Flat"/>), then per channel the short output stage with that channel's constants
/// broadcast to all lanes, two saturating packs, and a byte transpose (<c>vpermt2b</c>) from channel-major bytes to NHWC's
/// <c>[pixel][channel]</c> before one masked store per 64 bytes of the output row.
/// <para>
/// Where: the generated code runs (AVX-512 VNNI and VBMI), ungrouped, undilated along W, at most
/// <see cref="PixelLaneCode.MaxChannels"/> output channels (up to <see cref="PixelLaneCode.MaxWideChannels"/> where every
/// channel is on the short stage: one block of 16 pixels per call, 16 accumulators) and no more than the row's pixels, KW·C ≤ 16 (four quads), a
/// block's windows within one 64-byte load (15·sW·C + 4·⌈KW·C/4⌉ ≤ 64). Channels whose multiplier is past the short
/// stage run the general one lane by lane.
/// Each pixel's sum and stage are the same whatever block or lane it is computed in, so any split of the rows gives the
/// same bytes.
/// </para>
/// </summary>
internal sealed class DirectPixelLanes
{
    private const int Lanes = 16;

    private readonly sbyte[] _weights;
    private readonly int[] _bias;
    private readonly byte[] _indices;
    private readonly byte[] _transpose;
    /// <summary>The layer's output stage, and its short-form tables (<c>OutputStage.ShortTables</c>: each channel's M, rounding add, shift).</summary>
    private readonly OutputStage _stage;
    private readonly int[] _multiplier, _add, _shift;
    private readonly unsafe delegate* unmanaged[SuppressGCTransition]<PixelLaneArgs*, void> _one, _two;

    private unsafe DirectPixelLanes(Conv2dShape shape, GemmPanels panels, OutputStage stage, ConvRowWindow rows, int quads, bool flat,
        delegate* unmanaged[SuppressGCTransition]<PixelLaneArgs*, void> one, delegate* unmanaged[SuppressGCTransition]<PixelLaneArgs*, void> two)
    {
        var win = shape.Window;
        int oc = shape.OutChannels, rowLength = win.KernelW * shape.InChannels, length = win.KernelH * rowLength;
        (Shape, Quads, Flat) = (shape, quads, flat);
        _one = one;
        _two = two;
        PixelStep = win.StrideW * shape.InChannels;
        RowStep = win.DilationH * rows.RowStride;
        // A block's 64-byte loads reach up to 16 pixel steps and 64 bytes past its last real window byte.
        End = (rows.End + Lanes * PixelStep + 64 + 63) & ~63;
        _indices = new byte[quads * 64];
        if (flat)
        {
            // Quad q: window bytes e = 4q … 4q + 3 (kernel row e / L, byte e mod L), from the quad's first row (index < 64)
            // or the next one (64 + …, vpermt2b's second table); bytes past the window repeat the quad's first (weight 0).
            _weights = new sbyte[quads * oc * 4];
            for (int e = 0; e < length; e++)
                for (int c = 0; c < oc; c++)
                    _weights[(e / 4 * oc + c) * 4 + e % 4] = panels.Weight(c, e);
            for (int q = 0; q < quads; q++)
                for (int lane = 0; lane < Lanes; lane++)
                    for (int t = 0; t < 4; t++)
                    {
                        int e = 4 * q + t < length ? 4 * q + t : 4 * q, row = e / rowLength - 4 * q / rowLength;
                        _indices[q * 64 + lane * 4 + t] = (byte)(64 * row + lane * PixelStep + e % rowLength);
                    }
        }
        else
        {
            _weights = new sbyte[win.KernelH * quads * oc * 4];
            for (int kh = 0; kh < win.KernelH; kh++)
                for (int i = 0; i < rowLength; i++)
                    for (int c = 0; c < oc; c++)
                        _weights[((kh * quads + i / 4) * oc + c) * 4 + i % 4] = panels.Weight(c, kh * rowLength + i);
            for (int j = 0; j < quads; j++)
                for (int lane = 0; lane < Lanes; lane++)
                    for (int t = 0; t < 4; t++)
                        _indices[j * 64 + lane * 4 + t] = (byte)(lane * PixelStep + 4 * j + t);
        }
        _bias = panels.VnniBias.AsSpan(0, oc).ToArray();
        // Output byte i of a block (pixel p = i / C', channel c = i % C') ← where the packs left it (Stage). More than 8
        // channels (PixelLaneCode.WideStores): byte i of a group of four pixels ← lane c / 4 of the gathered packs.
        _transpose = new byte[128];
        Wide = oc > PixelLaneCode.MaxChannels;
        for (int i = 0; i < (Wide ? 4 : Lanes) * oc; i++)
        {
            int p = i / oc, c = i % oc;
            _transpose[i] = (byte)(Wide ? c / 4 * 16 + c % 4 * 4 + p : c / 4 * 64 + p / 4 * 16 + c % 4 * 4 + p % 4);
        }
        _stage = stage;
        (_multiplier, _add, _shift) = stage.ShortTables;
    }

    public Conv2dShape Shape { get; }

    /// <summary>Quads per kernel row, ⌈KW·C/4⌉; with <see cref="Flat"/>, of the whole window, ⌈KH·KW·C/4⌉.</summary>
    public int Quads { get; }

    /// <summary>
    /// Whether the kernels take the window's KH·KW·C bytes four at a time across kernel rows (<see cref="PixelLaneCode"/>'s
    /// flat kernels): where that makes fewer quads than ⌈KW·C/4⌉ per row, as LeNet's 5×5 on one channel (7 against 10).
    /// </summary>
    public bool Flat { get; }

    /// <summary>Bytes between the windows of neighbouring output pixels: sW·C.</summary>
    public int PixelStep { get; }

    /// <summary>Bytes between a window's kernel rows in the row window: dH·RowStride.</summary>
    public int RowStep { get; }

    /// <summary>The scratch this path needs: the row window and the slack its blocks' loads may read past it.</summary>
    public int End { get; }

    /// <summary>The plan for <paramref name="shape"/> where this process runs the kernels and the layer suits them (see the type), or null.</summary>
    public static unsafe DirectPixelLanes? For(Conv2dShape shape, GemmPanels panels, OutputStage stage, ConvRowWindow? rows)
    {
        var win = shape.Window;
        int oc = shape.OutChannels, quads = (win.KernelW * shape.InChannels + 3) / 4;
        if (!PixelLaneCode.IsSupported || rows is null || shape.Group != 1 || win.DilationW != 1) return null;
        if (oc > PixelLaneCode.MaxWideChannels || shape.OutW < Math.Max(8, oc) || quads > PixelLaneCode.MaxQuads || win.KernelH > PixelLaneCode.MaxRows) return null;
        if ((Lanes - 1) * win.StrideW * shape.InChannels + 4 * quads > 64) return null;
        // Every channel on the short stage: the stage runs in the generated code; else the sums come back to the managed one,
        // which takes at most 8 channels. More than 8 channels: one block per call (16 accumulators), the stage generated.
        bool staged = Array.TrueForAll(stage.Multipliers, OutputStage.FitsShort), wide = oc > PixelLaneCode.MaxChannels;
        if (wide && !staged) return null;
        bool low = staged && stage.Clamp.Min > sbyte.MinValue, high = staged && stage.Clamp.Max < sbyte.MaxValue;
        int rowLength = win.KernelW * shape.InChannels, flatQuads = PixelLaneCode.FlatQuads(win.KernelH, rowLength);
        bool flat = rowLength >= 3 && flatQuads < win.KernelH * quads;
        if (flat) quads = flatQuads;
        var one = PixelLaneCode.Kernel(new PixelLaneKernel(win.KernelH, quads, oc, 1, staged, low, high, flat ? rowLength : 0));
        var two = wide ? one : PixelLaneCode.Kernel(new PixelLaneKernel(win.KernelH, quads, oc, 2, staged, low, high, flat ? rowLength : 0));
        if (one == null || two == null) return null;
        return new DirectPixelLanes(shape, panels, stage, rows, quads, flat, one, two) { Staged = staged };
    }

    /// <summary>The largest whole-image row window the staged kernels ask for (<see cref="WantsImageWindow"/>).</summary>
    public const int ImageWindowBytes = 64 * 1024;

    /// <summary>
    /// Whether the layer's window should hold the whole padded image: the kernels are staged (they loop over output rows)
    /// and such a window takes at most <see cref="ImageWindowBytes"/>. Then a run of whole output rows is one kernel call
    /// per segment of a row (16 or 32 pixels) instead of one per row and segment (kernel timer, 7 alternated runs: LeNet-5's
    /// 28²×1→6 5×5 2.6 → 2.2 µs, the MobileNet-style model's 28²×1→16 3×3 3.3 → 3.0).
    /// </summary>
    public bool WantsImageWindow(ConvRowWindow rows) => Staged && !rows.HoldsImage && (long)rows.VirtualHeight * rows.RowStride <= ImageWindowBytes;

    /// <summary>Whether the generated kernels run the output stage and store the bytes (every channel on the short stage).</summary>
    public bool Staged { get; private init; }

    /// <summary>More than 8 output channels: calls of one block of 16 pixels, the stage in the kernel.</summary>
    public bool Wide { get; }

    /// <summary>A clamp bound's byte in each of a dword's four bytes, for a broadcast to every byte lane.</summary>
    private static int Bytes4(int bound) => (byte)bound * 0x01010101;

    /// <summary>Output pixels [<paramref name="m0"/>, <paramref name="m1"/>), every channel, an output row segment at a time.</summary>
    public unsafe void Run(Int8Conv2d op, ReadOnlySpan<sbyte> input, Span<sbyte> output, Span<byte> scratch, Span<int> sums, int m0, int m1)
    {
        var s = Shape;
        var rows = op.RowWindow!;
        int pixels = s.OutH * s.OutW, oc = s.OutChannels;
        if (!Staged) Guard.Length(sums.Length, 2 * Lanes * oc, "pixel-lane sums");
        fixed (byte* window = scratch)
        fixed (sbyte* weights = _weights, y = output)
        fixed (int* bias = _bias, pSums = sums, pM = _multiplier, pAdd = _add, pShift = _shift, pHigh = VnniTileCode.HighDwords)
        fixed (byte* indices = _indices, transpose = _transpose)
        {
            PixelLaneArgs args = default;
            args.RowStep = RowStep;
            args.BlockStep = Lanes * PixelStep;
            args.Weights = weights;
            args.Bias = bias;
            args.Indices = indices;
            args.Sums = pSums;
            args.Multiplier = pM;
            args.Add = pAdd;
            args.Shift = pShift;
            args.HighIndex = pHigh;
            args.ZeroPoint = _stage.OutputZeroPoint;
            args.ClampMin = Bytes4(_stage.Clamp.Min);
            args.ClampMax = Bytes4(_stage.Clamp.Max);
            args.Transpose = transpose;
            args.RowCount = 1;
            args.RowAdvance = s.Window.StrideH * rows.RowStride;
            args.YAdvance = (long)s.OutW * oc;
            // The first pixel's image, row and column; later segments start rows.
            int n = m0 / pixels, oh = m0 % pixels / s.OutW, ow = m0 % s.OutW, maskedCount = -1;
            for (int m = m0; m < m1;)
            {
                int count = Math.Min(m1 - m, s.OutW - ow);
                // Whole rows of one image in a window that holds them all: each segment of a row for all of them in one call.
                int runRows = Staged && rows.HoldsImage && ow == 0 ? Math.Max(1, Math.Min((m1 - m) / s.OutW, s.OutH - oh)) : 1;
                byte* row = window + rows.Row(input, scratch, n, oh, op.InputZeroPoint, unsigned: true) + (nint)ow * PixelStep;
                for (int r = 1; r < runRows; r++) rows.Row(input, scratch, n, oh + r, op.InputZeroPoint, unsigned: true);
                for (int i = 0; i < count; i += Wide ? Lanes : 2 * Lanes)
                {
                    int left = count - i, blocks = left > Lanes && !Wide ? 2 : 1;
                    args.Row = row + (nint)i * PixelStep;
                    sbyte* yb = y + (nint)(m + i) * oc;
                    if (Staged)
                    {
                        args.Y = yb;
                        args.RowCount = runRows;
                        // The store masks: those of the last call stand while the call's pixels are as many (every full row's calls).
                        if (left != maskedCount)
                        {
                            maskedCount = left;
                            // Wide: four stores of four pixels each, at 4·k·C.
                            for (int k = 0; Wide && k < 4; k++) args.Masks[k] = MaskedStore.FirstBits(Math.Clamp(left - 4 * k, 0, 4) * oc);
                            for (int b = 0; b < blocks && !Wide; b++)
                            {
                                int bytes = Math.Min(Lanes, left - b * Lanes) * oc;
                                args.Masks[2 * b] = MaskedStore.FirstBits(bytes);
                                args.Masks[2 * b + 1] = MaskedStore.FirstBits(Math.Max(0, bytes - 64));
                            }
                        }
                        (blocks == 2 ? _two : _one)(&args);
                        continue;
                    }
                    (blocks == 2 ? _two : _one)(&args);
                    Stage(ref MemoryMarshal.GetReference(sums), blocks, 0, Math.Min(Lanes, left), yb);
                    if (blocks == 2) Stage(ref MemoryMarshal.GetReference(sums), blocks, 1, left - Lanes, yb + Lanes * oc);
                }
                // runRows > 1 only from a row's start: count is then the whole row.
                m += runRows > 1 ? runRows * s.OutW : count;
                oh += runRows > 1 ? runRows : 1;
                ow = 0;
                if (oh == s.OutH) (n, oh) = (n + 1, 0);
            }
        }
    }

    /// <summary>
    /// Block <paramref name="block"/>'s sums of every channel: the stage, narrowed to bytes by two saturating packs (int32 →
    /// int16 → int8, as one saturation: the clamp's range lies inside int8), which leave channels 4g … 4g + 3 of pixel p
    /// at byte <c>64g + 16·(p / 4) + 4·(c mod 4) + p mod 4</c>; then one <c>vpermt2b</c> per 64 output bytes puts them in
    /// [pixel][channel] order, and the first <paramref name="count"/> pixels are stored at <paramref name="y"/>.
    /// </summary>
    private unsafe void Stage(ref int sums, int blocks, int block, int count, sbyte* y)
    {
        var stage = _stage;
        int oc = Shape.OutChannels;
        var zp = Vector512.Create(stage.OutputZeroPoint);
        ref int first = ref Unsafe.Add(ref sums, block * Lanes);
        var low = Avx512BW.PackSignedSaturate(
            Avx512BW.PackSignedSaturate(Requantized(ref first, blocks, 0, oc, zp), Requantized(ref first, blocks, 1, oc, zp)),
            Avx512BW.PackSignedSaturate(Requantized(ref first, blocks, 2, oc, zp), Requantized(ref first, blocks, 3, oc, zp)));
        var high = oc <= 4 ? low : Avx512BW.PackSignedSaturate(
            Avx512BW.PackSignedSaturate(Requantized(ref first, blocks, 4, oc, zp), Requantized(ref first, blocks, 5, oc, zp)),
            Avx512BW.PackSignedSaturate(Requantized(ref first, blocks, 6, oc, zp), Requantized(ref first, blocks, 7, oc, zp)));
        var clamp = stage.Clamp;
        if (clamp.Min > sbyte.MinValue)
        {
            var min = Vector512.Create((sbyte)clamp.Min);
            (low, high) = (Vector512.Max(low, min), Vector512.Max(high, min));
        }
        if (clamp.Max < sbyte.MaxValue)
        {
            var max = Vector512.Create((sbyte)clamp.Max);
            (low, high) = (Vector512.Min(low, max), Vector512.Min(high, max));
        }
        ref byte t = ref MemoryMarshal.GetArrayDataReference(_transpose);
        int bytes = count * oc;
        MaskedStore.First(y, Avx512Vbmi.PermuteVar64x8x2(low, Vector512.LoadUnsafe(ref t).AsSByte(), high), Math.Min(64, bytes));
        if (bytes > 64) MaskedStore.First(y + 64, Avx512Vbmi.PermuteVar64x8x2(low, Vector512.LoadUnsafe(ref t, 64).AsSByte(), high), bytes - 64);
    }

    /// <summary>Channel <paramref name="c"/>'s 16 sums from <paramref name="first"/> requantized with its constants and the zero point added; zeros past the channels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<int> Requantized(ref int first, int blocks, int c, int oc, Vector512<int> zp)
    {
        if (c >= oc) return default;
        var acc = Vector512.LoadUnsafe(ref first, (nuint)(c * blocks * Lanes));
        if (!OutputStage.FitsShort(_stage.Multipliers[c])) return General(acc, c);
        var multiplier = Vector512.Create(_multiplier[c]);
        return new OutputStage.ShortLanes16(multiplier, multiplier, Vector512.Create(_add[c]), Vector512.Create((uint)_shift[c])).Requantize(acc) + zp;
    }

    /// <summary>
    /// A channel whose multiplier is past the short stage (≥ 1/4: none in a calibrated model, but the contract allows them):
    /// the general stage lane by lane. Its bytes are final (clamped, zero point added); the packs and the clamp after it
    /// leave them as they are.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Vector512<int> General(Vector512<int> acc, int c)
    {
        Span<int> lanes = stackalloc int[Lanes];
        acc.CopyTo(lanes);
        for (int i = 0; i < Lanes; i++) lanes[i] = _stage.Apply(lanes[i], c);
        return Vector512.Create<int>(lanes);
    }
}
