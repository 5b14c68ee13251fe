using Edge.Core.Errors;
using Edge.Core.Graph;
using Edge.Core.Graph.Nodes;
using Edge.Core.Tensors;
using static Edge.Reference.Tests.TestGraphs;

namespace Edge.Reference.Tests;

public class ReferenceExecutorTests
{
    private const int ImageLength = 3 * 16 * 16;

    [Fact]
    public void A_batch_gives_each_item_exactly_what_it_gets_alone()
    {
        var executor = new ReferenceExecutor(MiniMobileNet(), maxBatch: 3);
        float[][] images = [Random(ImageLength, 1, 3f), Random(ImageLength, 2, 3f), Random(ImageLength, 3, 3f)];

        var batched = executor.Run(images.SelectMany(i => i).ToArray(), batch: 3);

        Assert.Equal(15, batched.Length);
        for (int i = 0; i < 3; i++)
        {
            var alone = executor.Run(images[i], batch: 1);
            AssertClose.Exact(alone, batched.AsSpan(i * 5, 5), $"item {i}");
        }
    }

    [Fact]
    public void Runs_reuse_buffers_without_carrying_state()
    {
        var graph = MiniMobileNet();
        var executor = new ReferenceExecutor(graph, maxBatch: 2);
        float[] a = Random(ImageLength, 4), b = Random(ImageLength, 5);
        var first = executor.Run(a, 1);
        executor.Run(b.Concat(a).ToArray(), 2);
        executor.Run(b, 1);
        AssertClose.Exact(first, executor.Run(a, 1), "same input after other runs");
        AssertClose.Exact(first, new ReferenceExecutor(MiniMobileNet()).Run(a, 1), "a fresh executor");
        Assert.InRange(first.Sum(), 0.999f, 1.001f); // the softmax output of a graph that really ran
    }

    [Fact]
    public void The_observer_sees_the_input_then_every_node_output_in_execution_order()
    {
        var executor = new ReferenceExecutor(MiniMobileNet(), maxBatch: 2);
        var observer = new Recorder();
        float[] images = Random(2 * ImageLength, 6);

        var result = executor.Run(images, 2, observer);

        var graph = executor.Graph;
        var expectedNames = new[] { "input" }.Concat(graph.Nodes.SelectMany(n => n.Outputs)).ToList();
        Assert.Equal(expectedNames, observer.Seen.Select(s => s.Name).ToList());
        Assert.Null(observer.Seen[0].Producer);
        Assert.Equal(graph.Nodes, observer.Seen.Skip(1).Select(s => s.Producer!).ToList());
        var shapes = executor.ShapesFor(2);
        foreach (var (name, _, shape, data) in observer.Seen)
        {
            Assert.Equal(shapes[name], shape);
            Assert.Equal(shape.ElementCount, data.Length);
        }
        Assert.Equal(images, observer.Seen[0].Data);
        Assert.Equal(result, observer.Seen[^1].Data);
    }

    [Fact]
    public void The_observer_sees_the_values_each_node_produced()
    {
        // In a chain of ReLU then negation-by-Mul, the observed ReLU output must still hold the ReLU values even
        // though its buffer is reused later.
        var nodes = new Node[]
        {
            new ReluNode("relu", "x", "r"),
            new MulNode("neg", "r", "n", Constant("s", [-1f], 1)),
            new ReluNode("relu2", "n", "y"),
        };
        var graph = new ModelGraph("chain", [new TensorInfo("x", new TensorShape(TensorShape.Dynamic, 4))], ["y"], nodes);
        var observer = new Recorder();
        new ReferenceExecutor(graph).Run([-1, 2, -3, 4], 1, observer);
        Assert.Equal([0f, 2f, 0f, 4f], observer.Seen.Single(s => s.Name == "r").Data);
        Assert.Equal([-0f, -2f, -0f, -4f], observer.Seen.Single(s => s.Name == "n").Data);
        Assert.Equal([0f, 0f, 0f, 0f], observer.Seen.Single(s => s.Name == "y").Data);
    }

    [Fact]
    public void A_wrong_input_length_is_a_typed_error_naming_input_and_counts()
    {
        var executor = new ReferenceExecutor(MiniMobileNet(), maxBatch: 2);
        var e = Assert.Throws<InputShapeException>(() => executor.Run(new float[ImageLength + 1], 1));
        Assert.Equal("input", e.InputName);
        Assert.Equal(ImageLength, e.ExpectedLength);
        Assert.Equal(ImageLength + 1, e.ActualLength);
        Assert.Contains("'input'", e.Message);
        Assert.Contains($"{ImageLength}", e.Message);
        Assert.Contains($"{ImageLength + 1}", e.Message);
        Assert.IsAssignableFrom<EdgeException>(e);

        var e2 = Assert.Throws<InputShapeException>(() => executor.Run(new float[ImageLength], 2));
        Assert.Equal(2 * ImageLength, e2.ExpectedLength);
    }

