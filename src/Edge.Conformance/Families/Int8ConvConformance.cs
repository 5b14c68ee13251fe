using Edge.Core.Shapes;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Conv;

namespace Edge.Conformance.Families;

/// <summary>
/// <see cref="Int8Conv2d"/> on one kernel path against its scalar reference, bit for bit, on seeded shapes: input and
/// output channels 1, 3, 4, 7, 8, 13, 15, 16, 17, 24, 31, 32, 33, 65 × kernel sizes 1, 3, 5, 7, 11; the 1×1 in-place
/// convolution with pixel counts around the path's tile rows; strides 1, 2, 4; dilation 2; asymmetric padding; groups;
/// first layers on 1–3 channels (K = 9·C or 25·C); weights past L2 (im2col blocks of many pixels); padding wider than the kernel's half; 1-pixel images; batches
/// whose images end inside a work item or a tile; output rows narrower than a tile; zero points −128, 0, 127; weights
/// ±127; active clamps; wrapping accumulators. Each case also runs its work items in random splits (<see cref="Int8Conv2d.RunRange"/>).
/// </summary>
public static class Int8ConvConformance
{
    private static readonly int[] Channels = [1, 3, 4, 7, 8, 13, 15, 16, 17, 24, 31, 32, 33, 65];
    private static readonly int[] KernelSizes = [1, 3, 5, 7, 11];

