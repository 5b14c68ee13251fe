using Edge.Core.Shapes;
using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.DepthwiseConv;

namespace Edge.Conformance.Families;

/// <summary>
/// <see cref="Int8DepthwiseConv2d"/> on one kernel path against its scalar reference: channels around every block boundary
/// (1, 3, 4, 7, 8, 13, 15, 16, 17, 24, 31, 32, 33, 65), the 3×3 and 5×5 filters and generic ones (1×1, 2×3, 7×7), strides
/// 1 and 2, dilation 2, asymmetric padding (and windows that lie on padding alone), spatial sizes 1..9 and odd larger
/// ones, batch 2, input and output zero points −128, 0, 127, weights ±127, active clamps; 3×3 filters at output widths
/// 1..11 with all multipliers below 1/2 (the x86 3×3 path's pair rows and short output stage). Each case runs the path whole
/// and split into two row ranges (as two threads would, each with its own scratch), into a buffer whose tail must
/// survive untouched.
/// </summary>
public static class Int8DepthwiseConformance
{
    private static readonly int[] AllChannels = [1, 3, 4, 7, 8, 13, 15, 16, 17, 24, 31, 32, 33, 65];
    private static readonly int[] QuickChannels = [1, 8, 17, 33];
    private static readonly (int H, int W)[] Kernels = [(3, 3), (5, 5), (1, 1), (2, 3), (7, 7)];

