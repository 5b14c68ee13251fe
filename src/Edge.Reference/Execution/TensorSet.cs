using Edge.Core.Tensors;

namespace Edge.Reference.Execution;

/// <summary>
/// The tensors of one run at one batch size: their shapes, and spans over the executor's shared slot buffers
/// (see <see cref="BufferPlan"/>). Cached by the executor per batch size.
/// </summary>
internal sealed class TensorSet
{
    private readonly float[][] _slots;
    private readonly IReadOnlyDictionary<string, int> _slotOf;
    private readonly Dictionary<string, int> _lengths;

    public TensorSet(IReadOnlyDictionary<string, TensorShape> shapes, float[][] slots, IReadOnlyDictionary<string, int> slotOf)
    {
        Shapes = shapes;
        _slots = slots;
        _slotOf = slotOf;
        _lengths = shapes.ToDictionary(kv => kv.Key, kv => checked((int)kv.Value.ElementCount));
    }

    public IReadOnlyDictionary<string, TensorShape> Shapes { get; }

    public TensorShape Shape(string tensor) => Shapes[tensor];

    public Span<float> Data(string tensor) => _slots[_slotOf[tensor]].AsSpan(0, _lengths[tensor]);

    /// <summary>Grows any slot too small for this batch (a batch size larger than the one the plan was sized for).</summary>
    public void EnsureCapacity()
    {
        foreach (var (tensor, length) in _lengths)
        {
            if (!_slotOf.TryGetValue(tensor, out int s)) continue;
            if (_slots[s].Length < length) _slots[s] = new float[length];
        }
    }
}
