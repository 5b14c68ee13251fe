using Edge.Core.Shapes;
using Edge.Runtime.Arithmetic;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Conv;
using Edge.Runtime.Kernels.DepthwiseConv;
using Edge.Runtime.Kernels.Elementwise;
using Edge.Runtime.Kernels.Gemm;
using Edge.Runtime.Kernels.Pool;
using Edge.Runtime.Tests.Support;

namespace Edge.Runtime.Tests.Kernels;

/// <summary>Every kernel's Run, called 1,000 times after a warm-up, leaves the thread's allocated bytes unchanged.</summary>
public class ZeroAllocationTests
{
    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector128)]
    [InlineData(KernelPath.Avx2)]
    [InlineData(KernelPath.Avx512BW)]
    [InlineData(KernelPath.AdvSimd)]
    [InlineData(KernelPath.AdvSimdDp)]
    public void Convolutions_and_gemm(KernelPath path)
    {
        var conv = new ConvCase(new Conv2dShape(1, 6, 5, 7, 9, new Window2d(3, 3, 1, 2, 1, 1, 0, 1)), seed: 1);
        var convOp = conv.Conv();
        var convOut = new sbyte[conv.Shape.OutputLength];
        var convScratch = new byte[convOp.ScratchLength];
        Allocations.AssertNone($"Int8Conv2d {path}", () => Int8Conv2d.Run(convOp, conv.Input, convOut, convScratch, path));

        var pointwise = new ConvCase(new Conv2dShape(1, 4, 4, 32, 8, new Window2d(1, 1)), seed: 2);
        var pointwiseOp = pointwise.Conv();
        var pointwiseOut = new sbyte[pointwise.Shape.OutputLength];
        var pointwiseScratch = new byte[pointwiseOp.ScratchLength];
        Allocations.AssertNone($"Int8Conv2d 1x1 {path}", () => Int8Conv2d.Run(pointwiseOp, pointwise.Input, pointwiseOut, pointwiseScratch, path));
        int items = convOp.WorkItems;
        if (Int8Conv2d.PathFor(path) != KernelPath.Scalar)   // the scalar reference runs only whole
        {
            Allocations.AssertNone($"Int8Conv2d.RunRange {path}", () =>
            {
                Int8Conv2d.RunRange(convOp, conv.Input, convOut, convScratch, path, 0, items / 2);
                Int8Conv2d.RunRange(convOp, conv.Input, convOut, convScratch, path, items / 2, items);
            });
        }

        var dw = new ConvCase(new Conv2dShape(2, 6, 6, 27, 27, new Window2d(3, 3, 2, 2, 1, 1, 1, 1), 27), seed: 3);
        var dwOp = dw.Depthwise();
        var dwOut = new sbyte[dw.Shape.OutputLength];
        var dwScratch = new byte[dwOp.ScratchLength];
        Allocations.AssertNone($"Int8DepthwiseConv2d {path}", () => Int8DepthwiseConv2d.Run(dwOp, dw.Input, dwOut, dwScratch, path));

        var gemm = new ConvCase(ConvCase.GemmShape(2, 37, 11), seed: 4);
        var gemmOp = gemm.Gemm();
        var gemmOut = new sbyte[22];
        var gemmScratch = new byte[gemmOp.ScratchLength];
        Allocations.AssertNone($"Int8Gemm {path}", () => Int8Gemm.Run(gemmOp, gemm.Input, gemmOut, gemmScratch, path));
        var fc = new ConvCase(ConvCase.GemmShape(1, 400, 120), seed: 5);
        var fcOp = fc.Gemm();
        var fcOut = new sbyte[120];
        var fcScratch = new byte[fcOp.ScratchLength];
        if (Int8Gemm.PathFor(path) != KernelPath.Scalar)
        {
            Allocations.AssertNone($"Int8Gemm.RunRange {path}", () =>
            {
                for (int i = 0; i < fcOp.WorkItems; i++) Int8Gemm.RunRange(fcOp, fc.Input, fcOut, fcScratch, path, i, i + 1);
            });
        }
    }

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector128)]
    [InlineData(KernelPath.Avx2)]
    public void Pools(KernelPath path)
    {
        var shape = new Pool2dShape(1, 7, 7, 5, new Window2d(3, 3, 2, 2, 1, 1, 1, 1, CeilMode: true));
        var x = TestData.Activations(new Random(1), shape.InputLength);
        var y = new sbyte[shape.OutputLength];
        var max = Int8MaxPool.Prepare(shape);
        var avg = Int8AveragePool.Prepare(shape, true, 3);
        var global = Int8GlobalAveragePool.Prepare(1, 7, 7, 5, 3);
        Allocations.AssertNone($"Int8MaxPool {path}", () => Int8MaxPool.Run(max, x, y, path));
        Allocations.AssertNone($"Int8AveragePool {path}", () => Int8AveragePool.Run(avg, x, y, path));
        Allocations.AssertNone($"Int8GlobalAveragePool {path}", () => Int8GlobalAveragePool.Run(global, x, y, path));
        var wide = new Pool2dShape(1, 5, 5, 37, new Window2d(2, 2, 2, 2));
        var xw = TestData.Activations(new Random(4), wide.InputLength);
        var yw = new sbyte[wide.OutputLength];
        var maxWide = Int8MaxPool.Prepare(wide);
        var avgWide = Int8AveragePool.Prepare(wide, false, -2);
        var globalWide = Int8GlobalAveragePool.Prepare(1, 5, 5, 37, -2);
        Allocations.AssertNone($"Int8MaxPool 37 channels {path}", () => Int8MaxPool.Run(maxWide, xw, yw, path));
        Allocations.AssertNone($"Int8AveragePool 37 channels {path}", () => Int8AveragePool.Run(avgWide, xw, yw, path));
        Allocations.AssertNone($"Int8GlobalAveragePool 37 channels {path}", () => Int8GlobalAveragePool.Run(globalWide, xw, yw, path));
    }

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector128)]
    [InlineData(KernelPath.Avx2)]
    public void Element_wise_and_channel_ops(KernelPath path)
    {
        var p = new QuantizationParams(0.1f, 2);
        var q = new QuantizationParams(0.07f, -5);
        var x = TestData.Activations(new Random(2), 60);
        var x2 = TestData.Activations(new Random(3), 60);
        var y = new sbyte[60];
        var add = Int8Add.FromScales(p, q, p, ClampRange.Full);
        Allocations.AssertNone($"Int8Add {path}", () => Int8Add.Run(add, x, x2, y, path));
        var lookup = Int8Lookup.Prepare(Int8Lookup.BuildTable(MathF.Tanh, p, q));
        Allocations.AssertNone("Int8Lookup", () => Int8Lookup.Run(lookup, x, y));
        var rescale = Int8Rescale.Prepare(p, q);
        Allocations.AssertNone("Int8Rescale", () => Int8Rescale.Run(rescale, x, y));
        var concat = Int8Concat.Prepare(10, [2, 4], [p, q], p);
        var concatOut = new sbyte[60];
        Allocations.AssertNone("Int8Concat", () =>
        {
            Int8Concat.Run(concat, 0, x.AsSpan(0, 20), concatOut);
            Int8Concat.Run(concat, 1, x.AsSpan(0, 40), concatOut);
        });
        var pad = Int8Pad.Prepare(1, 3, 4, 5, new NhwcPads(0, 1, 0, 1, 1, 1, 2, 0), 2);
        var padOut = new sbyte[pad.OutputLength];
        Allocations.AssertNone("Int8Pad", () => Int8Pad.Run(pad, x, padOut));
        var softmax = Int8Softmax.Prepare(6, 10, p);
        var probabilities = new float[60];
        Allocations.AssertNone("Int8Softmax float", () => Int8Softmax.RunFloat(softmax, x, probabilities));
        Allocations.AssertNone("Int8Softmax int8", () => Int8Softmax.RunInt8(softmax, x, y));
        var lrn = Int8Lrn.Prepare(4, 15, 5, 1e-4f, 0.75f, 1f, p, q);
        Allocations.AssertNone("Int8Lrn", () => Int8Lrn.Run(lrn, x, y));
    }
}