    public static IEnumerable<ConformanceCase> Cases(KernelPath path, bool quick)
    {
        string family = $"Int8Conv2d/{Int8Conv2d.PathFor(path)}";
        int mr = Int8Conv2d.TileRows(path);
        var cases = new List<ConvParameters>();
        int seed = 1000;

        // Channels × kernel sizes, "same"-style padding that differs per side, strides 1, 2, 4 in turn.
        for (int i = 0; i < Channels.Length; i++)
            for (int j = 0; j < KernelSizes.Length; j++)
            {
                int ic = Channels[i], oc = Channels[(i * 5 + j * 3 + 2) % Channels.Length], k = KernelSizes[j];
                int stride = ((i + j) % 3) switch { 0 => 1, 1 => 2, _ => 4 };
                // Inputs a little larger than the kernel (the large kernels on fewer pixels: K = 121·C is long already).
                int size = k >= 7 ? k - 3 + (i + 2 * j) % 4 : k + 2 + (i + 2 * j) % 6;
                var window = new Window2d(k, k, stride, stride, k / 2, k / 2 - (i % 2) * (k / 2), (k - 1) / 2, k / 2);
                cases.Add(new ConvParameters(1, size, size + 1, ic, oc, window, 1, ++seed, ZeroPoint(seed), seed % 3 == 0, seed % 2 == 0, false));
            }

        // 1×1, stride 1, unpadded: pixels read in place; pixel counts around the tile rows, channels across the panels.
        foreach (int pixels in new[] { 1, 2, mr - 1, mr, mr + 1, 2 * mr + 1, 37 }.Where(p => p >= 1).Distinct())
            foreach (int ic in new[] { 1, 7, 8, 17, 24, 65 })
            {
                int oc = Channels[(pixels + ic) % Channels.Length];
                cases.Add(new ConvParameters(1, 1, pixels, ic, oc, new Window2d(1, 1), 1, ++seed, ZeroPoint(seed), seed % 3 == 0, seed % 2 == 1, false));
            }

        // Strides 1, 2, 4 and dilation 2 with asymmetric padding; a 1×1 with stride 2 (gathered, not in place).
        foreach (int stride in new[] { 1, 2, 4 })
            foreach (int dilation in new[] { 1, 2 })
            {
                var window = new Window2d(3, 3, stride, stride, 2, 0, 1, 3, dilation, dilation);
                cases.Add(new ConvParameters(2, 11, 9, 13, 17, window, 1, ++seed, ZeroPoint(seed), seed % 2 == 0, true, false));
            }
        cases.Add(new ConvParameters(1, 9, 8, 24, 33, new Window2d(1, 1, 2, 2), 1, ++seed, -128, false, true, false));

        // Groups (not depthwise): 2, 3, 4 groups × channels per group.
        foreach (int g in new[] { 2, 3, 4 })
            foreach (var (icg, ocg) in new[] { (1, 5), (3, 16), (5, 17), (8, 1), (17, 3) })
            {
                var window = new Window2d(3, 3, 1 + icg % 2, 1, 1, 2, 0, 1, 1 + g % 2, 1);
                cases.Add(new ConvParameters(1, 7, 8, icg * g, ocg * g, window, g, ++seed, ZeroPoint(seed), seed % 2 == 1, true, false));
            }

        // First layers: 1–3 input channels, K = 9·C or 25·C, assembled in registers where the window lies inside.
        foreach (int c in new[] { 1, 2, 3 })
        {
            cases.Add(new ConvParameters(1, 23, 21, c, 32, new Window2d(3, 3, 2, 2, 1, 1, 1, 1), 1, ++seed, ZeroPoint(seed), false, true, false));
            cases.Add(new ConvParameters(1, 16, 15, c, 6, new Window2d(5, 5, 1, 1, 2, 2, 2, 2), 1, ++seed, ZeroPoint(seed), seed % 2 == 0, true, false));
        }

        // Shallow inputs on x86 (DirectPairs): every row length KW·C up to 16, odd and even (the odd pair's zero weight), strides
        // 1–3 and dilation 2 along H, rows of 1–13 pixels against tiles of 8 and 4, channels across narrow (≤ 8) and wide panels.
        foreach (var (c, kw, kh, oc) in new[] { (1, 1, 3, 9), (1, 7, 7, 1), (2, 3, 3, 17), (2, 8, 2, 8), (3, 5, 5, 33), (4, 4, 3, 7), (4, 3, 1, 24), (3, 2, 4, 16) })
        {
            int stride = 1 + (c + kw) % 3, width = 1 + (c * 5 + kw * 3) % 13;
            var window = new Window2d(kh, kw, stride, stride, kh / 2, kw / 2, (kh - 1) / 2, kw - 1 - kw / 2, 1 + (kh + c) % 2, 1);
            cases.Add(new ConvParameters(1 + c % 2, 6 + kh, (width - 1) * stride + kw, c, oc, window, 1, ++seed, ZeroPoint(seed), seed % 3 == 1, seed % 2 == 0, false));
        }

        // The padded row window: padding wider than the kernel's half (whole zp rows and columns, windows all padding);
        // 1-pixel images and batches whose images end inside a work item or a tile; output rows narrower than a tile
        // (a tile's pixels span several output rows, with strides and dilation); short window rows of every plan shape
        // (K = 4, 16, 18, 49 on one or two channels) and long ones.
        cases.Add(new ConvParameters(1, 6, 5, 3, 8, new Window2d(3, 3, 1, 1, 5, 3, 0, 6), 1, ++seed, ZeroPoint(seed), false, true, false));
        cases.Add(new ConvParameters(2, 4, 7, 1, 6, new Window2d(5, 5, 1, 2, 6, 6, 6, 6), 1, ++seed, ZeroPoint(seed), false, true, false));
        cases.Add(new ConvParameters(1, 5, 5, 17, 9, new Window2d(1, 1, 1, 1, 2, 3, 1, 2), 1, ++seed, ZeroPoint(seed), false, true, false));
        cases.Add(new ConvParameters(2, 6, 6, 4, 12, new Window2d(3, 3, 2, 2, 4, 4, 4, 4, 2, 2), 2, ++seed, ZeroPoint(seed), false, true, false));
        foreach (int batch in new[] { 1, 3, 37 })
        {
            cases.Add(new ConvParameters(batch, 1, 1, 1, 16, new Window2d(3, 3, 1, 1, 1, 1, 1, 1), 1, ++seed, ZeroPoint(seed), false, true, false));
            cases.Add(new ConvParameters(batch, 1, 1, 3, 7, new Window2d(5, 5, 1, 1, 2, 2, 2, 2), 1, ++seed, ZeroPoint(seed), false, true, false));
            cases.Add(new ConvParameters(batch, 1, 1, 24, 17, new Window2d(3, 3, 2, 2, 1, 1, 1, 1), 1, ++seed, ZeroPoint(seed), false, true, false));
        }
        foreach (var (batch, h, w) in new[] { (3, 5, 7), (4, 3, 3), (5, 7, 2), (2, 17, 19) })
        {
            cases.Add(new ConvParameters(batch, h, w, 1, 6, new Window2d(5, 5, 1, 1, 2, 2, 2, 2), 1, ++seed, ZeroPoint(seed), false, true, false));
            cases.Add(new ConvParameters(batch, h, w, 2, 33, new Window2d(3, 3, 1, 1, 1, 1, 1, 1), 1, ++seed, ZeroPoint(seed), seed % 2 == 0, true, false));
            cases.Add(new ConvParameters(batch, h, w, 6, 15, new Window2d(3, 3, 2, 1, 2, 1, 2, 1, 2, 1), 3, ++seed, ZeroPoint(seed), false, true, false));
        }
        foreach (int w in new[] { 1, 2, 3, 5 })
        {
            cases.Add(new ConvParameters(1, 19, w, 3, 16, new Window2d(3, 3, 2, 1, 1, 1, 1, 1), 1, ++seed, ZeroPoint(seed), false, true, false));
            cases.Add(new ConvParameters(2, 13, w, 8, 24, new Window2d(3, 3, 1, 1, 2, 2, 2, 2, 2, 2), 1, ++seed, ZeroPoint(seed), false, true, false));
            cases.Add(new ConvParameters(1, 23, w, 5, 9, new Window2d(5, 1, 4, 1, 2, 0, 2, 0), 1, ++seed, ZeroPoint(seed), false, true, false));
        }
        foreach (var (k, c) in new[] { (2, 1), (4, 1), (3, 2), (7, 1), (2, 4), (4, 4) })
        {
            cases.Add(new ConvParameters(1, 13, 11, c, 8, new Window2d(k, k, 1, 1, k / 2, k / 2, (k - 1) / 2, (k - 1) / 2), 1, ++seed, ZeroPoint(seed), false, true, false));
            cases.Add(new ConvParameters(2, 12, 9, c, 5, new Window2d(k, k, 2, 2, k - 1, 0, 0, k - 1), 1, ++seed, ZeroPoint(seed), false, true, false));
        }

        // Few output channels on a shallow input (pixels in the lanes: DirectPixelLanes on AVX-512 VNNI, DirectPixelLanesAvx2
        // for one input channel on AVX2): 1–16 channels, row lengths KW·C up to 16 (one to four quads, one to eight pairs,
        // odd and even), strides 1–3 up to the 64-byte reach of a block, dilation along H, kernel rows up to 11, rows of
        // 8–50 pixels (one, two and three blocks of 16, ends inside a block), batches.
        foreach (var (c, kw, kh, stride, oc, outW, dh) in new[] { (1, 5, 5, 1, 6, 28, 1), (1, 3, 3, 1, 1, 40, 1), (1, 7, 11, 1, 8, 33, 1),
            (2, 3, 3, 2, 7, 17, 2), (3, 3, 3, 1, 8, 20, 1), (4, 4, 2, 1, 3, 9, 1), (1, 5, 5, 3, 5, 45, 1), (3, 5, 5, 1, 4, 36, 1), (2, 2, 6, 2, 2, 50, 3),
            (1, 3, 3, 1, 16, 28, 1), (1, 5, 5, 1, 12, 30, 1), (3, 3, 3, 1, 9, 17, 1), (2, 3, 3, 1, 13, 20, 2), (1, 7, 11, 1, 16, 33, 1),
            (1, 3, 3, 2, 6, 14, 1), (1, 5, 5, 2, 8, 21, 1), (1, 16, 2, 2, 4, 19, 2), (1, 1, 1, 1, 3, 8, 1), (1, 4, 3, 1, 7, 16, 1), (1, 16, 3, 1, 2, 9, 1) })
        {
            var window = new Window2d(kh, kw, 1 + (oc + c) % 2, stride, kh / 2, kw / 2, (kh - 1) / 2, (kw - 1) / 2, dh, 1);
            int width = (outW - 1) * stride + kw - kw / 2 - (kw - 1) / 2, height = 3 + kh + oc % 3;
            cases.Add(new ConvParameters(1 + oc % 2, height, width, c, oc, window, 1, ++seed, ZeroPoint(seed), seed % 3 == 0, seed % 2 == 1, false));
            // Every channel on the short stage too: the generated kernels then run the stage and the stores themselves.
            cases.Add(new ConvParameters(1 + oc % 2, height, width, c, oc, window, 1, ++seed, ZeroPoint(seed), seed % 3 == 0, seed % 4 == 3, false, AllShort: true));
        }

        // Weights past Int8GemmTile.StreamedWeightBytes (the VNNI tiles prefetch the next panel pair): im2col blocks that
        // end at an image's end inside a tile and in mid-row, a block of one pixel, panels past a pair, strides.
        foreach (var (batch, h, w, stride, oc) in new[] { (2, 6, 5, 1, 231), (1, 9, 9, 1, 240), (1, 9, 9, 2, 17), (3, 1, 1, 1, 64) })
        {
            var window = new Window2d(3, 3, stride, stride, 1, 1, 1, 1);
            cases.Add(new ConvParameters(batch, h, w, oc == 64 ? 1024 : oc == 17 ? 3500 : 257, oc, window, 1, ++seed, ZeroPoint(seed), seed % 2 == 0, true, false));
        }

        // 3×3 stride 1 on 16–2048 channels (WinogradF2x3Avx2 on AVX2): odd and even output sizes (tiles cut at the right and
        // bottom), padding 0–2 per side, channel counts off 16 (the overlapping last load) and odd (the half-zero pair),
        // 1–40 output channels (panels cut at 8 and 16), batches whose tiles span images, blocks past one (many tiles on
        // many channels), 2048 channels of extreme values (the int32 bound), wrapping accumulators.
        foreach (var (batch, h, w, ic, oc, pad) in new[] { (1, 6, 6, 16, 16, 1), (1, 7, 9, 17, 9, 1), (2, 5, 8, 24, 17, 0), (3, 6, 5, 31, 8, 2),
            (1, 12, 11, 33, 40, 1), (1, 3, 3, 64, 1, 1), (2, 9, 4, 130, 33, 1), (1, 15, 13, 512, 20, 1), (1, 4, 5, 2048, 12, 1), (1, 30, 29, 16, 24, 1),
            (5, 3, 4, 48, 16, 0) })
        {
            var window = new Window2d(3, 3, 1, 1, pad, (pad + 1) % 3, (pad + ic) % 3, pad);
            cases.Add(new ConvParameters(batch, h, w, ic, oc, window, 1, ++seed, ZeroPoint(seed), seed % 2 == 0 || ic == 2048, seed % 3 != 0, false));
        }
        foreach (int zp in new[] { -128, 127 })
            cases.Add(new ConvParameters(1, 7, 6, 40, 24, new Window2d(3, 3, 1, 1, 1, 1, 1, 1), 1, ++seed, zp, true, false, true));

        // Wrapping accumulators at the extreme zero points.
        foreach (int zp in new[] { -128, 0, 127 })
            cases.Add(new ConvParameters(1, 5, 6, 19, 9, new Window2d(3, 3, 1, 1, 1, 1, 1, 1), 1, ++seed, zp, true, false, true));

        for (int i = 0; i < cases.Count; i++)
            if (!quick || i % 5 == 0 || i >= cases.Count - 3) yield return Case(family, path, cases[i]);
    }

