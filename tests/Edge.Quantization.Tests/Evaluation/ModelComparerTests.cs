using Edge.Core.Errors;
using Edge.Core.Graph.Nodes;
using Edge.Onnx;
using Edge.Quantization.Calibration;
using Edge.Quantization.Evaluation;
using Edge.Quantization.Quantizer;
using Edge.Quantization.Tests.Models;
using Edge.Runtime.Format;
using Edge.Runtime.Session;
using Edge.Tests.Shared;

namespace Edge.Quantization.Tests.Evaluation;

public class ModelComparerTests
{
    private const int Images = 100;

    private static readonly Lazy<(ConversionResult Conversion, ModelComparison Comparison, float[] Inputs)> LeNet = new(() =>
    {
        var entry = FirmwareModels.Get("lenet5-fashion");
        var conversion = Conversions.Get("lenet5-fashion", "onnx");
        var graph = OnnxImporter.Import(FirmwareModels.OnnxPath(entry, "onnx"));
        var test = FirmwareModels.TestSet(entry).Take(Images);
        var source = new ImageSetSource(test, [1, 28, 28], FirmwareModels.Normalization(entry));
        var session = EdgeSession.FromModel(conversion.Model, source: "lenet5-fashion.edge");
        var comparison = ModelComparer.Compare(graph, session, source, test.Labels);
        var inputs = new float[Images * source.ItemLength];
        for (int i = 0; i < Images; i++) source.Read(i, inputs.AsSpan(i * source.ItemLength, source.ItemLength));
        return (conversion, comparison, inputs);
    });

    [Fact]
    public void Layer_sqnr_of_the_session_matches_the_fake_quant_simulation_of_the_plan()
    {
        var (conversion, comparison, inputs) = LeNet.Value;
        var simulated = LayerSqnr.Measure(conversion.Plan, inputs, Images).ToDictionary(t => t.Tensor);
        var int8 = comparison.Layers.Where(l => l.DataType == "int8").ToArray();
        Assert.True(int8.Length >= 6, $"{int8.Length} int8 layers");
        int matched = 0;
        foreach (var layer in int8)
        {
            if (!simulated.TryGetValue(layer.FloatTensor, out var sim)) continue;
            matched++;
            // The session and the simulation round a few values one LSB apart (see FirmwareModelSessionTests): close, not equal.
            Assert.True(Math.Abs(layer.SqnrDb!.Value - sim.Db) < 1.0, $"{layer.Operator}: session {layer.SqnrDb:F2} dB, simulation {sim.Db:F2} dB");
            Assert.InRange(layer.Cosine, 0.99, 1.0 + 1e-12);
        }
        Assert.True(matched >= int8.Length - 1, $"{matched} of {int8.Length} layers matched the simulation's tensors");
    }

    [Fact]
    public void A_flatten_in_permuted_order_compares_exactly_as_its_input()
    {
        // LeNet-5 flattens [16, 5, 5]: the int8 model's flat tensor is in HWC order, the float graph's in CHW order.
        var (_, comparison, _) = LeNet.Value;
        var flatten = Assert.Single(comparison.Layers, l => l.OpType == "Reshape");
        var input = comparison.Layers[comparison.Layers.ToList().IndexOf(flatten) - 1];
        Assert.Equal(400, input.Histogram.Counts.Sum() / Images);
        Assert.Equal(input.SqnrDb, flatten.SqnrDb);
        Assert.Equal(input.Cosine, flatten.Cosine, 12);
        Assert.Equal(input.Histogram.Counts, flatten.Histogram.Counts);
        Assert.Equal(input.ClippedPercent, flatten.ClippedPercent);
    }

    [Fact]
    public void Weight_sqnr_from_sorted_channels_equals_the_one_from_the_stored_layout()
    {
        var (conversion, comparison, _) = LeNet.Value;
        var convs = conversion.Model.Ops.Where(o => o.Type == EdgeOpType.Conv2d).ToArray();
        Assert.NotEmpty(convs);
        foreach (var op in convs)
        {
            var node = (ConvNode)conversion.Plan.Graph.Nodes.Single(n => n.Name == op.Name);
            var w = node.Weight;
            int oc = w.Shape[0], icg = w.Shape[1], kh = w.Shape[2], kw = w.Shape[3];
            var nhwc = NhwcLayout.ConvWeights<float>(w.Data, oc, icg, kh, kw);
            var q = op.Blobs[0].AsInt8();
            var scales = op.Blobs[4].AsFloat32();
            double signal = 0, noise = 0;
            for (int i = 0; i < nhwc.Length; i++)
            {
                double d = nhwc[i] - (double)scales[i / (nhwc.Length / oc)] * q[i];
                signal += (double)nhwc[i] * nhwc[i];
                noise += d * d;
            }
            var row = Assert.Single(comparison.Weights, r => r.Operator == op.Name);
            Assert.Equal(10 * Math.Log10(signal / noise), row.SqnrDb!.Value, 9);
            Assert.Equal(oc, row.Channels);
            Assert.Equal(w.Data.Min(), row.WeightMin);
            Assert.Equal(w.Data.Max(), row.WeightMax);
            Assert.Equal(row.ScaleMax / row.ScaleMin, row.ScaleSpread, 12);
        }
        Assert.Contains(comparison.Weights, r => r.OpType == "Gemm");
    }

