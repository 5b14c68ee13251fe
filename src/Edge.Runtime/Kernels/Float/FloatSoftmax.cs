namespace Edge.Runtime.Kernels.Float;

/// <summary>Float32 softmax of rows along the innermost axis: <c>exp(x − max) / Σ exp(x − max)</c>, the sum in index order.</summary>
public sealed class FloatSoftmax
{
    private FloatSoftmax(int rows, int length) => (Rows, Length) = (rows, length);

    public int Rows { get; }
    public int Length { get; }

    public static FloatSoftmax Prepare(int rows, int length)
    {
        Guard.Positive(rows, nameof(rows));
        Guard.Positive(length, nameof(length));
        return new FloatSoftmax(rows, length);
    }

    public static void Run(FloatSoftmax op, ReadOnlySpan<float> input, Span<float> output)
    {
        Guard.Length(input.Length, op.Rows * op.Length, "input");
        Guard.Length(output.Length, op.Rows * op.Length, "output");
        for (int r = 0; r < op.Rows; r++)
        {
            var x = input.Slice(r * op.Length, op.Length);
            var y = output.Slice(r * op.Length, op.Length);
            float max = float.NegativeInfinity;
            foreach (var v in x) max = MathF.Max(max, v);
            float sum = 0f;
            for (int i = 0; i < x.Length; i++)
            {
                y[i] = MathF.Exp(x[i] - max);
                sum += y[i];
            }
            for (int i = 0; i < y.Length; i++) y[i] /= sum;
        }
    }

    public override string ToString() => $"FloatSoftmax {Rows}x{Length}";
}