    /// <summary>One convolution case's parameters, printed in full on failure.</summary>
    private readonly record struct ConvParameters(int Batch, int H, int W, int InChannels, int OutChannels, Window2d Window, int Group,
        int Seed, int InputZeroPoint, bool Extreme, bool Clamped, bool Wrap, bool AllShort = false);

    private static ConformanceCase Case(string family, KernelPath path, ConvParameters p)
    {
        var shape = new Conv2dShape(p.Batch, p.H, p.W, p.InChannels, p.OutChannels, p.Window, p.Group);
        return new(family, $"{shape} seed {p.Seed} zp_x {p.InputZeroPoint} extreme {p.Extreme} clamped {p.Clamped} wrapping {p.Wrap}{(p.AllShort ? " short stage" : "")}", () =>
        {
            var rng = new Random(p.Seed);
            var input = Data.Activations(rng, shape.InputLength, p.Extreme);
            var weights = Data.Weights(rng, shape.OutChannels * shape.KernelLength, p.Extreme);
            var bias = Data.Bias(rng, shape.OutChannels, shape.KernelLength, p.Wrap);
            var stage = Data.Stage(rng, shape.OutChannels, shape.KernelLength, p.Clamped, p.Wrap, p.AllShort);
            var op = Int8Conv2d.Prepare(shape, weights, bias, p.InputZeroPoint, stage);
            var reference = new sbyte[shape.OutputLength];
            Int8Conv2d.RunScalar(op, input, reference, []);
            // The output with a guard after it: a kernel's masked stores must end at the tensor's last byte.
            var guarded = new sbyte[shape.OutputLength + OutputGuard.Length];
            OutputGuard.Fill(guarded.AsSpan(shape.OutputLength));
            var actual = guarded.AsSpan(0, shape.OutputLength);
            var scratch = new byte[op.ScratchLength];
            Int8Conv2d.Run(op, input, actual, scratch, path);
            var locate = Compare.Nhwc(shape.OutH, shape.OutW, shape.OutChannels);
            var difference = Compare.FirstDifference<sbyte>(reference, actual, locate) ?? OutputGuard.Check(guarded.AsSpan(shape.OutputLength));
            if (difference is not null) return difference;
            if (Int8Conv2d.PathFor(path) == KernelPath.Scalar) return null;
            foreach (var split in Data.Splits(rng, op.WorkItems))
            {
                var parts = new sbyte[shape.OutputLength];
                foreach (var (begin, end) in split) Int8Conv2d.RunRange(op, input, parts, scratch, path, begin, end);
                difference = Compare.FirstDifference<sbyte>(reference, parts, locate);
                if (difference is not null) return $"work items split {Data.Show(split)} of {op.WorkItems}: {difference}";
            }
            return null;
        });
    }

    private static int ZeroPoint(int seed) => (seed % 4) switch { 0 => -128, 1 => 0, 2 => 127, _ => seed * 37 % 255 - 128 };
}
