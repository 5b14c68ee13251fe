namespace Edge.Runtime.Session;

/// <summary>
/// The camera half of <see cref="EdgeSession"/>: a frame of the model's input size goes in as its bytes, the channel
/// count read from the length, and the class comes out — the loop a camera app runs, allocating nothing.
/// </summary>
public sealed partial class EdgeSession
{
    /// <summary>
    /// Runs on an 8-bit image of the input's <see cref="ImageSize"/>, row-major HWC, gray (height·width bytes) or RGB
    /// (height·width·3 bytes; a gray network takes its BT.601 luma); writes output 0 as float. The same as
    /// <see cref="RunImage"/> with the size taken from the model: use that one for images whose size it should check
    /// against the caller's, and Edge.Vision's <c>ImageInput</c> for frames of another size.
    /// </summary>
    /// <exception cref="ArgumentException">The length is neither a gray nor an RGB image of the input's size.</exception>
    /// <exception cref="InvalidOperationException">The model's input is not a gray or color image.</exception>
    public void Run(ReadOnlySpan<byte> image, Span<float> output)
    {
        var (height, width) = _input.ImageSize;
        int pixels = height * width;
        int channels = pixels > 0 && image.Length == pixels ? 1 : pixels > 0 && image.Length == 3 * pixels ? 3 : 0;
        if (channels == 0 && _input.IsImage)
            throw new ArgumentException($"{image.Length} bytes are neither a gray ({pixels} bytes) nor an RGB ({3 * pixels} bytes) {width}×{height} image, the size '{Inputs[0].Name}' takes", nameof(image));
        RunImage(image, height, width, channels == 0 ? 1 : channels, output);
    }

    /// <summary>
    /// Runs on an image as <see cref="Run(ReadOnlySpan{byte}, Span{float})"/> and returns the index of the best score
    /// (the class; its name is <c>Labels[index]</c> when the model records labels). <paramref name="scores"/> receives
    /// output 0 and must hold <c>Outputs[0].ElementCount</c> floats. Allocates nothing.
    /// </summary>
    public int Classify(ReadOnlySpan<byte> image, Span<float> scores)
    {
        Run(image, scores);
        Span<int> best = stackalloc int[1];
        TopK(scores, best);
        return best[0];
    }
}
