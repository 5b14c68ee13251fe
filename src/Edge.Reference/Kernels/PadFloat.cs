using Edge.Core.Tensors;

namespace Edge.Reference.Kernels;

/// <summary>
/// Constant padding of a tensor of any rank. <c>pads</c> follows ONNX: the begin pads of every axis, then the end pads
/// (NCHW: [n0, c0, top, left, n1, c1, bottom, right]). The output is filled with the value, then each input row
/// (last axis) is copied to its shifted place.
/// </summary>
public static class PadFloat
{
    public static void Run(ReadOnlySpan<float> input, TensorShape inputShape, ReadOnlySpan<int> pads, float value, Span<float> output, TensorShape outputShape)
    {
        int rank = inputShape.Rank;
        if (pads.Length != 2 * rank || outputShape.Rank != rank) throw new ArgumentException($"pads [{string.Join(", ", pads.ToArray())}] do not fit {inputShape} → {outputShape}");
        for (int d = 0; d < rank; d++)
        {
            if (pads[d] < 0 || pads[d + rank] < 0 || outputShape[d] != inputShape[d] + pads[d] + pads[d + rank])
                throw new ArgumentException($"pads [{string.Join(", ", pads.ToArray())}] do not turn {inputShape} into {outputShape}");
        }
        long inLength = inputShape.ElementCount, outLength = outputShape.ElementCount;
        if (input.Length < inLength || output.Length < outLength) throw new ArgumentException($"input/output hold {input.Length}/{output.Length} values, {inputShape} → {outputShape} needs {inLength}/{outLength}");
        output[..(int)outLength].Fill(value);
        if (inLength == 0) return;
        if (rank == 0)
        {
            output[0] = input[0];
            return;
        }
        int inner = inputShape[rank - 1];
        Span<int> index = stackalloc int[rank];
        for (long offIn = 0; offIn < inLength; offIn += inner)
        {
            long offOut = 0;
            for (int d = 0; d < rank; d++) offOut = offOut * outputShape[d] + index[d] + pads[d];
            input.Slice((int)offIn, inner).CopyTo(output.Slice((int)offOut, inner));
            for (int d = rank - 2; d >= 0; d--)
            {
                if (++index[d] < inputShape[d]) break;
                index[d] = 0;
            }
        }
    }
}
