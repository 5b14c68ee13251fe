using Edge.Runtime.Format;

namespace Edge.Runtime.Session;

/// <summary>
/// The checks on a model as a whole that come before its operators are prepared: one input, tensor indices in range,
/// shapes and int8 parameters sane, every tensor written once and before it is read. The reader checks much of this for
/// files; a model built in memory (<see cref="EdgeSession.FromModel"/>) gets the same checks here.
/// </summary>
internal static class ModelValidation
{
    public static void CheckGraph(EdgeModel model, string source)
    {
        EdgeModelFormatException Bad(string m) => new(source, m);
        int count = model.Tensors.Count;
        if (model.Inputs.Count != 1) throw Bad($"the model has {model.Inputs.Count} inputs; the runtime runs models with one");
        if (model.Outputs.Count == 0) throw Bad("the model declares no output");

        var input = model.Inputs[0];
        if ((uint)input.Tensor >= (uint)count) throw Bad($"input tensor {input.Tensor} is out of range (the model has {count} tensors)");
        var x = model.Tensors[input.Tensor];
        if (x.DataType == EdgeDataType.Int32) throw Bad($"input '{x.Name}' is int32; an input is int8 or float32");
        int channels = x.Shape.Length == 0 ? 0 : x.Shape[^1];
        if (input.Mean.Length != input.Std.Length || (input.Mean.Length != 1 && input.Mean.Length != channels))
            throw Bad($"input '{x.Name}' has {input.Mean.Length} means and {input.Std.Length} stds for {channels} channels; give one of each, or one per channel");
        if (input.Std.Any(s => !(s > 0) || !float.IsFinite(s)) || input.Mean.Any(m => !float.IsFinite(m)))
            throw Bad($"input '{x.Name}' has a non-finite mean or a non-positive std");
        if (!Enum.IsDefined(input.ChannelOrder)) throw Bad($"input '{x.Name}' has unknown channel order {(int)input.ChannelOrder}");

        foreach (var t in model.Tensors)
        {
            if (t.Shape.Length == 0 || t.Shape.Any(d => d <= 0) || t.ElementCount > int.MaxValue)
                throw Bad($"tensor '{t.Name}' has shape [{string.Join(", ", t.Shape)}]; every dimension must be positive and the tensor below 2^31 elements");
            if (t.DataType == EdgeDataType.Int8 && (!(t.Scale > 0) || !float.IsFinite(t.Scale) || t.ZeroPoint is < -128 or > 127))
                throw Bad($"tensor '{t.Name}' has invalid int8 parameters scale {t.Scale}, zero point {t.ZeroPoint}");
        }

        // Written once, before any read: operator i may read the input and what operators 0..i-1 wrote.
        var writer = new int[count];
        Array.Fill(writer, -2);
        writer[input.Tensor] = -1;
        for (int i = 0; i < model.Ops.Count; i++)
        {
            var op = model.Ops[i];
            string where = $"operator {i} '{op.Name}' ({op.Type})";
            if (op.Outputs.Length == 0) throw Bad($"{where} has no output");
            foreach (var t in op.Inputs.Concat(op.Outputs))
                if ((uint)t >= (uint)count) throw Bad($"{where} refers to tensor {t}, the model has {count}");
            foreach (var t in op.Inputs)
                if (writer[t] == -2) throw Bad($"{where} reads tensor '{model.Tensors[t].Name}' before any operator writes it");
            foreach (var t in op.Outputs)
            {
                if (writer[t] == -1) throw Bad($"{where} writes the model input '{model.Tensors[t].Name}'");
                if (writer[t] >= 0) throw Bad($"{where} writes tensor '{model.Tensors[t].Name}', which operator {writer[t]} already wrote");
                writer[t] = i;
            }
        }
        foreach (var t in model.Outputs)
        {
            if ((uint)t >= (uint)count) throw Bad($"output tensor {t} is out of range (the model has {count} tensors)");
            if (writer[t] == -2) throw Bad($"output '{model.Tensors[t].Name}' is never written");
        }
    }
}
