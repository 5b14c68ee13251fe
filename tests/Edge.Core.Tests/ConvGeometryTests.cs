using Edge.Core.Errors;
using Edge.Core.Shapes;

namespace Edge.Core.Tests;

public class ConvGeometryTests
{
    [Theory]
    [InlineData(1, 5)] // 7×7 input, 3×3 filter, stride 1 → 5×5
    [InlineData(2, 3)] // stride 2 → 3×3
    public void SeedExample_7x7_with_3x3_filter(int stride, int expected)
    {
        Assert.Equal(expected, ConvGeometry.OutputSizeExact(7, 3, stride, 0, 0));
        Assert.Equal(expected, ConvGeometry.OutputSize(7, 3, stride, 0, 0));
    }

    [Fact]
    public void SeedExample_stride3_does_not_fit_and_says_why()
    {
        var e = Assert.Throws<ShapeInferenceException>(() => ConvGeometry.OutputSizeExact(7, 3, 3, 0, 0));
        Assert.Contains("stride 3 does not fit", e.Message);
        Assert.Contains("4/3", e.Message);
    }

    [Fact]
    public void Floor_mode_drops_the_partial_window_as_pytorch_does()
    {
        Assert.Equal(2, ConvGeometry.OutputSize(7, 3, 3, 0, 0));
        Assert.Equal(112, ConvGeometry.OutputSize(224, 3, 2, 1, 1)); // MobileNet stem
    }

    [Theory]
    // input, kernel, stride, pad, dilation, ceil, expected — each checked against torch.nn.functional output shapes
    [InlineData(5, 2, 2, 0, 1, true, 3)]
    [InlineData(5, 2, 2, 0, 1, false, 2)]
    [InlineData(6, 3, 2, 1, 1, true, 4)]  // ceil((6+2-3)/2) + 1 = 4; the last window starts at 6 < 6+1, inside the input or begin pad
    [InlineData(4, 2, 2, 1, 1, true, 3)]  // (4+2-2)/2 = 2 → 3; last start 4 < 5 keeps it
    [InlineData(3, 2, 2, 1, 1, true, 2)]  // (3+2-2)/2=1.5 → ceil 2 → 3 windows, but window 3 starts at 4 ≥ 3+1: dropped → 2
    [InlineData(9, 3, 1, 2, 2, false, 9)] // dilation 2 with pad 2 keeps the size
    [InlineData(10, 3, 1, 0, 3, false, 4)]
    public void Output_size_matches_pytorch(int input, int kernel, int stride, int pad, int dilation, bool ceil, int expected)
        => Assert.Equal(expected, ConvGeometry.OutputSize(input, kernel, stride, pad, pad, dilation, ceil));

    [Fact]
    public void Asymmetric_padding_counts_both_sides()
        => Assert.Equal(8, ConvGeometry.OutputSize(7, 3, 1, 0, 3)); // 7 + 0 + 3 - 3 + 1

    [Fact]
    public void Window_larger_than_input_is_a_clear_error()
    {
        var e = Assert.Throws<ShapeInferenceException>(() => ConvGeometry.OutputSize(3, 5, 1, 0, 0));
        Assert.Contains("larger than the padded input", e.Message);
    }

    [Theory]
    [InlineData(0, 3, 1, 1)]
    [InlineData(7, 3, 0, 1)]
    [InlineData(7, 3, 1, 0)]
    [InlineData(7, 0, 1, 1)]
    public void Non_positive_sizes_are_rejected(int input, int kernel, int stride, int dilation)
        => Assert.Throws<ShapeInferenceException>(() => ConvGeometry.OutputSize(input, kernel, stride, 0, 0, dilation));
}
