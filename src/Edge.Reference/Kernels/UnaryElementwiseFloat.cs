using Edge.Core.Graph.Nodes;

namespace Edge.Reference.Kernels;

/// <summary>
/// Relu, Clip, LeakyRelu, Sigmoid, Tanh, Elu, HardSigmoid, HardSwish: <see cref="UnaryElementwiseNode.Evaluate"/>
/// applied to every element. That method is the one definition of each function (the quantizer samples the same
/// method for its int8 lookup tables), so the reference path deliberately does not re-implement any of them.
/// </summary>
public static class UnaryElementwiseFloat
{
    public static void Run(UnaryElementwiseNode function, ReadOnlySpan<float> input, Span<float> output)
    {
        if (output.Length < input.Length) throw new ArgumentException($"output holds {output.Length} values, the input {input.Length}");
        for (int i = 0; i < input.Length; i++) output[i] = function.Evaluate(input[i]);
    }
}
