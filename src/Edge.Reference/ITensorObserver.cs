using Edge.Core.Graph;
using Edge.Core.Tensors;

namespace Edge.Reference;

/// <summary>
/// Sees every tensor of a <see cref="ReferenceExecutor"/> run as it is produced: first the graph inputs (in the
/// graph's input order, <c>producer</c> null), then the outputs of each node in execution order. Calibration collects
/// activation ranges with it; per-layer comparison against the int8 runtime records the float tensors with it.
/// </summary>
public interface ITensorObserver
{
    /// <summary>
    /// Called once per tensor per run. <paramref name="data"/> is the whole tensor (all batch items, NCHW order) and is
    /// valid only during the call: the executor reuses its buffers, so copy what must outlive it.
    /// </summary>
    void OnTensor(string tensorName, Node? producer, TensorShape shape, ReadOnlySpan<float> data);
}
