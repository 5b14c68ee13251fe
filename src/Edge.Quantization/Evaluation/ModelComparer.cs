using Edge.Core.Errors;
using Edge.Core.Graph;
using Edge.Core.Graph.Nodes;
using Edge.Core.Tensors;
using Edge.Quantization.Calibration;
using Edge.Quantization.Passes;
using Edge.Quantization.Quantizer;
using Edge.Reference;
using Edge.Runtime.Format;
using Edge.Runtime.Session;

namespace Edge.Quantization.Evaluation;

/// <summary>
/// The int8 model and the model it was converted from, run on the same inputs with every intermediate tensor compared.
/// <para>
/// The float side is the <see cref="ReferenceExecutor"/> on the ONNX graph after the converter's graph passes (so
/// folded BatchNorms and fused activations give the same tensors the int8 model has); the int8 side is the
/// <see cref="EdgeSession"/> itself, observed after each operator (<see cref="EdgeSession.RunObserved"/>), its NHWC
/// bytes dequantized and put back in NCHW order. Int8 model tensors keep their float graph names (a converted copy adds
/// <c>.int8</c> or <c>.float</c>), which is how the two are paired; a name without a float twin means the .edge file
/// was not converted from this ONNX model.
/// </para>
/// <para>
/// Two passes: the float path alone first, for each tensor's value range (the histograms' extent), then both paths.
/// Both see the same normalized float inputs.
/// </para>
/// </summary>
public static class ModelComparer
{
    /// <summary>Histogram bins per tensor.</summary>
    public const int DefaultBins = 64;

    /// <summary>Float inputs per reference run.</summary>
    public const int FloatBatch = 32;

    /// <summary>
    /// Compares on the first <paramref name="limit"/> items (all when null) of <paramref name="inputs"/> (normalized NCHW
    /// items, e.g. from <see cref="CalibrationSource.Open"/> with the model's normalization). <paramref name="labels"/>,
    /// when given, holds one class per input; <paramref name="progress"/> is called with (pass, inputs done, total).
    /// </summary>
    /// <exception cref="ModelMismatchException">The two models do not fit together.</exception>
    /// <exception cref="DataFormatException">The inputs or labels do not fit the models.</exception>
    public static ModelComparison Compare(ModelGraph floatGraph, EdgeSession session, CalibrationSource inputs, int[]? labels = null,
        int? limit = null, int bins = DefaultBins, Action<string, int, int>? progress = null, string? floatModelName = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        if (limit is < 1) throw new ArgumentOutOfRangeException(nameof(limit), limit, "at least one input");
        if (inputs.Count == 0) throw new DataFormatException(inputs.Name, "holds no inputs");
        if (labels is not null && labels.Length != inputs.Count)
            throw new DataFormatException(inputs.Name, $"{inputs.Count} inputs but {labels.Length} labels");
        int count = Math.Min(limit ?? inputs.Count, inputs.Count);
        labels = labels?[..count];

        var graph = floatGraph.Clone();
        PassPipeline.Default().Run(graph);
        var reference = new ReferenceExecutor(graph, Math.Min(FloatBatch, count));
        var shapes = reference.ShapesFor(1);
        string floatName = floatModelName ?? graph.Name;
        var tensors = Pair(session, shapes, floatName);
        CheckInput(session, graph, shapes, inputs, floatName);
        int classes = session.Outputs[0].ElementCount;
        if (shapes[graph.Outputs[0]].ElementCount != classes)
            throw new ModelMismatchException($"{floatName} gives {shapes[graph.Outputs[0]].ElementCount} scores per input; {session.Source} gives {classes}");
        if (labels is not null && labels.Any(l => l < 0 || l >= classes))
            throw new DataFormatException(inputs.Name, $"a label is outside the model's {classes} classes (0..{classes - 1})");

        var stats = tensors.Select(t => new TensorStatistics(t, bins)).ToArray();
        var byFloatName = stats.GroupBy(s => s.Pairing.FloatTensor).ToDictionary(g => g.Key, g => g.ToArray());

        // Pass 1: value ranges, float only.
        ForEachBatch(reference, inputs, count, (batch, n, floats) =>
        {
            foreach (var (name, group) in byFloatName)
                foreach (var s in group) s.ObserveRange(floats.Data[name].AsSpan(0, n * s.Pairing.Length));
        }, byFloatName.Keys, (done, total) => progress?.Invoke("float ranges", done, total));
        foreach (var s in stats) s.FixHistogramRange();

        // Pass 2: both paths.
        var floatTop = new int[count];
        var int8Top = new int[count];
        var output = new float[classes];
        var observer = new SessionCapture(stats);
        int first = 0;
        ForEachBatch(reference, inputs, count, (x, n, floats) =>
        {
            var floatOut = floats.Data[graph.Outputs[0]];
            for (int i = 0; i < n; i++)
            {
                observer.Item = i;
                observer.Floats = floats;
                session.RunObserved(x.AsSpan(i * inputs.ItemLength, inputs.ItemLength), output, observer.Observe);
                int8Top[first + i] = ArgMax(output);
                floatTop[first + i] = ArgMax(floatOut.AsSpan(i * classes, classes));
            }
            first += n;
        }, byFloatName.Keys.Append(graph.Outputs[0]).Distinct(), (done, total) => progress?.Invoke("compare", done, total));

        var names = session.Labels.Count == classes ? session.Labels : Enumerable.Range(0, classes).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var predictions = Predictions(classes, names, floatTop, int8Top, labels);
        session.Model.Metadata.TryGetValue("calibrator", out var calibrator);
        return new ModelComparison(Path.GetFileName(floatName), Path.GetFileName(session.Source), inputs.Describe(), count, calibrator ?? "",
            stats.Select(s => s.Result()).ToArray(), Weights(session, graph), predictions);
    }

