using Edge.Runtime.Arithmetic;
using Edge.Runtime.Format;
using Edge.Runtime.Kernels;
using Edge.Runtime.Session;
using Edge.Runtime.Tests.Session.Support;
using Edge.Runtime.Tests.Support;

namespace Edge.Runtime.Tests.Session;

/// <summary>The session's metadata, input and output layouts, image input, top-k and argument errors.</summary>
public class SessionApiTests
{
    private static readonly ModelBuilder Everything = SessionCases.Everything(23);

    [Fact]
    public void Metadata_describes_inputs_outputs_labels_and_operators()
    {
        var s = EdgeSession.FromModel(Everything.Model, new EdgeSessionOptions { Kernels = KernelSelection.Vector128 });
        var input = Assert.Single(s.Inputs);
        Assert.Equal([1, 3, 8, 8], input.LogicalShape);
        Assert.Equal([1, 8, 8, 3], input.NhwcShape);
        Assert.Equal(EdgeDataType.Int8, input.DataType);
        Assert.Equal(Everything.Model.Tensors[Everything.Model.Inputs[0].Tensor].Scale, input.Scale);
        Assert.Equal(EdgeChannelOrder.Rgb, s.Normalization.ChannelOrder);
        Assert.Equal((8, 8), s.ImageSize);
        var output = Assert.Single(s.Outputs);
        Assert.Equal(EdgeDataType.Float32, output.DataType);
        Assert.Equal([1, 10], output.LogicalShape);
        Assert.Equal(10, s.Labels.Count);
        Assert.Equal(Everything.Model.Ops.Count, s.Operators.Count);
        Assert.Equal("Int8Conv2d", s.Operators[0].Kernel);
        Assert.Equal("Int8DepthwiseConv2d", s.Operators[1].Kernel);
        Assert.Equal(KernelPaths.Supported(KernelPath.Vector128), s.Operators[0].Path);
        Assert.Equal(KernelPaths.Supported(KernelPath.Vector128), s.Operators.Single(o => o.Type == EdgeOpType.MaxPool).Path);
        Assert.Equal("view", s.Operators.Single(o => o.Type == EdgeOpType.Reshape).Kernel);
        Assert.True(s.Operators[0].WeightBytes > 8 * 3 * 3 * 3);
        Assert.NotEmpty(CpuFeatures.InstructionSets);
        Assert.Contains(CpuFeatures.Architecture.ToString(), CpuFeatures.Describe());
    }

    [Fact]
    public void Avx2_selection_runs_convolutions_and_gemm_on_avx2_and_the_other_kernels_on_vector128()
    {
        var s = EdgeSession.FromModel(Everything.Model, new EdgeSessionOptions { Kernels = KernelSelection.Avx2 });
        var conv = KernelPaths.AtMost(KernelPaths.Supported(KernelPath.Avx2), KernelPath.Avx2);
        Assert.Equal(KernelPaths.Supported(KernelPath.Avx2), s.KernelPath);
        Assert.Equal(conv, s.Operators[0].Path);
        Assert.Equal(conv, s.Operators.Single(o => o.Type == EdgeOpType.Gemm).Path);
        Assert.Equal(conv, s.Operators[1].Path); // depthwise
        Assert.Equal(KernelPaths.Supported(KernelPath.Vector128), s.Operators.Single(o => o.Type == EdgeOpType.MaxPool).Path);
    }

    [Fact]
    public void Scalar_selection_runs_every_kernel_on_the_scalar_path()
    {
        var s = EdgeSession.FromModel(Everything.Model, new EdgeSessionOptions { Kernels = KernelSelection.Scalar });
        Assert.Equal(KernelPath.Scalar, s.KernelPath);
        Assert.All(s.Operators, o => Assert.Equal(KernelPath.Scalar, o.Path));
    }