    [Fact]
    public void Missing_and_unknown_inputs_are_typed_errors()
    {
        var graph = new ModelGraph("add", [new("a", new(TensorShape.Dynamic, 2)), new("b", new(TensorShape.Dynamic, 2))], ["y"], [new AddNode("add", "a", "b", "y")]);
        var executor = new ReferenceExecutor(graph);
        var missing = Assert.Throws<InputShapeException>(() => executor.Run(new Dictionary<string, float[]> { ["a"] = [1, 2] }, 1));
        Assert.Equal("b", missing.InputName);
        var unknown = Assert.Throws<InputShapeException>(() => executor.Run(new Dictionary<string, float[]> { ["a"] = [1, 2], ["b"] = [3, 4], ["c"] = [5] }, 1));
        Assert.Equal("c", unknown.InputName);
        Assert.Equal([4f, 6f], executor.Run(new Dictionary<string, float[]> { ["a"] = [1, 2], ["b"] = [3, 4] }, 1)["y"]);
    }

    [Fact]
    public void A_batch_outside_one_to_max_is_rejected()
    {
        var executor = new ReferenceExecutor(MiniMobileNet(), maxBatch: 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => executor.Run(new float[3 * ImageLength], 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => executor.Run([], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReferenceExecutor(MiniMobileNet(), maxBatch: 0));
    }

    [Fact]
    public void The_single_tensor_overload_needs_one_input_and_one_output()
    {
        var graph = new ModelGraph("two", [new("x", new(TensorShape.Dynamic, 2))], ["a", "b"], [new ReluNode("r", "x", "a"), new TanhNode("t", "x", "b")]);
        var executor = new ReferenceExecutor(graph);
        Assert.Throws<InvalidOperationException>(() => executor.Run(new float[2], 1));
        var outputs = executor.Run(new Dictionary<string, float[]> { ["x"] = [-1, 1] }, 1);
        Assert.Equal([0f, 1f], outputs["a"]);
        Assert.Equal([MathF.Tanh(-1), MathF.Tanh(1)], outputs["b"]);
    }

    [Fact]
    public void Shapes_follow_the_batch()
    {
        var executor = new ReferenceExecutor(MiniMobileNet(), maxBatch: 4);
        Assert.Equal(new TensorShape(1, 8, 8, 8), executor.ShapesFor(1)["c0"]);
        Assert.Equal(new TensorShape(4, 24, 8, 8), executor.ShapesFor(4)["e1"]);
        Assert.Equal(new TensorShape(7, 5), executor.ShapesFor(7)["probs"]); // shapes need no buffers
        Assert.Throws<ArgumentOutOfRangeException>(() => executor.ShapesFor(0));
    }

    [Fact]
    public void A_graph_is_validated_and_sorted_at_construction()
    {
        // Nodes given out of order run in dependency order.
        var nodes = new Node[] { new TanhNode("second", "r", "y"), new ReluNode("first", "x", "r") };
        var graph = new ModelGraph("unsorted", [new("x", new(TensorShape.Dynamic, 2))], ["y"], nodes);
        Assert.Equal([0f, MathF.Tanh(2)], new ReferenceExecutor(graph).Run([-1, 2], 1));

        var dangling = new ModelGraph("bad", [new("x", new(TensorShape.Dynamic, 2))], ["y"], [new ReluNode("r", "nowhere", "y")]);
        Assert.Throws<GraphValidationException>(() => new ReferenceExecutor(dangling));
    }

    [Fact]
    public void A_node_without_a_float_kernel_fails_at_construction_naming_it()
    {
        var graph = new ModelGraph("odd", [new("x", new(TensorShape.Dynamic, 2))], ["y"], [new Cube("cube", "x", "y")]);
        var e = Assert.Throws<GraphValidationException>(() => new ReferenceExecutor(graph));
        Assert.Equal("cube", e.NodeName);
        Assert.Contains("Cube", e.Message);
    }

    private sealed class Recorder : ITensorObserver
    {
        public List<(string Name, Node? Producer, TensorShape Shape, float[] Data)> Seen { get; } = [];

        public void OnTensor(string tensorName, Node? producer, TensorShape shape, ReadOnlySpan<float> data)
            => Seen.Add((tensorName, producer, shape, data.ToArray()));
    }

    /// <summary>A node type the reference path does not know.</summary>
    private sealed class Cube(string name, string input, string output) : Node(name, [input], [output])
    {
        public override string OpType => "Cube";
        public override TensorShape[] InferShapes(IReadOnlyList<TensorShape> inputs) => [inputs[0]];
    }
}