    // ── Pairing the int8 model's tensors with the float graph's ──────────────────────────────────────────────────────

    /// <summary>An int8 model tensor written by an operator, and how to read it as its float twin.</summary>
    internal sealed record TensorPairing(SessionOperatorInfo Operator, int Tensor, EdgeTensor Info, string FloatTensor, FlatOrder? Order)
    {
        public int Length => (int)Info.ElementCount;
    }

    private static List<TensorPairing> Pair(EdgeSession session, IReadOnlyDictionary<string, TensorShape> shapes, string floatName)
    {
        var model = session.Model;
        var orders = new Dictionary<int, FlatOrder?>();
        var pairs = new List<TensorPairing>();
        foreach (var op in session.Operators)
        {
            var opInfo = model.Ops[op.Index];
            foreach (int t in op.Outputs)
            {
                var info = model.Tensors[t];
                string name = FloatName(info.Name);
                if (!shapes.TryGetValue(name, out var shape))
                {
                    throw new ModelMismatchException($"{session.Source}: tensor '{info.Name}' (operator '{op.Name}') has no float twin in {floatName}; " +
                        "compare the .edge model with the ONNX model it was converted from");
                }
                if (shape.ElementCount != info.ElementCount)
                {
                    throw new ModelMismatchException($"{session.Source}: tensor '{info.Name}' has {info.ElementCount} elements; '{name}' in {floatName} has shape {shape} ({shape.ElementCount}); " +
                        "compare the .edge model with the ONNX model it was converted from");
                }
                var order = OrderOf(opInfo, info, model, orders);
                orders[t] = order;
                pairs.Add(new TensorPairing(op, t, info, name, order));
            }
        }
        return pairs;
    }

    /// <summary>A converted copy (<c>x.int8</c>, <c>x.float</c>) holds tensor <c>x</c>.</summary>
    private static string FloatName(string name)
    {
        if (name.EndsWith(".int8", StringComparison.Ordinal)) return name[..^5];
        if (name.EndsWith(".float", StringComparison.Ordinal)) return name[..^6];
        return name;
    }

    /// <summary>
    /// The element order of a flat ([1, F]) tensor: a Reshape of an NHWC tensor gives HWC order (see
    /// <see cref="NhwcLayout"/>), which element-wise operators keep and a Gemm's output does not have.
    /// </summary>
    private static FlatOrder? OrderOf(EdgeOp op, EdgeTensor output, EdgeModel model, Dictionary<int, FlatOrder?> orders)
    {
        if (output.Shape.Length != 2 || op.Type == EdgeOpType.Gemm || op.Inputs.Length == 0) return null;
        var input = model.Tensors[op.Inputs[0]];
        if (input.Shape.Length == 4)
        {
            int h = input.Shape[1], w = input.Shape[2], c = input.Shape[3];
            return op.Type == EdgeOpType.Reshape && c != 1 && h * w != 1 ? new FlatOrder(c, h, w) : null;
        }
        return orders.GetValueOrDefault(op.Inputs[0]);
    }