    [Fact]
    public void A_float_NCHW_input_is_quantized_into_the_NHWC_int8_input_tensor()
    {
        var s = EdgeSession.FromModel(Everything.Model);
        var q = s.Inputs[0].Quantization;
        var rng = new Random(3);
        var nchw = Enumerable.Range(0, 3 * 8 * 8).Select(_ => (float)TestData.Uniform(rng, -3, 3)).ToArray();
        var nhwc = new sbyte[nchw.Length];
        for (int c = 0; c < 3; c++)
            for (int p = 0; p < 64; p++) nhwc[p * 3 + c] = q.Quantize(nchw[c * 64 + p]);
        var fromFloat = new float[10];
        var fromInt8 = new float[10];
        s.Run(nchw, fromFloat);
        s.Run(nhwc, fromInt8);
        Assert.Equal(fromInt8, fromFloat);
        Assert.Equal(1.0, fromFloat.Sum(), 3);
    }

    [Fact]
    public void An_int8_image_output_is_read_as_float_in_NCHW_and_as_int8_in_NHWC()
    {
        var b = SessionCases.All["lookup"]();
        var s = EdgeSession.FromModel(b.Model);
        var info = s.Outputs[0];
        Assert.Equal([1, 3, 5, 3], info.LogicalShape);
        var input = TestData.Activations(new Random(4), s.Inputs[0].ElementCount);
        var raw = new sbyte[info.ElementCount];
        var real = new float[info.ElementCount];
        s.Run(input, raw);
        s.Run(input, real);
        Assert.Equal(b.Reference(input).Select(v => (sbyte)v).ToArray(), raw);
        for (int c = 0; c < 3; c++)
            for (int p = 0; p < 15; p++) Assert.Equal(info.Quantization.Dequantize(raw[p * 3 + c]), real[c * 15 + p]);
    }

    [Fact]
    public void An_int8_output_is_refused_for_a_float_output()
    {
        var s = EdgeSession.FromModel(Everything.Model);
        var e = Assert.Throws<InvalidOperationException>(() => s.Run(new sbyte[192], new sbyte[10]));
        Assert.Contains("Float32", e.Message);
    }

    [Fact]
    public void Spans_of_the_wrong_length_are_argument_errors_naming_the_tensor()
    {
        var s = EdgeSession.FromModel(Everything.Model);
        var e = Assert.Throws<ArgumentException>(() => s.Run(new float[191], new float[10]));
        Assert.Contains("input", e.Message);
        Assert.Contains("192", e.Message);
        e = Assert.Throws<ArgumentException>(() => s.Run(new sbyte[192], new float[11]));
        Assert.Contains("10", e.Message);
        // The session stays usable after a rejected call.
        s.Run(new sbyte[192], new float[10]);
    }

