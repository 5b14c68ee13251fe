using Edge.Core.Graph;
using Edge.Core.Shapes;
using Edge.Reference.Kernels;
using static Edge.Reference.Tests.TestGraphs;

namespace Edge.Reference.Tests;

/// <summary>
/// The convolution kernels on seeded random shapes (odd sizes, every stride/pad/dilation/group combination that
/// matters) against a direct double-precision convolution written out in the test; the depthwise kernel bit for bit
/// against the matrix-product path.
/// </summary>
public class ConvKernelTests
{
    private static readonly ConvShape[] All =
    [
        new(2, 3, 7, 9, 4, 0, 0, new Window2d(3, 5, PadTop: 1, PadLeft: 2, PadBottom: 1, PadRight: 2)),
        new(1, 3, 9, 11, 5, 0, 0, new Window2d(3, 3, 2, 2, 1, 1, 1, 1)),
        new(1, 2, 10, 9, 3, 0, 0, new Window2d(3, 3, 1, 1, 2, 2, 2, 2, 2, 2)),
        new(1, 4, 6, 7, 6, 0, 0, new Window2d(3, 3, 1, 2, 1, 1, 1, 1), Group: 2),
        new(1, 6, 5, 5, 9, 0, 0, new Window2d(2, 2, 1, 1, 0, 1, 1, 0), Group: 3),
        new(1, 3, 8, 9, 4, 0, 0, new Window2d(3, 3, 2, 2, 2, 1, 1, 0)),
        new(2, 8, 5, 6, 7, 0, 0, new Window2d(1, 1)),
        new(1, 4, 7, 7, 3, 0, 0, new Window2d(1, 1, 2, 2)),
        new(1, 17, 3, 4, 20, 0, 0, new Window2d(3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1)),
        new(2, 5, 8, 19, 5, 0, 0, new Window2d(3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1), Group: 5),
        new(1, 6, 9, 10, 6, 0, 0, new Window2d(3, 3, 2, 2, 1, 1, 1, 1), Group: 6),
        new(1, 3, 11, 30, 3, 0, 0, new Window2d(3, 3, 1, 1, 2, 2, 2, 2, 2, 2), Group: 3),
        new(1, 4, 9, 11, 4, 0, 0, new Window2d(5, 5, 1, 1, 1, 2, 2, 1), Group: 4),
        new(1, 2, 4, 3, 2, 0, 0, new Window2d(5, 5, 1, 1, 2, 2, 2, 2), Group: 2), // kernel larger than the input
        new(2, 32, 48, 49, 32, 0, 0, new Window2d(3, 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1), Group: 32), // large enough for several cores
    ];

    public static TheoryData<ConvShape> Shapes() => new(All.Select(WithOutputSize));

    public static TheoryData<ConvShape> DepthwiseShapes() => new(All.Select(WithOutputSize).Where(s => s.IsDepthwise));

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Conv_matches_a_direct_double_convolution(ConvShape s)
    {
        float[] x = Random(s.InputLength, 1, 2f), w = Random(s.OutChannels * s.ReductionLength, 2), b = Random(s.OutChannels, 3);
        var y = new float[s.OutputLength];

        Conv2dFloat.Run(s, x, w, b, FusedClamp.None, y, new float[Conv2dFloat.ScratchLength(s)]);

        AssertClose.Equal(DirectConv(s, x, w, b), y, 1e-5, s.ToString());
    }

    [Theory]
    [MemberData(nameof(DepthwiseShapes))]
    public void Depthwise_is_bit_exact_with_the_matrix_product_path(ConvShape s)
    {
        float[] x = Random(s.InputLength, 4, 2f), w = Random(s.OutChannels * s.ReductionLength, 5), b = Random(s.OutChannels, 6);
        var clamp = new FusedClamp(-1f, 1.5f);
        float[] direct = new float[s.OutputLength], product = new float[s.OutputLength];

        DepthwiseConv2dFloat.Run(s, x, w, b, clamp, direct);
        Conv2dFloat.RunGrouped(s, x, w, b, clamp, product, new float[Conv2dFloat.GroupedScratchLength(s)]);

        AssertClose.Exact(product, direct, s.ToString());
    }

    [Fact]
    public void A_layer_too_tall_for_one_im2col_band_is_banded_without_changing_results()
    {
        // K = 64·9 = 576, 56 output columns: a band holds 32 of the 56 rows.
        var s = WithOutputSize(new ConvShape(1, 64, 56, 56, 8, 0, 0, new Window2d(3, 3, 1, 1, 1, 1, 1, 1)));
        Assert.True(Conv2dFloat.ScratchLength(s) < s.ReductionLength * s.OutH * s.OutW);
        float[] x = Random(s.InputLength, 7), w = Random(s.OutChannels * s.ReductionLength, 8), b = Random(s.OutChannels, 9);
        var y = new float[s.OutputLength];

        Conv2dFloat.Run(s, x, w, b, FusedClamp.None, y, new float[Conv2dFloat.ScratchLength(s)]);

        AssertClose.Equal(DirectConv(s, x, w, b), y, 1e-4, s.ToString());
    }

    private static ConvShape WithOutputSize(ConvShape s)
    {
        var (h, w) = s.Window.OutputSize(s.InH, s.InW);
        return s with { OutH = h, OutW = w };
    }

    /// <summary>The definition, in double: y[n, o, oh, ow] = b[o] + Σ x[n, g·cin + c, oh·s − p + i·d, ow·s − p + j·d]·w[o, c, i, j].</summary>
    private static float[] DirectConv(ConvShape s, float[] x, float[] w, float[] b)
    {
        var win = s.Window;
        var y = new float[s.OutputLength];
        int cin = s.InChannelsPerGroup, coutPerGroup = s.OutChannelsPerGroup;
        for (int n = 0; n < s.Batch; n++)
        for (int o = 0; o < s.OutChannels; o++)
        for (int oh = 0; oh < s.OutH; oh++)
        for (int ow = 0; ow < s.OutW; ow++)
        {
            double sum = b[o];
            int g = o / coutPerGroup;
            for (int c = 0; c < cin; c++)
            for (int i = 0; i < win.KernelH; i++)
            for (int j = 0; j < win.KernelW; j++)
            {
                int ih = oh * win.StrideH - win.PadTop + i * win.DilationH, iw = ow * win.StrideW - win.PadLeft + j * win.DilationW;
                if (ih < 0 || ih >= s.InH || iw < 0 || iw >= s.InW) continue;
                sum += (double)x[((n * s.InChannels + g * cin + c) * s.InH + ih) * s.InW + iw] * w[((o * cin + c) * win.KernelH + i) * win.KernelW + j];
            }
            y[((n * s.OutChannels + o) * s.OutH + oh) * s.OutW + ow] = (float)sum;
        }
        return y;
    }
}
