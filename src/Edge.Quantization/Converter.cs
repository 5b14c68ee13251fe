using System.Globalization;
using Edge.Core.Graph;
using Edge.Quantization.Calibration;
using Edge.Quantization.Passes;
using Edge.Quantization.Quantizer;
using Edge.Runtime.Format;
using Edge.Runtime.Session;
using Edge.Vision.Preprocessing;

namespace Edge.Quantization;

/// <summary>
/// A float graph to an int8 <see cref="EdgeModel"/>: graph passes (identities out, pads and BatchNorms folded,
/// activations fused), calibration on representative data, quantization per docs/int8-arithmetic.md. The passes run
/// on a copy: the caller's graph is only validated (which sorts its nodes). The same graph, data and options give the
/// same model, byte for byte. Every problem with the input is an <see cref="Edge.Core.Errors.EdgeException"/>.
/// </summary>
public static class Converter
{
    /// <summary>Converts with calibration data read from <paramref name="calibrationPath"/> (see <see cref="CalibrationSource.Open"/>).</summary>
    public static ConversionResult Convert(ModelGraph graph, string calibrationPath, ConverterOptions options)
    {
        var (calibrator, normalization) = Prepare(graph, options);
        var source = CalibrationSource.Open(calibrationPath, graph.InferShapes(1)[graph.Inputs[0].Name].ToArray(), normalization);
        return Run(graph, source, options with { Normalization = normalization }, calibrator);
    }

    /// <summary>Converts with calibration items from <paramref name="source"/> (already in the input's item shape).</summary>
    public static ConversionResult Convert(ModelGraph graph, CalibrationSource source, ConverterOptions options)
    {
        var (calibrator, normalization) = Prepare(graph, options);
        return Run(graph, source, options with { Normalization = normalization }, calibrator);
    }

    /// <summary>Checks what can be checked before the (slow) calibration: options, the graph's constants, the input.</summary>
    private static (Calibrator, InputNormalization) Prepare(ModelGraph graph, ConverterOptions options)
    {
        var calibrator = Calibrator.Create(options.Calibrator, options.Percentile);
        if (options.Samples is <= 0) throw new ConverterOptionsException($"--samples must be positive, got {options.Samples}");
        graph.Validate(); // non-finite constants, negative BatchNorm variance: a GraphValidationException naming the node
        if (graph.Inputs.Count != 1) throw new ConversionException(null, $"graph '{graph.Name}' has {graph.Inputs.Count} inputs; the converter handles models with one");
        var shape = graph.InferShapes(1)[graph.Inputs[0].Name];
        int channels = shape.Rank == 4 ? shape[1] : 1;
        var normalization = options.Normalization ?? InputNormalization.Unit(channels == 3 ? EdgeChannelOrder.Rgb : EdgeChannelOrder.Gray);
        if (shape.Rank == 4 && channels is 1 or 3 && normalization.Channels != channels)
            throw new ConverterOptionsException($"channel order {normalization.Order.ToString().ToLowerInvariant()} has {normalization.Channels} channel(s); input '{graph.Inputs[0].Name}' has {channels}");
        if (normalization.Mean.Length != 1 && normalization.Mean.Length != channels)
            throw new ConverterOptionsException($"{normalization.Mean.Length} mean/std values for input '{graph.Inputs[0].Name}' with {channels} channel(s): give one, or one per channel");
        return (calibrator, normalization);
    }

    private static ConversionResult Run(ModelGraph original, CalibrationSource source, ConverterOptions options, Calibrator calibrator)
    {
        var graph = original.Clone();
        var changes = PassPipeline.Default().Run(graph);
        CheckKeepFloat(original, graph, changes, options.Quantizer.KeepFloat);

        var calibration = CalibrationRunner.Run(graph, source, calibrator, options.Samples, options.Progress);
        var plan = QuantizationPlan.Build(graph, calibration.Ranges, options.Quantizer);
        var report = ConversionReport.Build(plan, changes);
        var description = new ModelDescription(options.Normalization!, options.Labels, Metadata(original, options, calibration, report), ModelDescription.CurrentProducer);
        return new ConversionResult(EdgeModelEmitter.Emit(plan, description), plan, calibration, changes, report);
    }

