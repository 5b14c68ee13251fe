using Edge.Core.Graph.Nodes;

namespace Edge.Onnx.OpMapping;

/// <summary>
/// Resize (opsets 11–17: inputs X, roi, scales, sizes) with mode nearest by integer factors on H and W, as
/// <c>nn.Upsample(scale_factor=2)</c> exports it, becomes an <see cref="UpsampleNearestNode"/>. The coordinate modes
/// accepted are those that give <c>⌊out / scale⌋</c> for an integer scale: asymmetric with nearest_mode floor, and
/// half_pixel / pytorch_half_pixel with a round_prefer_* nearest mode.
/// </summary>
internal static class ResizeMapping
{
    public static void Resize(OnnxNode node, ImportContext ctx)
    {
        node.ExpectInputs(1, 4);
        var x = node.DataInput(0);
        var shape = ctx.ShapeOf(x);
        string mode = node.Attributes.String("mode", "nearest");
        if (mode != "nearest") throw node.Unsupported($"mode '{mode}' is not supported (only 'nearest')");
        string coordinates = node.Attributes.String("coordinate_transformation_mode", "half_pixel");
        string nearest = node.Attributes.String("nearest_mode", "round_prefer_floor");
        bool floorMap = (coordinates, nearest) switch
        {
            ("asymmetric", "floor") => true,
            ("half_pixel" or "pytorch_half_pixel", "round_prefer_floor" or "round_prefer_ceil") => true,
            _ => false,
        };
        if (!floorMap) throw node.Unsupported($"coordinate_transformation_mode '{coordinates}' with nearest_mode '{nearest}' is not supported");
        if (shape.Rank != 4) throw node.Unsupported($"Resize of {shape} is not supported (NCHW only)");

        int sh, sw;
        var scales = node.HasInput(2) ? node.ConstantInput(2, "scales") : null;
        if (scales is not null && scales.Length > 0)
        {
            if (scales.Floats is not { Length: 4 } s) throw node.Error($"scales '{node.Inputs[2]}' must be 4 floats");
            if (s[0] != 1f || s[1] != 1f) throw node.Unsupported($"scales [{string.Join(", ", s)}] resize the batch or channel axis");
            (sh, sw) = (IntegerScale(node, s[2]), IntegerScale(node, s[3]));
        }
        else if (node.HasInput(3))
        {
            var sizes = node.StaticIntsInput(3, "sizes");
            if (sizes.Length != 4) throw node.Error("sizes must have 4 elements");
            if (sizes[1] != shape[1] || sizes[2] % shape[2] != 0 || sizes[3] % shape[3] != 0)
                throw node.Unsupported($"sizes [{string.Join(", ", sizes)}] are not integer multiples of {shape}");
            (sh, sw) = ((int)(sizes[2] / shape[2]), (int)(sizes[3] / shape[3]));
        }
        else
        {
            throw node.Error("Resize needs scales or sizes");
        }
        ctx.Emit(new UpsampleNearestNode(node.Name, x, node.Output, sh, sw), node);
    }

    private static int IntegerScale(OnnxNode node, float s)
    {
        if (!(s >= 1f && s <= 64f) || s != MathF.Round(s)) throw node.Unsupported($"scale {s} is not supported (only integer upsampling factors 1..64)");
        return (int)s;
    }
}