    [Theory]
    [InlineData(EdgeChannelOrder.Rgb, 3)]
    [InlineData(EdgeChannelOrder.Rgb, 1)]
    [InlineData(EdgeChannelOrder.Bgr, 3)]
    [InlineData(EdgeChannelOrder.Gray, 1)]
    [InlineData(EdgeChannelOrder.Gray, 3)]
    public void An_8_bit_image_is_normalized_and_quantized_as_the_float_path_would(EdgeChannelOrder order, int imageChannels)
    {
        int modelChannels = order == EdgeChannelOrder.Gray ? 1 : 3;
        var b = new ModelBuilder(5);
        int x = b.Input([1, 4, 6, modelChannels], new QuantizationParams(0.03f, 4), order,
            modelChannels == 1 ? [0.3f] : [0.485f, 0.456f, 0.406f], modelChannels == 1 ? [0.35f] : [0.229f, 0.224f, 0.225f]);
        b.Output(b.Dequantize(x));
        var s = EdgeSession.FromModel(b.Model);
        var pixels = new byte[4 * 6 * imageChannels];
        new Random(6).NextBytes(pixels);

        // The float path: HWC bytes to normalized CHW floats, in float32 as torchvision computes them.
        var chw = new float[modelChannels * 24];
        for (int c = 0; c < modelChannels; c++)
            for (int p = 0; p < 24; p++)
            {
                int source = order == EdgeChannelOrder.Bgr ? 2 - c : c;
                float pixel = imageChannels == 1 ? pixels[p]
                    : modelChannels == 1 ? 0.299f * pixels[3 * p] + 0.587f * pixels[3 * p + 1] + 0.114f * pixels[3 * p + 2]
                    : pixels[3 * p + source];
                chw[c * 24 + p] = (pixel / 255f - s.Normalization.MeanOf(c)) / s.Normalization.StdOf(c);
            }
        var expected = new float[chw.Length];
        var actual = new float[chw.Length];
        s.Run(chw, expected);
        s.RunImage(pixels, 4, 6, imageChannels, actual);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void An_image_of_another_size_is_refused_with_a_pointer_to_the_resizer()
    {
        var s = EdgeSession.FromModel(Everything.Model);
        var e = Assert.Throws<ArgumentException>(() => s.RunImage(new byte[9 * 8 * 3], 9, 8, 3, new float[10]));
        Assert.Contains("resize", e.Message);
    }

    [Fact]
    public void TopK_orders_scores_largest_first_with_ties_by_index_and_NaN_last()
    {
        float[] scores = [0.1f, 0.7f, float.NaN, 0.7f, -1f, 0.3f];
        var top = new int[4];
        EdgeSession.TopK(scores, top);
        Assert.Equal([1, 3, 5, 0], top);
        var all = new int[6];
        EdgeSession.TopK(scores, all);
        Assert.Equal([1, 3, 5, 0, 4, 2], all);
        EdgeSession.TopK(scores, Span<int>.Empty);
        Assert.Throws<ArgumentException>(() => EdgeSession.TopK(scores, new int[7]));
    }

    [Fact]
    public void TopK_agrees_with_a_full_sort_on_random_scores()
    {
        var rng = new Random(8);
        for (int trial = 0; trial < 50; trial++)
        {
            var scores = Enumerable.Range(0, rng.Next(1, 40)).Select(_ => (float)rng.Next(-5, 6)).ToArray();
            var top = new int[rng.Next(0, scores.Length + 1)];
            EdgeSession.TopK(scores, top);
            var sorted = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(top.Length).ToArray();
            Assert.Equal(sorted, top);
        }
    }

    [Fact]
    public void Files_streams_and_memory_load_the_same_model()
    {
        var bytes = EdgeModelWriter.ToBytes(Everything.Model);
        var path = Path.Combine(Path.GetTempPath(), $"edge-session-{Environment.ProcessId}.edge");
        File.WriteAllBytes(path, bytes);
        try
        {
            var input = TestData.Activations(new Random(9), 192);
            var expected = new float[10];
            EdgeSession.FromModel(Everything.Model).Run(input, expected);
            foreach (var s in new[] { EdgeSession.Load(path), EdgeSession.Load(new MemoryStream(bytes)), EdgeSession.Load(bytes.AsMemory()) })
            {
                var y = new float[10];
                s.Run(input, y);
                Assert.Equal(expected, y);
            }
            Assert.Equal(path, EdgeSession.Load(path).Source);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_missing_file_is_a_format_error_naming_it()
    {
        var e = Assert.Throws<EdgeModelFormatException>(() => EdgeSession.Load("/nonexistent/model.edge"));
        Assert.Contains("/nonexistent/model.edge", e.Message);
    }

    [Fact]
    public void RunObserved_sees_every_operator_output_and_matches_Run()
    {
        var s = EdgeSession.FromModel(Everything.Model);
        var input = new float[192];
        var seen = new List<int>();
        var observed = new float[10];
        s.RunObserved(input, observed, (op, tensor, data) =>
        {
            Assert.Equal(op.Outputs[0], tensor);
            Assert.Equal(Everything.Model.Tensors[tensor].ByteCount, data.Length);
            seen.Add(op.Index);
        });
        Assert.Equal(Enumerable.Range(0, s.Operators.Count), seen);
        var plain = new float[10];
        s.Run(input, plain);
        Assert.Equal(plain, observed);
    }
}
