using Edge.Core.Shapes;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Conv;
using Edge.Runtime.Tests.Support;
using Xunit;

namespace Edge.Runtime.Tests.Kernels;

/// <summary>
/// The pixel-lane direct convolution of the VNNI path (<see cref="DirectPixelLanes"/>, <see cref="PixelLaneCode"/>): which
/// quad layout a shape gets — per kernel row, or flat across kernel rows where that takes fewer quads — and that each
/// gives the scalar reference's bytes, whole and split into ranges; and that a small image's window holds all its rows,
/// so the staged kernels run many output rows per call. The Conformance families cover these kernels among all the others; these cases pin
/// the layouts down. Off the generated code (no AVX512_VNNI or VBMI) the plan is null, which the first test checks.
/// </summary>
[Trait("Category", "Conformance")]
public class PixelLaneTests
{
    // name, h, w, ic, oc, k, stride, pad; flat: whether the plan takes its quads across kernel rows, and how many
    public static TheoryData<string, int[], bool, int> Plans => new()
    {
        { "LeNet 5x5 on 1 channel, 6 out", [28, 28, 1, 6, 5, 1, 2], true, 7 },
        { "5x5 on 1 channel, 16 out (one block per call)", [20, 19, 1, 16, 5, 1, 2], true, 7 },
        { "3x3 on 1 channel: 3 quads either way", [28, 28, 1, 16, 3, 1, 1], false, 1 },
        { "3x3 on 3 channels stride 1", [17, 18, 3, 8, 3, 1, 1], true, 7 },
        { "3x3 on 2 channels", [23, 37, 2, 5, 3, 1, 1], true, 5 },
        { "7x7 on 1 channel stride 2", [30, 33, 1, 3, 7, 2, 3], true, 13 },
        { "4x4 on 1 channel: whole quads per row", [21, 21, 1, 7, 4, 1, 0], false, 1 },
    };

    [Theory]
    [MemberData(nameof(Plans))]
    public void The_plan_takes_the_fewer_quads_and_gives_the_reference_s_bytes(string name, int[] p, bool flat, int quads)
    {
        var (h, w, ic, oc, k, stride, pad) = (p[0], p[1], p[2], p[3], p[4], p[5], p[6]);
        var shape = new Conv2dShape(1, h, w, ic, oc, new Window2d(k, k, stride, stride, pad, pad, pad, pad));
        foreach (var clamp in new[] { ClampKind.None, ClampKind.Relu6 })
        {
            var c = new ConvCase(shape, seed: h * 31 + oc + (int)clamp, clamp: clamp);
            var op = c.Conv();
            if (!PixelLaneCode.IsSupported)
            {
                Assert.Null(op.PixelLanes);
                continue;
            }
            var lanes = op.PixelLanes;
            Assert.True(lanes is not null, $"{name}: no pixel-lane plan");
            Assert.Equal(flat, lanes.Flat);
            if (flat) Assert.Equal(quads, lanes.Quads);
            var expected = new sbyte[shape.OutputLength];
            Int8Conv2d.RunScalar(op, c.Input, expected, []);
            var actual = new sbyte[shape.OutputLength];
            Int8Conv2d.Run(op, c.Input, actual, new byte[op.ScratchLength], KernelPath.Avx512Vnni);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{name} {clamp}: differs from the reference");
            // Small images: the window holds the whole padded image, and runs of whole rows go to the kernel in one call;
            // a split into ranges (threads) that start and end inside rows gives the same bytes.
            Assert.True(op.RowWindow!.HoldsImage, $"{name}: the row window does not hold the image");
            var split = new sbyte[shape.OutputLength];
            var scratch = new byte[op.ScratchLength];
            int items = op.Work.Items;
            for (int begin = 0, step = Math.Max(1, items / 3); begin < items; begin += step)
                Int8Conv2d.RunRange(op, c.Input, split, scratch, KernelPath.Avx512Vnni, begin, Math.Min(items, begin + step));
            Assert.True(expected.AsSpan().SequenceEqual(split), $"{name} {clamp}: a split run differs from the reference");
        }
    }
}