    private static void CheckInput(EdgeSession session, ModelGraph graph, IReadOnlyDictionary<string, TensorShape> shapes, CalibrationSource inputs, string floatName)
    {
        var input = shapes[graph.Inputs[0].Name];
        if (input.ElementCount != session.Inputs[0].ElementCount)
            throw new ModelMismatchException($"{floatName} takes input {input}; {session.Source} takes NCHW [{string.Join(", ", session.Inputs[0].LogicalShape)}]");
        if (inputs.ItemLength != input.ElementCount)
            throw new DataFormatException(inputs.Name, $"items of {inputs.ItemLength} values; the models take {input} ({input.ElementCount})");
    }

    // ── Running ──────────────────────────────────────────────────────────────────────────────────────────────────────

    private static void ForEachBatch(ReferenceExecutor reference, CalibrationSource inputs, int count, Action<float[], int, FloatCapture> body,
        IEnumerable<string> wanted, Action<int, int> progress)
    {
        int batch = reference.MaxBatch, item = inputs.ItemLength;
        var x = new float[batch * item];
        var capture = new FloatCapture(wanted);
        for (int first = 0; first < count; first += batch)
        {
            int n = Math.Min(batch, count - first);
            for (int i = 0; i < n; i++) inputs.Read(first + i, x.AsSpan(i * item, item));
            reference.Run(x.AsSpan(0, n * item), n, capture);
            body(x, n, capture);
            progress(first + n, count);
        }
    }

    /// <summary>Keeps the wanted float tensors of the last reference run (NCHW, batch items one after the other).</summary>
    private sealed class FloatCapture(IEnumerable<string> wanted) : ITensorObserver
    {
        private readonly HashSet<string> _wanted = wanted.ToHashSet();

        public Dictionary<string, float[]> Data { get; } = [];

        public void OnTensor(string tensorName, Node? producer, TensorShape shape, ReadOnlySpan<float> data)
        {
            if (!_wanted.Contains(tensorName)) return;
            if (!Data.TryGetValue(tensorName, out var buffer) || buffer.Length < data.Length) Data[tensorName] = buffer = new float[data.Length];
            data.CopyTo(buffer);
        }
    }

    /// <summary>The session's observer: each tensor the int8 model writes, compared with item <see cref="Item"/> of the float run.</summary>
    private sealed class SessionCapture
    {
        private readonly Dictionary<int, TensorStatistics> _byTensor;
        private float[] _nchw = [];

        public SessionCapture(TensorStatistics[] stats) => _byTensor = stats.ToDictionary(s => s.Pairing.Tensor);

        public int Item { get; set; }

        public FloatCapture? Floats { get; set; }

        public void Observe(SessionOperatorInfo op, int tensor, ReadOnlySpan<byte> data)
        {
            var s = _byTensor[tensor];
            int length = s.Pairing.Length;
            if (_nchw.Length < length) _nchw = new float[length];
            var values = _nchw.AsSpan(0, length);
            ToNchw(s.Pairing, data, values);
            s.Compare(Floats!.Data[s.Pairing.FloatTensor].AsSpan(Item * length, length), values);
        }
    }

    /// <summary>The int8 model's bytes of one tensor as real values in the float graph's element order.</summary>
    internal static void ToNchw(TensorPairing p, ReadOnlySpan<byte> data, Span<float> nchw)
    {
        var info = p.Info;
        int channels, plane;
        if (info.Shape.Length == 4) (channels, plane) = (info.Shape[3], info.Shape[1] * info.Shape[2]);
        else if (p.Order is { } o) (channels, plane) = (o.Channels, o.Height * o.Width);
        else (channels, plane) = (1, (int)info.ElementCount);
        bool int8 = info.DataType == EdgeDataType.Int8;
        var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(data);
        for (int px = 0; px < plane; px++)
            for (int c = 0; c < channels; c++)
            {
                int at = px * channels + c;
                nchw[c * plane + px] = int8 ? info.Scale * ((sbyte)data[at] - info.ZeroPoint) : floats[at];
            }
    }