    [Fact]
    public void Predictions_count_every_input_and_the_float_side_is_the_reference_path()
    {
        var (_, comparison, _) = LeNet.Value;
        var entry = FirmwareModels.Get("lenet5-fashion");
        var test = FirmwareModels.TestSet(entry).Take(Images);
        var floatPass = Evaluator.EvaluateFloat(OnnxImporter.Import(FirmwareModels.OnnxPath(entry, "onnx")), FirmwareModels.Normalization(entry), test, 10);
        var p = comparison.Predictions;
        Assert.Equal(floatPass.Result.Top1, p.FloatTop1!.Value, 9);
        Assert.Equal(Images, p.Int8VsFloat.Sum(r => r.Sum()));
        Assert.Equal(Images, p.Int8Confusion!.Sum(r => r.Sum()));
        Assert.Equal(p.Agreement, 100.0 * Enumerable.Range(0, 10).Sum(c => p.Int8VsFloat[c][c]) / Images, 9);
        Assert.Equal(p.Int8Top1!.Value, 100.0 * Enumerable.Range(0, 10).Sum(c => p.Int8Confusion![c][c]) / Images, 9);
        for (int c = 0; c < 10; c++) Assert.Equal(test.Labels!.Count(l => l == c), p.FloatConfusion![c].Sum());
        Assert.Equal(entry.ClassLabels, p.ClassNames);
        Assert.Equal(Calibrator.DefaultName, comparison.Calibrator);
        Assert.Equal(Images, comparison.Images);
    }

    [Fact]
    public void Histograms_span_the_values_and_the_clipping_range()
    {
        var (_, comparison, _) = LeNet.Value;
        foreach (var l in comparison.Layers)
        {
            Assert.Equal(ModelComparer.DefaultBins, l.Histogram.Counts.Length);
            Assert.True(l.Histogram.Min <= l.FloatMin && l.Histogram.Max >= l.FloatMax, l.Operator);
            if (l.DataType != "int8") continue;
            Assert.True(l.Histogram.Min <= l.ClipMin && l.Histogram.Max >= l.ClipMax, l.Operator);
            Assert.Equal(l.Scale!.Value * (-128.0 - l.ZeroPoint!.Value), l.ClipMin!.Value, 9);
            Assert.Equal(l.Scale.Value * (127.0 - l.ZeroPoint.Value), l.ClipMax!.Value, 9);
            // Calibrated on 32 images of the same distribution: little is clipped (1.1 % at most, measured).
            Assert.True(l.ClippedPercent is >= 0 and < 2, $"{l.Operator}: {l.ClippedPercent:F3} % clipped");
        }
    }

    [Fact]
    public void Statistics_of_a_hand_made_pair_give_the_textbook_figures()
    {
        var info = new EdgeTensor("t", EdgeDataType.Int8, [1, 4], 0.5f, 0);
        var pairing = new ModelComparer.TensorPairing(
            new SessionOperatorInfo(3, "op", EdgeOpType.Add, "k", Runtime.Kernels.KernelPath.Scalar, [0], [1], 0, 0, false), 1, info, "t", null);
        var stats = new ModelComparer.TensorStatistics(pairing, bins: 4);
        float[] f = [1, 2, 3, 80], q = [1, 2, 3.5f, 63.5f]; // 80 lies beyond the int8 range [−64, 63.5]
        stats.ObserveRange(f);
        stats.FixHistogramRange();
        stats.Compare(f, q);
        var r = stats.Result();
        double signal = 1 + 4 + 9 + 6400, noise = 0.25 + 16.5 * 16.5;
        Assert.Equal(10 * Math.Log10(signal / noise), r.SqnrDb!.Value, 9);
        Assert.Equal((1 + 4 + 10.5 + 80 * 63.5) / Math.Sqrt(signal * (1 + 4 + 12.25 + 63.5 * 63.5)), r.Cosine, 9);
        Assert.Equal(16.5, r.MaxAbsError, 9);
        Assert.Equal(25.0, r.ClippedPercent, 9);
        Assert.Equal(-64, r.Histogram.Min);
        Assert.Equal(80, r.Histogram.Max);
        Assert.Equal(new long[] { 0, 3, 0, 1 }, r.Histogram.Counts); // bins of 36 from −64: [−64, −28), [−28, 8), [8, 44), [44, 80]
        Assert.Equal("int8", r.DataType);
        Assert.Equal(3, r.Index);
    }

