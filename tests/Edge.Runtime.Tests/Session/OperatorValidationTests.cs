using Edge.Runtime.Format;
using Edge.Runtime.Session;
using Edge.Runtime.Tests.Session.Support;

namespace Edge.Runtime.Tests.Session;

/// <summary>
/// Each operator's ints, floats and blobs are checked against docs/edge-format.md and its tensors at load; a mismatch is
/// an <see cref="EdgeModelFormatException"/> that names the operator and what disagrees.
/// </summary>
public class OperatorValidationTests
{
    /// <summary>Builds the all-operators model, applies <paramref name="alter"/>, loads it through a file and returns the error.</summary>
    private static EdgeModelFormatException Reject(Action<EdgeModel> alter)
    {
        var model = SessionCases.Everything(23).Model;
        alter(model);
        var bytes = EdgeModelWriter.ToBytes(model);
        return Assert.Throws<EdgeModelFormatException>(() => EdgeSession.Load(bytes.AsMemory(), null, "bad.edge"));
    }

    private static EdgeOp First(EdgeModel m, EdgeOpType type) => m.Ops.First(o => o.Type == type);

    private static void Replace(EdgeModel m, EdgeOp op, EdgeOp with) => m.Ops[m.Ops.IndexOf(op)] = with;

    [Fact]
    public void Conv_weights_that_disagree_with_the_input_channels()
    {
        var e = Reject(m =>
        {
            var conv = m.Ops[0];
            var w = conv.Blobs[0];
            var blobs = (EdgeBlob[])conv.Blobs.Clone();
            blobs[0] = new EdgeBlob(EdgeDataType.Int8, [8, 3, 3, 4], new byte[8 * 3 * 3 * 4]);
            Replace(m, conv, new EdgeOp(conv.Type, conv.Name, conv.Inputs, conv.Outputs, conv.Ints, conv.Floats, blobs));
        });
        Assert.Equal("bad.edge: operator 0 'conv2d0' (Conv2d): weights [8, 3, 3, 4] disagree with input channels 3", e.Message);
    }

    [Fact]
    public void A_weight_of_minus_128()
    {
        var e = Reject(m => m.Ops[0].Blobs[0].Data[5] = 0x80);
        Assert.Contains("operator 0 'conv2d0' (Conv2d)", e.Message);
        Assert.Contains("−128", e.Message);
    }

    [Fact]
    public void A_multiplier_outside_the_contract()
    {
        var e = Reject(m => BitConverter.TryWriteBytes(m.Ops[1].Blobs[3].Data.AsSpan(8), 0)); // depthwise channel 2: n = 0
        Assert.Contains("operator 1 'conv2d1' (Conv2d): output channel 2 multiplier", e.Message);
    }

    [Fact]
    public void Wrong_parameter_counts()
    {
        var e = Reject(m =>
        {
            var pool = First(m, EdgeOpType.MaxPool);
            Replace(m, pool, new EdgeOp(pool.Type, pool.Name, pool.Inputs, pool.Outputs, pool.Ints[..10]));
        });
        Assert.Contains("(MaxPool): has 10 ints; the format gives it 11", e.Message);
    }

    [Fact]
    public void An_output_shape_the_operator_does_not_produce()
    {
        var e = Reject(m =>
        {
            var pool = First(m, EdgeOpType.AveragePool);
            pool.Ints[2] = 1; // stride height 2 → 1: the output would be 3×2, the tensor says 2×2
        });
        Assert.EndsWith("(AveragePool): output 'avgpool6' has shape [1, 2, 2, 8]; the operator gives [1, 3, 2, 8]", e.Message);
    }

    [Fact]
    public void A_pool_that_changes_the_quantization()
    {
        var e = Reject(m =>
        {
            int y = First(m, EdgeOpType.MaxPool).Outputs[0];
            m.Tensors[y] = m.Tensors[y] with { ZeroPoint = m.Tensors[y].ZeroPoint + 1 };
        });
        Assert.Contains("must keep the parameters", e.Message);
    }