    private static int ArgMax(ReadOnlySpan<float> scores)
    {
        Span<int> top = stackalloc int[1];
        EdgeSession.TopK(scores, top);
        return top[0];
    }

    // ── Results ──────────────────────────────────────────────────────────────────────────────────────────────────────

    private static PredictionComparison Predictions(int classes, IReadOnlyList<string> names, int[] floatTop, int[] int8Top, int[]? labels)
    {
        int n = floatTop.Length;
        var vs = Matrix(classes);
        for (int i = 0; i < n; i++) vs[floatTop[i]][int8Top[i]]++;
        double agreement = 100.0 * Enumerable.Range(0, n).Count(i => floatTop[i] == int8Top[i]) / n;
        if (labels is null) return new PredictionComparison(classes, names, agreement, null, null, vs, null, null);
        var int8Confusion = Matrix(classes);
        var floatConfusion = Matrix(classes);
        for (int i = 0; i < n; i++)
        {
            int8Confusion[labels[i]][int8Top[i]]++;
            floatConfusion[labels[i]][floatTop[i]]++;
        }
        double int8Top1 = 100.0 * Enumerable.Range(0, n).Count(i => int8Top[i] == labels[i]) / n;
        double floatTop1 = 100.0 * Enumerable.Range(0, n).Count(i => floatTop[i] == labels[i]) / n;
        return new PredictionComparison(classes, names, agreement, int8Top1, floatTop1, vs, int8Confusion, floatConfusion);
    }

    private static int[][] Matrix(int n) => Enumerable.Range(0, n).Select(_ => new int[n]).ToArray();

    /// <summary>Weight figures of every int8 Conv2d and Gemm: float weights from the optimized graph, scales from the model.</summary>
    private static WeightComparison[] Weights(EdgeSession session, ModelGraph graph)
    {
        var nodes = graph.Nodes.ToDictionary(n => n.Name);
        var rows = new List<WeightComparison>();
        foreach (var op in session.Model.Ops)
        {
            if (op.Type is not (EdgeOpType.Conv2d or EdgeOpType.Gemm) || op.Blobs.Length != 5 || op.Blobs[0].DataType != EdgeDataType.Int8) continue;
            var weight = nodes.GetValueOrDefault(op.Name) switch
            {
                ConvNode c => c.Weight,
                GemmNode g => g.Weight,
                _ => throw new ModelMismatchException($"{session.Source}: operator '{op.Name}' ({op.Type}) has no Conv or Gemm node of that name in the float graph"),
            };
            var q = op.Blobs[0].AsInt8();
            var scales = op.Blobs[4].AsFloat32();
            if (q.Length != weight.Data.Length || weight.Data.Length % scales.Length != 0)
                throw new ModelMismatchException($"{session.Source}: operator '{op.Name}' holds {q.Length} weights; the float graph's node {weight.Data.Length}");
            rows.Add(new WeightComparison(op.Name, op.Type.ToString(), scales.Length, weight.Data.Min(), weight.Data.Max(),
                Min(scales), Max(scales), Max(scales) / Math.Max(Min(scales), double.Epsilon), WeightSqnr(weight.Data, q, scales)));
        }
        return rows.ToArray();
    }

    /// <summary>
    /// Σ w² / Σ (w − s·q)² per layer. The int8 weights are stored in another layout (NHWC, or Gemm columns permuted), but
    /// quantization is monotonic within a channel, so the sorted float weights and the sorted int8 weights of a channel
    /// pair up exactly as the quantizer paired them.
    /// </summary>
    private static double? WeightSqnr(float[] w, ReadOnlySpan<sbyte> q, ReadOnlySpan<float> scales)
    {
        int row = w.Length / scales.Length;
        double signal = 0, noise = 0;
        var fw = new float[row];
        var qw = new sbyte[row];
        for (int c = 0; c < scales.Length; c++)
        {
            w.AsSpan(c * row, row).CopyTo(fw);
            q.Slice(c * row, row).CopyTo(qw);
            Array.Sort(fw);
            Array.Sort(qw);
            for (int i = 0; i < row; i++)
            {
                double d = fw[i] - (double)scales[c] * qw[i];
                signal += (double)fw[i] * fw[i];
                noise += d * d;
            }
        }
        return noise == 0 ? null : 10 * Math.Log10(signal / noise);
    }