    public static IEnumerable<ConformanceCase> Cases(KernelPath path, bool quick)
    {
        string family = $"{nameof(Int8DepthwiseConv2d)}/{path}";
        int index = 0;
        foreach (int channels in quick ? QuickChannels : AllChannels)
            foreach (var (kh, kw) in quick ? Kernels[..3] : Kernels)
                foreach (int stride in new[] { 1, 2 })
                {
                    int i = index++;
                    int dilation = i % 5 == 4 ? 2 : 1;
                    int effH = (kh - 1) * dilation + 1, effW = (kw - 1) * dilation + 1;
                    // Padding: "same"-like, all on one side, none, or more than the window (a row of padding alone).
                    var (pt, pl, pb, pr) = (i % 4) switch
                    {
                        0 => (effH / 2, effW / 2, effH / 2, effW / 2),
                        1 => (effH - 1, 0, 0, effW - 1),
                        2 => (0, 0, 0, 0),
                        _ => (effH, 1, 0, effW),
                    };
                    int h = Math.Max(1 + i % 9, effH - pt - pb), w = Math.Max(1 + (i * 5 + 3) % 9, effW - pl - pr);
                    var window = new Window2d(kh, kw, stride, stride, pt, pl, pb, pr, dilation, dilation);
                    yield return Case(family, path, new Conv2dShape(1 + i % 2, h, w, channels, channels, window, channels), seed: 1000 + i,
                        zpIn: SeededInt8.ZeroPoint(new Random(i), i), zpOut: SeededInt8.ZeroPoint(new Random(-i), i + 1), extreme: i % 3 == 0, activeClamp: i % 2 == 0);
                }
        // Larger odd planes, as MobileNet's layers but smaller: stride 1 and 2, 3×3 and 5×5.
        var large = quick ? [(17, 19, 32, 3, 1), (17, 19, 33, 3, 2)]
            : new[] { (17, 19, 32, 3, 1), (17, 19, 33, 3, 2), (23, 21, 48, 3, 1), (15, 15, 24, 5, 1), (15, 17, 40, 5, 2), (31, 29, 16, 3, 2) };
        // The x86 3×3 path (pair rows, four pixels per step, the short output stage where all multipliers are below 1/2):
        // output widths 1..11 around the four-pixel steps, channels around the 16-channel blocks, strides 1 and 2 with
        // dilations 1 and 2, padding on either side.
        int[] pairChannels = quick ? [3, 17, 33] : [1, 3, 7, 15, 16, 17, 31, 33, 48];
        for (int j = 0; j < (quick ? 8 : 44); j++)
        {
            int i = index++, stride = 1 + j % 2, dilation = 1 + j / 2 % 2;
            int outW = 1 + j % 11, channels = pairChannels[j % pairChannels.Length];
            var (pl, pr) = (j % 3) switch { 0 => (dilation, dilation), 1 => (0, 2 * dilation), _ => (2 * dilation, 1) };
            int w = Math.Max(1, (outW - 1) * stride + 2 * dilation + 1 - pl - pr), h = 2 + j % 5;
            var window = new Window2d(3, 3, stride, stride, dilation, pl, dilation, pr, dilation, dilation);
            yield return Case(family, path, new Conv2dShape(1 + j % 2, h, w, channels, channels, window, channels), seed: 7000 + i,
                zpIn: SeededInt8.ZeroPoint(new Random(i), i), zpOut: SeededInt8.ZeroPoint(new Random(-i), i + 3), extreme: j % 4 == 1, activeClamp: j % 3 != 2,
                belowHalf: j % 5 != 4);
        }
        // The AVX-512 VNNI path (quad rows, groups of 1–8 pixels, the last group shifted back where groups do not tile the
        // row; the short stage with the zero point folded in): wider rows, 3×3 at dilations 1–3 and 5×5, all multipliers
        // below 1/2 so that the path takes every block.
        int[] vnniWidths = quick ? [9, 14] : [9, 10, 12, 13, 14, 16, 17, 21, 28, 30];
        for (int j = 0; j < vnniWidths.Length * 2; j++)
        {
            int i = index++, outW = vnniWidths[j / 2], k = j % 4 == 3 ? 5 : 3, stride = 1 + j % 2, dilation = k == 5 ? 1 : 1 + j / 2 % 3;
            // Strided layers take the VNNI path from 64 channels.
            int channels = (stride > 1 ? 64 : 0) + pairChannels[(j * 7 + 1) % pairChannels.Length], pad = (k - 1) * dilation / 2;
            int w = Math.Max(1, (outW - 1) * stride + (k - 1) * dilation + 1 - 2 * pad), h = 3 + j % 4;
            var window = new Window2d(k, k, stride, stride, pad, pad, pad, pad, dilation, dilation);
            yield return Case(family, path, new Conv2dShape(1, h, w, channels, channels, window, channels), seed: 9000 + i,
                zpIn: SeededInt8.ZeroPoint(new Random(i), i), zpOut: SeededInt8.ZeroPoint(new Random(-i), i + 5), extreme: j % 3 == 1, activeClamp: j % 2 == 0,
                belowHalf: true, quarterToHalf: j % 3 != 2);
        }
        // The AVX-512 VNNI column kernels (filters of 1–4 rows read straight from the padded rows, quads built in
        // registers): groups of 64 channels and their partial last group, 16 and 32 channels with four and two pixels per
        // zmm (the row's last set partly past its end), widths around the sets of 1–4, strides 1–3, dilation 2, KW 1–5,
        // the short and the long stage.
        int[] columnChannels = quick ? [16, 64, 96] : [16, 32, 48, 64, 65, 96, 128, 130];
        for (int j = 0; j < (quick ? 6 : 48); j++)
        {
            int i = index++, channels = columnChannels[j % columnChannels.Length], kh = 1 + j % 4, kw = 1 + (j * 3 + 2) % 5;
            int stride = 1 + j / 3 % 3, dilation = j % 7 == 5 ? 2 : 1, outW = 1 + (j * 5 + 3) % 17;
            int padW = (kw - 1) * dilation / 2, padH = (kh - 1) * dilation / 2;
            int w = Math.Max(1, (outW - 1) * stride + (kw - 1) * dilation + 1 - 2 * padW), h = 2 + j % 6;
            var window = new Window2d(kh, kw, stride, stride, padH, padW, padH, padW, dilation, dilation);
            yield return Case(family, path, new Conv2dShape(1 + j % 2, h, w, channels, channels, window, channels), seed: 11000 + i,
                zpIn: SeededInt8.ZeroPoint(new Random(i), i), zpOut: SeededInt8.ZeroPoint(new Random(-i), i + 7), extreme: j % 5 == 2, activeClamp: j % 2 == 1,
                belowHalf: true, quarterToHalf: j % 4 == 3 || (channels < 64 && stride > 1));   // strided few channels: AVX2 unless a multiplier is long
        }
        foreach (var (h, w, c, k, s) in large)
        {
            int i = index++;
            var window = new Window2d(k, k, s, s, k / 2, k / 2, k / 2, k / 2);
            yield return Case(family, path, new Conv2dShape(1, h, w, c, c, window, c), seed: 5000 + i,
                zpIn: SeededInt8.ZeroPoint(new Random(i), i), zpOut: SeededInt8.ZeroPoint(new Random(-i), i + 2), extreme: i % 3 == 1, activeClamp: true);
        }
    }