    [Fact]
    public void A_tensor_read_before_any_operator_writes_it()
    {
        var e = Reject(m => (m.Ops[0], m.Ops[1]) = (m.Ops[1], m.Ops[0]));
        Assert.Contains("operator 0 'conv2d1' (Conv2d) reads tensor 'conv0' before any operator writes it", e.Message);
    }

    [Fact]
    public void A_tensor_written_twice()
    {
        var e = Reject(m =>
        {
            var op = m.Ops[2];
            Replace(m, op, new EdgeOp(op.Type, op.Name, op.Inputs, m.Ops[1].Outputs, op.Ints, op.Floats, op.Blobs));
        });
        Assert.Contains("which operator 1 already wrote", e.Message);
    }

    [Fact]
    public void A_concat_along_another_axis()
    {
        var e = Reject(m => First(m, EdgeOpType.Concat).Ints[0] = 1);
        Assert.Contains("(Concat): axis 1", e.Message);
        Assert.Contains("innermost", e.Message);
    }

    [Fact]
    public void A_plain_copy_between_tensors_of_different_parameters()
    {
        var e = Reject(m => First(m, EdgeOpType.Concat).Ints[3] = 0); // input 1 (the rescaled one) marked as a copy
        Assert.Contains("plain copy", e.Message);
    }

    [Fact]
    public void A_reshape_that_changes_the_element_count()
    {
        var e = Reject(m =>
        {
            int y = First(m, EdgeOpType.Reshape).Outputs[0];
            m.Tensors[y] = m.Tensors[y] with { Shape = [1, 15] };
        });
        Assert.Contains("(Reshape)", e.Message);
        Assert.Contains("different numbers of elements", e.Message);
    }

    [Fact]
    public void An_unknown_float_activation()
    {
        var e = Reject(m => First(m, EdgeOpType.FloatActivation).Ints[0] = 99);
        Assert.Contains("(FloatActivation): activation kind 99 is unknown", e.Message);
    }

    [Fact]
    public void An_int8_operator_on_a_float_tensor()
    {
        var e = Reject(m =>
        {
            var lookup = First(m, EdgeOpType.Lookup);
            Replace(m, lookup, new EdgeOp(lookup.Type, lookup.Name, lookup.Inputs, lookup.Outputs, lookup.Ints, [], lookup.Blobs));
            int t = lookup.Outputs[0];
            m.Tensors[t] = m.Tensors[t] with { DataType = EdgeDataType.Float32 };
        });
        Assert.Contains("(Lookup): output", e.Message);
        Assert.Contains("is Float32, expected Int8", e.Message);
    }

    [Fact]
    public void A_model_with_two_inputs()
    {
        var e = Reject(m => m.Inputs.Add(m.Inputs[0]));
        Assert.Contains("2 inputs", e.Message);
    }

    [Fact]
    public void A_gemm_without_its_blobs()
    {
        var e = Reject(m =>
        {
            var gemm = First(m, EdgeOpType.Gemm);
            Replace(m, gemm, new EdgeOp(gemm.Type, gemm.Name, gemm.Inputs, gemm.Outputs, gemm.Ints));
        });
        Assert.Contains("(Gemm): has 0 blobs", e.Message);
    }

    [Fact]
    public void Every_operator_with_its_parameters_dropped_is_refused_by_name()
    {
        // Each operator in turn loses its ints, floats and blobs: a format error naming it, never another exception.
        int count = SessionCases.Everything(23).Model.Ops.Count;
        for (int i = 0; i < count; i++)
        {
            var model = SessionCases.Everything(23).Model;
            var op = model.Ops[i];
            if (op.Type is EdgeOpType.Reshape or EdgeOpType.Quantize or EdgeOpType.Dequantize or EdgeOpType.GlobalAveragePool) continue; // nothing to drop
            model.Ops[i] = new EdgeOp(op.Type, op.Name, op.Inputs, op.Outputs);
            var e = Assert.Throws<EdgeModelFormatException>(() => EdgeSession.FromModel(model, null, "bare"));
            Assert.Contains($"operator {i} '{op.Name}' ({op.Type})", e.Message);
        }
    }
}
