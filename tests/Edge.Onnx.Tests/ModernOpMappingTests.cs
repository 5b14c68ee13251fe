using Edge.Core.Graph.Nodes;
using Edge.Core.Tensors;
using Edge.Tests.Shared;

namespace Edge.Onnx.Tests;

/// <summary>Transpose, Slice, Split, ReduceMean/ReduceMax, GlobalMaxPool and Resize on data tensors: what maps, and the errors.</summary>
public class ModernOpMappingTests
{
    [Fact]
    public void Transpose_keeping_the_batch_axis_is_a_TransposeNode_and_moving_it_is_unsupported()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 2, 3, 5)
            .Node("Transpose", ["x"], ["y"], "t", OnnxAttr.Ints("perm", 0, 3, 1, 2))
            .Output("y");
        var t = TestImport.Single<TransposeNode>(model);
        Assert.Equal([0, 3, 1, 2], t.Perm);
        Assert.Equal(new TensorShape(4, 5, 2, 3), TestImport.Shapes(TestImport.Import(model), 4)["y"]);

        var batch = new OnnxModelBuilder().Input("x", "batch", 2)
            .Node("Transpose", ["x"], ["y"], "t")
            .Output("y");
        Assert.Contains("moves the batch axis", TestImport.Unsupported(batch, "t", "Transpose").Message);
    }

    [Fact]
    public void Slice_on_data_resolves_negative_and_huge_bounds_and_drops_full_axes()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 6, 4, 4)
            .Int64Initializer("starts", 0, -4, 1).Int64Initializer("ends", long.MaxValue, long.MaxValue, 3).Int64Initializer("axes", 0, 1, 3)
            .Node("Slice", ["x", "starts", "ends", "axes"], ["y"], "s")
            .Output("y");
        var s = TestImport.Single<SliceNode>(model);
        Assert.Equal([1, 3], s.Axes);
        Assert.Equal([2, 1], s.Starts);
        Assert.Equal([6, 3], s.Ends);
        Assert.Equal(new TensorShape(3, 4, 4, 2), TestImport.Shapes(TestImport.Import(model), 3)["y"]);
    }

    [Theory]
    [InlineData(new long[] { 0 }, new long[] { 1 }, new long[] { 0 }, null, "slicing the batch axis")]
    [InlineData(new long[] { 0 }, new long[] { 4 }, new long[] { 1 }, 2L, "step 2")]
    [InlineData(new long[] { 3 }, new long[] { 1 }, new long[] { 1 }, null, "is empty")]
    public void Slice_on_data_rejects_batch_steps_and_empty_slices(long[] starts, long[] ends, long[] axes, long? step, string message)
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 6)
            .Int64Initializer("starts", starts).Int64Initializer("ends", ends).Int64Initializer("axes", axes).Int64Initializer("steps", step ?? 1);
        model.Node("Slice", ["x", "starts", "ends", "axes", "steps"], ["y"], "s").Output("y");
        Assert.Contains(message, TestImport.Unsupported(model, "s", "Slice").Message);
    }

    [Fact]
    public void Split_on_channels_is_one_slice_per_output()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 6, 2, 2).Int64Initializer("split", 1, 5)
            .Node("Split", ["x", "split"], ["a", "b"], "split", OnnxAttr.Int("axis", 1))
            .Output("a").Output("b");
        var slices = TestImport.Import(model).Nodes.OfType<SliceNode>().ToList();
        Assert.Equal([("split", 0, 1), ("split/1", 1, 6)], slices.Select(s => (s.Name, s.Starts[0], s.Ends[0])));
    }

    [Theory]
    [InlineData("ReduceMean", 1, typeof(GlobalAveragePoolNode))]
    [InlineData("ReduceMean", 0, typeof(GlobalAveragePoolNode))]
    [InlineData("ReduceMax", 1, typeof(GlobalMaxPoolNode))]
    public void Spatial_reductions_are_global_pools(string op, int keepdims, Type pool)
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 5, 3, 7)
            .Node(op, ["x"], ["y"], "r", OnnxAttr.Ints("axes", -1, 2), OnnxAttr.Int("keepdims", keepdims))
            .Output("y");
        var graph = TestImport.Import(model);
        Assert.IsType(pool, graph.Nodes[0]);
        Assert.Equal(keepdims == 1 ? new TensorShape(2, 5, 1, 1) : new TensorShape(2, 5), TestImport.Shapes(graph, 2)["y"]);
        if (keepdims == 0) Assert.IsType<FlattenNode>(graph.Nodes[1]);
    }

    [Fact]
    public void ReduceMean_over_other_axes_is_unsupported()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 5, 3, 7)
            .Node("ReduceMean", ["x"], ["y"], "r", OnnxAttr.Ints("axes", 1))
            .Output("y");
        Assert.Contains("only over H and W", TestImport.Unsupported(model, "r", "ReduceMean").Message);
    }

    [Fact]
    public void GlobalMaxPool_maps()
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 5, 3, 7).Node("GlobalMaxPool", ["x"], ["y"], "g").Output("y");
        Assert.Equal(new TensorShape(1, 5, 1, 1), TestImport.Shapes(TestImport.Import(model))["y"]);
    }

    [Fact]
    public void Resize_nearest_by_integer_scales_or_sizes_is_an_upsample()
    {
        var byScales = new OnnxModelBuilder().Input("x", "batch", 2, 3, 5).Initializer("scales", [4], [1f, 1f, 2f, 3f])
            .Node("Resize", ["x", "", "scales"], ["y"], "up", OnnxAttr.String("mode", "nearest"),
                OnnxAttr.String("coordinate_transformation_mode", "asymmetric"), OnnxAttr.String("nearest_mode", "floor"))
            .Output("y");
        var up = TestImport.Single<UpsampleNearestNode>(byScales);
        Assert.Equal((2, 3), (up.ScaleH, up.ScaleW));

        var bySizes = new OnnxModelBuilder().Input("x", "batch", 2, 3, 5).Initializer("roi", [0], []).Initializer("scales", [0], []).Int64Initializer("sizes", 1, 2, 6, 10)
            .Node("Resize", ["x", "roi", "scales", "sizes"], ["y"], "up")
            .Output("y");
        Assert.Equal(new TensorShape(1, 2, 6, 10), TestImport.Shapes(TestImport.Import(bySizes))["y"]);
    }

    [Theory]
    [InlineData("linear", "asymmetric", "floor", 2f, "mode 'linear'")]
    [InlineData("nearest", "align_corners", "round_prefer_floor", 2f, "align_corners")]
    [InlineData("nearest", "asymmetric", "floor", 1.5f, "scale 1.5")]
    public void Resize_other_than_integer_nearest_is_unsupported(string mode, string coordinates, string nearest, float scale, string message)
    {
        var model = new OnnxModelBuilder().Input("x", "batch", 2, 3, 5).Initializer("scales", [4], [1f, 1f, scale, scale])
            .Node("Resize", ["x", "", "scales"], ["y"], "up", OnnxAttr.String("mode", mode),
                OnnxAttr.String("coordinate_transformation_mode", coordinates), OnnxAttr.String("nearest_mode", nearest))
            .Output("y");
        Assert.Contains(message, TestImport.Unsupported(model, "up", "Resize").Message);
    }
}