    /// <summary>
    /// The stage with every third channel's multiplier moved into [1/4, 1/2) (shift 32: what the VNNI depthwise path's long
    /// stage serves), the others kept.
    /// </summary>
    private static OutputStage QuarterToHalf(OutputStage stage)
    {
        var m = stage.Multipliers.Select((q, c) => c % 3 == 1 ? QuantizedMultiplier.FromReal(0.25 + 0.2499 * (q.ToDouble() * 997 % 1)) : q).ToArray();
        return new OutputStage(m, stage.OutputZeroPoint, stage.Clamp);
    }

    /// <summary>
    /// The stage with every multiplier of 1/2 or more replaced by one below 1/2 (shift ≥ 32: what trained depthwise layers
    /// have), so no 16-channel block falls back from the x86 3×3 path's short output stage.
    /// </summary>
    private static OutputStage BelowHalf(OutputStage stage)
    {
        var m = stage.Multipliers.Select(q => q.ToDouble() >= 0.5 ? QuantizedMultiplier.FromReal(q.ToDouble() / 4) : q).ToArray();
        return new OutputStage(m, stage.OutputZeroPoint, stage.Clamp);
    }

    private static ConformanceCase Case(string family, KernelPath path, Conv2dShape shape, int seed, int zpIn, int zpOut, bool extreme, bool activeClamp,
        bool belowHalf = false, bool quarterToHalf = false)
    {
        string parameters = $"{shape}, zp_x {zpIn}, zp_y {zpOut}, seed {seed}{(extreme ? ", extreme" : "")}{(activeClamp ? ", clamped" : "")}{(belowHalf ? ", M < 1/2" : "")}"
            + (quarterToHalf ? ", some M in [1/4, 1/2)" : "");
        return new ConformanceCase(family, parameters, () =>
        {
            var rng = new Random(seed);
            int taps = shape.Window.KernelH * shape.Window.KernelW;
            var input = CaseData.Activations(rng, shape.InputLength, extreme);
            var weights = CaseData.Weights(rng, shape.OutChannels * taps, extreme);
            var bias = new int[shape.OutChannels];
            for (int c = 0; c < bias.Length; c++) bias[c] = extreme && c % 2 == 0 ? (c % 4 == 0 ? int.MaxValue - 1000 : int.MinValue + 1000) : rng.Next(-50_000, 50_001);
            var stage = SeededInt8.Stage(rng, shape.OutChannels, taps, zpOut, SeededInt8.Clamp(rng, zpOut, activeClamp));
            if (belowHalf) stage = BelowHalf(stage);
            if (quarterToHalf) stage = QuarterToHalf(stage);
            var op = Int8DepthwiseConv2d.Prepare(shape, weights, bias, zpIn, stage);
            var expected = new sbyte[shape.OutputLength];
            Int8DepthwiseConv2d.RunScalar(op, input, expected, []);
            var locate = Compare.Nhwc(shape.OutH, shape.OutW, shape.OutChannels);

            var actual = new sbyte[shape.OutputLength + 32];
            actual.AsSpan().Fill(99);
            Int8DepthwiseConv2d.Run(op, input, actual.AsSpan(0, shape.OutputLength), new byte[op.ScratchLength], path);
            if (Compare.FirstDifference<sbyte>(expected, actual.AsSpan(0, shape.OutputLength), locate) is { } whole) return $"whole: {whole}";
            if (actual.AsSpan(shape.OutputLength).IndexOfAnyExcept((sbyte)99) >= 0) return "wrote past the output tensor";

            // Two row ranges with scratch of their own, the second run first: any split gives the same bytes.
            int split = new Random(seed + 1).Next(0, op.RowCount + 1);
            actual.AsSpan().Fill(99);
            Int8DepthwiseConv2d.RunRows(op, input, actual.AsSpan(0, shape.OutputLength), new byte[op.ScratchLength], path, split, op.RowCount);
            Int8DepthwiseConv2d.RunRows(op, input, actual.AsSpan(0, shape.OutputLength), new byte[op.ScratchLength], path, 0, split);
            if (Compare.FirstDifference<sbyte>(expected, actual.AsSpan(0, shape.OutputLength), locate) is { } rows) return $"rows split at {split}: {rows}";
            return actual.AsSpan(shape.OutputLength).IndexOfAnyExcept((sbyte)99) >= 0 ? "rows: wrote past the output tensor" : null;
        });
    }
}