    [Fact]
    public void Identical_values_are_reported_as_exact()
    {
        var info = new EdgeTensor("t", EdgeDataType.Float32, [1, 3]);
        var pairing = new ModelComparer.TensorPairing(
            new SessionOperatorInfo(0, "op", EdgeOpType.Dequantize, "k", Runtime.Kernels.KernelPath.Scalar, [0], [1], 0, 0, false), 1, info, "t", null);
        var stats = new ModelComparer.TensorStatistics(pairing, bins: 8);
        float[] f = [0.5f, -1, 2];
        stats.ObserveRange(f);
        stats.FixHistogramRange();
        stats.Compare(f, f);
        var r = stats.Result();
        Assert.Null(r.SqnrDb);
        Assert.Equal(1.0, r.Cosine, 12);
        Assert.Null(r.ClipMin);
        Assert.Equal(0, r.ClippedPercent);
        Assert.Equal("float32", r.DataType);
    }

    [Fact]
    public void Nhwc_bytes_are_read_back_in_nchw_order_and_dequantized()
    {
        // [1, H=1, W=2, C=3], s = 0.5, zp = 1: NHWC bytes (w0: c0 c1 c2, w1: c0 c1 c2).
        var info = new EdgeTensor("t", EdgeDataType.Int8, [1, 1, 2, 3], 0.5f, 1);
        var pairing = new ModelComparer.TensorPairing(
            new SessionOperatorInfo(0, "op", EdgeOpType.Conv2d, "k", Runtime.Kernels.KernelPath.Scalar, [0], [1], 0, 0, false), 1, info, "t", null);
        sbyte[] nhwc = [1, 3, 5, -1, -3, 127];
        var nchw = new float[6];
        ModelComparer.ToNchw(pairing, System.Runtime.InteropServices.MemoryMarshal.AsBytes(nhwc.AsSpan()), nchw);
        Assert.Equal(new[] { 0f, -1f, 1f, -2f, 2f, 63f }, nchw); // c0: (1, −1), c1: (3, −3), c2: (5, 127), each 0.5·(q − 1)

        // The same bytes as a flat tensor flattened from [C=3, H=1, W=2] in HWC order: the same NCHW order comes back.
        var flat = pairing with { Info = new EdgeTensor("f", EdgeDataType.Int8, [1, 6], 0.5f, 1), Order = new FlatOrder(3, 1, 2) };
        var back = new float[6];
        ModelComparer.ToNchw(flat, System.Runtime.InteropServices.MemoryMarshal.AsBytes(nhwc.AsSpan()), back);
        Assert.Equal(nchw, back);
    }

    [Fact]
    public void An_int8_model_converted_from_another_graph_is_refused_by_name()
    {
        var conversion = Conversions.Get("lenet5-fashion", "onnx");
        var other = FirmwareModels.Get("mobilenet-fashion");
        var graph = OnnxImporter.Import(FirmwareModels.OnnxPath(other, "onnx"));
        var source = new ImageSetSource(FirmwareModels.TestSet(other).Take(4), [1, 28, 28], FirmwareModels.Normalization(other));
        var session = EdgeSession.FromModel(conversion.Model, source: "lenet.edge");
        var e = Assert.Throws<ModelMismatchException>(() => ModelComparer.Compare(graph, session, source, floatModelName: "mobilenet-fashion.onnx"));
        Assert.Contains("lenet.edge", e.Message);
        Assert.Contains("no float twin in mobilenet-fashion.onnx", e.Message);
    }

    [Fact]
    public void Labels_that_do_not_fit_the_inputs_are_a_data_error()
    {
        var entry = FirmwareModels.Get("lenet5-fashion");
        var conversion = Conversions.Get("lenet5-fashion", "onnx");
        var graph = OnnxImporter.Import(FirmwareModels.OnnxPath(entry, "onnx"));
        var source = new ImageSetSource(FirmwareModels.TestSet(entry).Take(4), [1, 28, 28], FirmwareModels.Normalization(entry));
        var session = EdgeSession.FromModel(conversion.Model);
        Assert.Contains("4 inputs but 3 labels", Assert.Throws<DataFormatException>(() => ModelComparer.Compare(graph, session, source, [0, 1, 2])).Message);
        Assert.Contains("outside the model's 10 classes", Assert.Throws<DataFormatException>(() => ModelComparer.Compare(graph, session, source, [0, 1, 2, 10])).Message);
    }
}
