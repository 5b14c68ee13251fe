using Edge.Runtime.Session;
using Edge.Runtime.Tests.Session.Support;
using Edge.Runtime.Tests.Support;

namespace Edge.Runtime.Tests.Session;

/// <summary>After a warm-up, 1,000 calls of every Run overload leave the thread's allocated bytes unchanged.</summary>
public class SessionZeroAllocationTests
{
    [Theory]
    [InlineData(KernelSelection.Scalar)]
    [InlineData(KernelSelection.Vector128)]
    [InlineData(KernelSelection.Avx2)]
    public void Every_run_overload_allocates_nothing(KernelSelection kernels)
    {
        var options = new EdgeSessionOptions { Kernels = kernels };
        var floatOut = EdgeSession.FromModel(SessionCases.Everything(23).Model, options);
        var int8Out = EdgeSession.FromModel(SessionCases.All["lookup"]().Model, options); // an int8, rank-4 output

        var image = new byte[8 * 8 * 3];
        new Random(1).NextBytes(image);
        var f192 = new float[192];
        var q192 = TestData.Activations(new Random(2), 192);
        var scores = new float[10];
        var top = new int[3];
        Allocations.AssertNone($"Run(float, float) {kernels}", () => floatOut.Run(f192, scores));
        Allocations.AssertNone($"Run(sbyte, float) {kernels}", () => floatOut.Run(q192, scores));
        Allocations.AssertNone($"RunImage {kernels}", () => floatOut.RunImage(image, 8, 8, 3, scores));
        Allocations.AssertNone("TopK", () => EdgeSession.TopK(scores, top));

        var fIn = new float[int8Out.Inputs[0].ElementCount];
        var qIn = TestData.Activations(new Random(3), fIn.Length);
        var qOut = new sbyte[int8Out.Outputs[0].ElementCount];
        var fOut = new float[qOut.Length];
        Allocations.AssertNone($"Run(float, sbyte) {kernels}", () => int8Out.Run(fIn, qOut));
        Allocations.AssertNone($"Run(sbyte, sbyte) {kernels}", () => int8Out.Run(qIn, qOut));
        Allocations.AssertNone($"Run(sbyte, float) NCHW output {kernels}", () => int8Out.Run(qIn, fOut));
        Allocations.AssertNone($"ReadOutput {kernels}", () => int8Out.ReadOutput(0, fOut));
    }
}
