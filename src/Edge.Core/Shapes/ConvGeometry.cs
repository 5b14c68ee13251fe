using Edge.Core.Errors;

namespace Edge.Core.Shapes;

/// <summary>
/// Output-size arithmetic of sliding-window operators (convolution and pooling), with PyTorch's rules.
/// <para>
/// Along one axis: <c>out = floor((in + padBegin + padEnd − dilation·(kernel − 1) − 1) / stride) + 1</c>,
/// the familiar <c>(W − F + 2P) / S + 1</c> when dilation is 1. With <c>ceilMode</c> the division rounds up,
/// except that the last window must start inside the input or the begin padding (PyTorch's rule), so it never
/// starts in the end padding alone.
/// </para>
/// </summary>
public static class ConvGeometry
{
    /// <summary>Output length along one axis, as PyTorch computes it (the division floors, or ceils with <paramref name="ceilMode"/>).</summary>
    public static int OutputSize(int input, int kernel, int stride, int padBegin, int padEnd, int dilation = 1, bool ceilMode = false)
    {
        Check(input, kernel, stride, padBegin, padEnd, dilation);
        int span = input + padBegin + padEnd - EffectiveKernel(kernel, dilation);
        if (span < 0)
        {
            throw new ShapeInferenceException(null, $"window of {EffectiveKernel(kernel, dilation)} (kernel {kernel}, dilation {dilation}) is larger than the padded input {input + padBegin + padEnd}");
        }
        int output = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
        if (ceilMode && (output - 1) * stride >= input + padBegin)
        {
            output--;
        }
        return output;
    }

    /// <summary>
    /// Output length when the windows must tile the padded input exactly, i.e. <c>(W − F + 2P)</c> divisible by <c>S</c>:
    /// a stride that leaves input unvisited is rejected with a <see cref="ShapeInferenceException"/> that says why.
    /// </summary>
    public static int OutputSizeExact(int input, int kernel, int stride, int padBegin, int padEnd, int dilation = 1)
    {
        Check(input, kernel, stride, padBegin, padEnd, dilation);
        int span = input + padBegin + padEnd - EffectiveKernel(kernel, dilation);
        if (span < 0 || span % stride != 0)
        {
            throw new ShapeInferenceException(null,
                $"stride {stride} does not fit: (input {input} − window {EffectiveKernel(kernel, dilation)} + padding {padBegin + padEnd}) / {stride} = {span}/{stride} is not a whole number");
        }
        return span / stride + 1;
    }

    /// <summary>The extent a dilated kernel covers: <c>dilation·(kernel − 1) + 1</c>.</summary>
    public static int EffectiveKernel(int kernel, int dilation) => dilation * (kernel - 1) + 1;

    private static void Check(int input, int kernel, int stride, int padBegin, int padEnd, int dilation)
    {
        if (input <= 0) throw new ShapeInferenceException(null, $"input size must be positive, got {input}");
        if (kernel <= 0) throw new ShapeInferenceException(null, $"kernel size must be positive, got {kernel}");
        if (stride <= 0) throw new ShapeInferenceException(null, $"stride must be positive, got {stride}");
        if (dilation <= 0) throw new ShapeInferenceException(null, $"dilation must be positive, got {dilation}");
        if (padBegin < 0 || padEnd < 0) throw new ShapeInferenceException(null, $"padding must be non-negative, got {padBegin} and {padEnd}");
    }
}