    private static double Min(ReadOnlySpan<float> v)
    {
        float m = float.PositiveInfinity;
        foreach (var x in v) m = Math.Min(m, x);
        return m;
    }

    private static double Max(ReadOnlySpan<float> v)
    {
        float m = float.NegativeInfinity;
        foreach (var x in v) m = Math.Max(m, x);
        return m;
    }

    /// <summary>Running sums of one tensor's comparison.</summary>
    internal sealed class TensorStatistics(TensorPairing pairing, int bins)
    {
        private double _signal, _noise, _int8Power, _cross, _maxError;
        private double _min = double.PositiveInfinity, _max = double.NegativeInfinity;
        private double _histMin, _histMax;
        private long _clipped, _count;
        private readonly long[] _bins = new long[bins];

        public TensorPairing Pairing { get; } = pairing;

        private bool IsInt8 => Pairing.Info.DataType == EdgeDataType.Int8;
        private double ClipMin => Pairing.Info.Scale * (-128.0 - Pairing.Info.ZeroPoint);
        private double ClipMax => Pairing.Info.Scale * (127.0 - Pairing.Info.ZeroPoint);

        public void ObserveRange(ReadOnlySpan<float> values)
        {
            foreach (var v in values)
            {
                if (v < _min) _min = v;
                if (v > _max) _max = v;
            }
        }

        /// <summary>The histogram spans the float values and, for int8 tensors, the clipping range.</summary>
        public void FixHistogramRange()
        {
            _histMin = _min;
            _histMax = _max;
            if (IsInt8)
            {
                _histMin = Math.Min(_histMin, ClipMin);
                _histMax = Math.Max(_histMax, ClipMax);
            }
            if (!(_histMax > _histMin)) _histMax = _histMin + 1;
        }

        public void Compare(ReadOnlySpan<float> reference, ReadOnlySpan<float> int8)
        {
            double lo = ClipMin - 0.5 * Pairing.Info.Scale, hi = ClipMax + 0.5 * Pairing.Info.Scale;
            double toBin = _bins.Length / (_histMax - _histMin);
            for (int i = 0; i < reference.Length; i++)
            {
                double f = reference[i], q = int8[i], d = f - q;
                _signal += f * f;
                _int8Power += q * q;
                _cross += f * q;
                _noise += d * d;
                if (Math.Abs(d) > _maxError) _maxError = Math.Abs(d);
                if (IsInt8 && (f < lo || f > hi)) _clipped++;
                int b = (int)((f - _histMin) * toBin);
                _bins[Math.Clamp(b, 0, _bins.Length - 1)]++;
            }
            _count += reference.Length;
        }

        public LayerComparison Result()
        {
            var p = Pairing;
            double cosine = _signal == 0 && _int8Power == 0 ? 1 : _cross / Math.Sqrt(_signal * _int8Power);
            double? sqnr = _noise == 0 ? null : _signal == 0 ? double.NegativeInfinity : 10 * Math.Log10(_signal / _noise);
            return new LayerComparison(p.Operator.Index, p.Operator.Name, p.Operator.Type.ToString(), p.Info.Name, p.FloatTensor,
                IsInt8 ? "int8" : "float32", IsInt8 ? p.Info.Scale : null, IsInt8 ? p.Info.ZeroPoint : null, sqnr, cosine, _maxError,
                _min, _max, IsInt8 ? ClipMin : null, IsInt8 ? ClipMax : null, _count == 0 ? 0 : 100.0 * _clipped / _count,
                new ValueHistogram(_histMin, _histMax, (long[])_bins.Clone()));
        }
    }
}

/// <summary>The float and int8 models given to <c>edge compare</c> do not belong together (different graphs, shapes or classes).</summary>
public sealed class ModelMismatchException(string message) : EdgeException(message);