    /// <summary>
    /// Every kept-float name must be a node of the optimized graph; a node the passes removed is named with what
    /// became of it, so the user can name the node that carries it instead.
    /// </summary>
    private static void CheckKeepFloat(ModelGraph original, ModelGraph optimized, IReadOnlyList<GraphChange> changes, IReadOnlyCollection<string> keep)
    {
        foreach (var name in keep)
        {
            if (optimized.Nodes.Any(n => n.Name == name)) continue;
            if (original.Nodes.Any(n => n.Name == name))
            {
                var change = changes.FirstOrDefault(c => c.Description.Contains($"'{name}'", StringComparison.Ordinal));
                throw new ConverterOptionsException($"--keep-float: node '{name}' does not survive the graph passes ({change?.Description ?? "removed"}); name the node that carries it");
            }
            var sample = string.Join(", ", optimized.Nodes.Take(8).Select(n => $"'{n.Name}'"));
            throw new ConverterOptionsException($"--keep-float: the model has no node named '{name}' (its nodes: {sample}{(optimized.Nodes.Count > 8 ? ", …" : "")})");
        }
    }

    private static SortedDictionary<string, string> Metadata(ModelGraph graph, ConverterOptions options, CalibrationResult calibration, ConversionReport report)
    {
        var m = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["source"] = Path.GetFileName(options.SourceName ?? graph.Name),
            ["calibrator"] = calibration.Calibrator.Name,
            ["samples"] = calibration.Samples.ToString(CultureInfo.InvariantCulture),
            ["calibration"] = calibration.Source,
            ["producer"] = ModelDescription.CurrentProducer,
        };
        foreach (var (k, v) in calibration.Calibrator.Describe()) m[k] = v;
        if (options.Quantizer.KeepFloat.Count > 0) m["keep_float"] = string.Join(",", options.Quantizer.KeepFloat.Order(StringComparer.Ordinal));
        if (options.Quantizer.Int8Softmax) m["softmax"] = "int8";
        foreach (var layer in report.Layers.Where(l => l.Notes.Count > 0)) m[$"note:{layer.Name}"] = string.Join("; ", layer.Notes);
        var removed = report.Removed;
        if (removed.Count > 0) m["removed"] = string.Join("; ", removed);
        return m;
    }
}

/// <summary>A converted model with everything that went into it.</summary>
public sealed class ConversionResult(EdgeModel model, QuantizationPlan plan, CalibrationResult calibration, IReadOnlyList<GraphChange> changes, ConversionReport report)
{
    public EdgeModel Model { get; } = model;
    public QuantizationPlan Plan { get; } = plan;
    public CalibrationResult Calibration { get; } = calibration;
    public IReadOnlyList<GraphChange> Changes { get; } = changes;
    public ConversionReport Report { get; } = report;

    /// <summary>
    /// Writes the model (aside, then renamed: a failure leaves no partial file). Any I/O failure becomes a
    /// <see cref="ModelWriteException"/> naming the path.
    /// </summary>
    public void Save(string path) => EdgeModelFile.Save(Model, path);
}

/// <summary>Writing an <see cref="EdgeModel"/> with the converter's error reporting.</summary>
public static class EdgeModelFile
{
    public static void Save(EdgeModel model, string path)
    {
        var bytes = EdgeModelWriter.ToBytes(model);
        CheckLoadable(bytes, path);
        var full = Path.GetFullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp"); // as EdgeModelWriter.Save
        try
        {
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ModelWriteException(path, $"cannot write the model: {e.Message}", e);
        }
        finally
        {
            try
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
            catch (IOException)
            {
                // The rename did not happen: the target is intact; a stray temporary file is all that is left.
            }
        }
    }

    /// <summary>
    /// Loads the bytes about to be written as the runtime will (format checks, then every operator prepared and the
    /// arena planned), so the converter never writes a model the runtime refuses; the refusal names the operator.
    /// </summary>
    public static void CheckLoadable(byte[] bytes, string path)
    {
        try
        {
            EdgeSession.FromModel(EdgeModelReader.Read(bytes, path), source: path);
        }
        catch (Exception e) when (e is Edge.Core.Errors.EdgeException or ArgumentException or InvalidOperationException)
        {
            throw new ConversionException(null, $"the converted model would not load: {e.Message} (this is a converter bug: please report it with the model)");
        }
    }
}
