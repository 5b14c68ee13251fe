using Edge.Runtime.Format;
using Edge.Core.Errors;
using Edge.Core.Graph;
using Edge.Core.Graph.Nodes;
using Edge.Core.Shapes;
using Edge.Core.Tensors;
using Edge.Quantization.Quantizer;
using Edge.Vision.Preprocessing;
using static Edge.Quantization.Tests.Graphs;

namespace Edge.Quantization.Tests;

/// <summary>Each bad input to <see cref="Converter"/> gives a typed <see cref="EdgeException"/> with one line naming the culprit.</summary>
public sealed class ConverterErrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-convert-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ModelGraph Model() => Graph(3, 4, 4, ["y"],
        Conv("conv1", "x", "c", 4, 3, 3, seed: 1, pad: 1, bias: false),
        BatchNorm("bn1", "c", "b", 4, seed: 2),
        new ReluNode("relu1", "b", "y"));

    private static ConversionResult Convert(ModelGraph g, ConverterOptions? options = null)
        => Converter.Convert(g, ArraySource.RandomFor(g, 4, seed: 3), options ?? new ConverterOptions());

    private static void AssertOneLine(Exception e) => Assert.DoesNotContain('\n', e.Message);

    [Fact]
    public void A_nan_weight_names_the_node()
    {
        var g = Model();
        var conv = (ConvNode)g.Nodes[0];
        var w = (float[])conv.Weight.Data.Clone();
        w[5] = float.NaN;
        conv.Weight = new ConstantTensor(conv.Weight.Name, conv.Weight.Shape, w);
        var e = Assert.Throws<GraphValidationException>(() => Convert(g));
        Assert.Equal("node 'conv1': constant 'conv1.w' holds a non-finite value NaN at flat index 5", e.Message);
    }

    [Fact]
    public void An_infinite_bias_names_the_node()
    {
        var g = new ModelGraph("t", [new TensorInfo("x", new TensorShape(TensorShape.Dynamic, 3, 4, 4))], ["y"],
            [new ConvNode("c", "x", "y", RandomConstant("w", [2, 3, 1, 1], 1), Constant("b", [2], [0, float.PositiveInfinity]), new Window2d(1, 1))]);
        Assert.Equal("c", Assert.Throws<GraphValidationException>(() => Convert(g)).NodeName);
    }

    [Fact]
    public void A_negative_batchnorm_variance_names_the_batchnorm()
    {
        var g = Model();
        var bn = (BatchNormNode)g.Nodes[1];
        bn.Variance = new ConstantTensor("var", new TensorShape(4), [1, 1, -0.5f, 1]);
        var e = Assert.Throws<GraphValidationException>(() => Convert(g));
        Assert.Equal("node 'bn1': variance 'var' is negative (-0.5) at channel 2", e.Message);
    }

    [Fact]
    public void An_unknown_calibrator_lists_the_valid_ones()
    {
        var e = Assert.Throws<ConverterOptionsException>(() => Convert(Model(), new ConverterOptions { Calibrator = "median" }));
        Assert.Equal("unknown calibrator 'median': valid calibrators are minmax, percentile, entropy, mse", e.Message);
    }

    [Fact]
    public void Calibration_data_of_the_wrong_shape_says_expected_and_got()
    {
        var g = Model();
        var e = Assert.Throws<DataFormatException>(() => Converter.Convert(g, new ArraySource([1, 4, 4], new float[32]), new ConverterOptions()));
        Assert.Contains("[1, 4, 4], the model input 'x' needs [3, 4, 4]", e.Message);
        AssertOneLine(e);
    }

    [Fact]
    public void An_empty_calibration_set_is_refused()
    {
        var e = Assert.Throws<DataFormatException>(() => Converter.Convert(Model(), new ArraySource([3, 4, 4], []), new ConverterOptions()));
        Assert.Equal("memory: the calibration set holds no samples", e.Message);
    }

    [Fact]
    public void Keep_float_naming_an_unknown_node_or_a_folded_one_says_so()
    {
        var unknown = Assert.Throws<ConverterOptionsException>(() => Convert(Model(), new ConverterOptions { Quantizer = new QuantizerOptions { KeepFloat = ["conv9"] } }));
        Assert.Equal("--keep-float: the model has no node named 'conv9' (its nodes: 'conv1')", unknown.Message);
        var folded = Assert.Throws<ConverterOptionsException>(() => Convert(Model(), new ConverterOptions { Quantizer = new QuantizerOptions { KeepFloat = ["bn1"] } }));
        Assert.Equal("--keep-float: node 'bn1' does not survive the graph passes (folded BatchNorm 'bn1' into Conv 'conv1'); name the node that carries it", folded.Message);
    }

    [Fact]
    public void Options_that_do_not_fit_are_refused()
    {
        Assert.Throws<ConverterOptionsException>(() => Convert(Model(), new ConverterOptions { Samples = 0 }));
        Assert.Throws<ConverterOptionsException>(() => Convert(Model(), new ConverterOptions { Normalization = new InputNormalization([0, 0], [1, 1], EdgeChannelOrder.Rgb) }));
        Assert.Throws<ConverterOptionsException>(() => Convert(Model(), new ConverterOptions { Labels = ["a", "b"] }));
        var order = Assert.Throws<ConverterOptionsException>(() => Convert(Model(), new ConverterOptions { Normalization = InputNormalization.Unit(EdgeChannelOrder.Gray) }));
        Assert.Equal("channel order gray has 1 channel(s); input 'x' has 3", order.Message);
    }

    [Fact]
    public void An_output_path_that_cannot_be_written_leaves_no_file()
    {
        var result = Convert(Model());
        var missing = Path.Combine(_dir, "no-such-dir", "m.edge");
        var e = Assert.Throws<ModelWriteException>(() => result.Save(missing));
        Assert.StartsWith($"{missing}: cannot write the model:", e.Message);
        AssertOneLine(e);
        var directory = Directory.CreateDirectory(Path.Combine(_dir, "taken.edge")).FullName;
        Assert.Throws<ModelWriteException>(() => result.Save(directory));
        Assert.Equal([directory], Directory.GetFileSystemEntries(_dir)); // no temporary file left beside it
    }

    [Fact]
    public void The_callers_graph_is_not_changed()
    {
        var g = Model();
        var before = string.Join("\n", g.Nodes.Select(n => n.ToString()));
        Convert(g);
        Assert.Equal(before, string.Join("\n", g.Nodes.Select(n => n.ToString())));
    }
}
