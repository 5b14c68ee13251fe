using System.Diagnostics;
using Edge.Core.Errors;
using Edge.Core.Graph;
using Edge.Reference;
using Edge.Runtime.Format;
using Edge.Runtime.Session;
using Edge.Vision.Datasets;
using Edge.Vision.Preprocessing;

namespace Edge.Quantization.Evaluation;

/// <summary>
/// Top-1/top-5, agreement and the confusion matrix of an int8 <see cref="EdgeSession"/> (fed 8-bit images through
/// <see cref="EdgeSession.RunImage"/>, quantized with the model's recorded normalization) and of the float reference
/// path (<see cref="ReferenceExecutor"/>, batched, the same normalization in float) over a labelled <see cref="ImageSet"/>.
/// </summary>
public static class Evaluator
{
    /// <summary>Float images per reference run.</summary>
    public const int DefaultFloatBatch = 100;

    /// <summary>
    /// Evaluates <paramref name="session"/>, and <paramref name="floatGraph"/> when given (in batches of
    /// <paramref name="floatBatch"/>), on every image of <paramref name="images"/>; <paramref name="progress"/> is called
    /// with (engine, images done, total) as the passes advance. With <paramref name="threads"/> above 1, each path splits
    /// the images into that many contiguous parts run at once (a session and an executor per part; the progress reports
    /// then come from the first part only) and images/s is the wall-clock rate of all of them.
    /// </summary>
    public static EvaluationResult Evaluate(EdgeSession session, ImageSet images, ModelGraph? floatGraph = null,
        int floatBatch = DefaultFloatBatch, Action<string, int, int>? progress = null, int threads = 1)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "at least one thread");
        var labels = CheckImages(session, images);
        int classes = session.Outputs[0].ElementCount;
        if (labels.Any(l => l < 0 || l >= classes))
            throw new DataFormatException(images.Source, $"a label is outside the model's {classes} classes (0..{classes - 1})");
        int k = classes > 10 ? 5 : 1;

        var int8Top = new int[images.Count][];
        double int8Seconds = InParts(images.Count, threads, (part, first, count) =>
        {
            if (part == 0)
            {
                RunInt8(session, images, first, count, k, int8Top, progress);
                return;
            }
            using var twin = Twin(session);
            RunInt8(twin, images, first, count, k, int8Top, null);
        });
        var int8 = Score("int8", int8Top, labels, k, int8Seconds, 1, threads);
        FloatPass? floatPass = floatGraph is null ? null
            : EvaluateFloat(floatGraph, Normalization(session.Normalization), images, classes, floatBatch, threads, progress);
        return Combine(session, labels, classes, int8Top, int8, floatPass);
    }

    /// <summary>As the overload with a float graph, comparing with a float pass made before (the float model does not change with the calibrator).</summary>
    public static EvaluationResult Evaluate(EdgeSession session, ImageSet images, FloatPass floatPass, int threads = 1)
    {
        var result = Evaluate(session, images, floatGraph: null, threads: threads);
        if (floatPass.Top.Length != images.Count) throw new ArgumentException($"the float pass covers {floatPass.Top.Length} images, not {images.Count}", nameof(floatPass));
        return result with
        {
            Float = floatPass.Result,
            Agreement = 100.0 * Enumerable.Range(0, images.Count).Count(i => result.Int8Predictions[i] == floatPass.Top[i][0]) / images.Count,
        };
    }

    /// <summary>The float reference path alone: top-1/top-5 and each image's top classes.</summary>
    public static FloatPass EvaluateFloat(ModelGraph graph, InputNormalization normalization, ImageSet images, int classes,
        int floatBatch = DefaultFloatBatch, int threads = 1, Action<string, int, int>? progress = null)
    {
        if (images.Labels is null) throw new DataFormatException(images.Source, "evaluation needs labels");
        int k = classes > 10 ? 5 : 1;
        var top = new int[images.Count][];
        double seconds = InParts(images.Count, threads, (part, first, count) =>
            RunFloat(graph, normalization, images, first, count, classes, k, floatBatch, top, part == 0 ? progress : null));
        return new FloatPass(Score("float", top, images.Labels, k, seconds, floatBatch, threads), top);
    }

    private static EvaluationResult Combine(EdgeSession session, int[] labels, int classes, int[][] int8Top, EngineResult int8, FloatPass? fl)
    {
        var confusion = Enumerable.Range(0, classes).Select(_ => new int[classes]).ToArray();
        for (int i = 0; i < labels.Length; i++) confusion[labels[i]][int8Top[i][0]]++;
        double? agreement = fl is null ? null : 100.0 * Enumerable.Range(0, labels.Length).Count(i => int8Top[i][0] == fl.Top[i][0]) / labels.Length;
        var names = session.Labels.Count == classes ? session.Labels : Enumerable.Range(0, classes).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return new EvaluationResult(labels.Length, classes, names, int8, fl?.Result, agreement, confusion, int8Top.Select(t => t[0]).ToArray());
    }

    /// <summary>The float form of the normalization an .edge model records.</summary>
    public static InputNormalization Normalization(SessionNormalization n) => new(n.Mean, n.Std, n.ChannelOrder);

    private static int[] CheckImages(EdgeSession session, ImageSet images)
    {
        if (images.Labels is null) throw new DataFormatException(images.Source, "evaluation needs labels");
        if (images.Count == 0) throw new DataFormatException(images.Source, "the image set holds no images");
        var (h, w) = session.ImageSize;
        if (h == 0) throw new DataFormatException(session.Source, "the model's input is not an image");
        if (images.Height != h || images.Width != w)
            throw new DataFormatException(images.Source, $"images are {images.Height}×{images.Width}; the model takes {h}×{w}");
        return images.Labels;
    }

    /// <summary>
    /// Another session on the same model and kernel path (a session runs one call at a time), on one thread: the twins
    /// already spread the images over the cores, so threads inside each would only compete with the others.
    /// </summary>
    private static EdgeSession Twin(EdgeSession session) => EdgeSession.FromModel(session.Model, new EdgeSessionOptions
    {
        Kernels = (KernelSelection)session.KernelPath,
        Threads = 1,
    }, session.Source);

    /// <summary>Runs <paramref name="run"/>(part, first, count) over <paramref name="parts"/> contiguous parts at once; returns the wall time.</summary>
    private static double InParts(int total, int parts, Action<int, int, int> run)
    {
        parts = Math.Min(parts, total);
        long start = Stopwatch.GetTimestamp();
        if (parts == 1) run(0, 0, total);
        else
        {
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, p =>
            {
                int first = (int)((long)total * p / parts), end = (int)((long)total * (p + 1) / parts);
                run(p, first, end - first);
            });
        }
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private static void RunInt8(EdgeSession session, ImageSet images, int first, int count, int k, int[][] top, Action<string, int, int>? progress)
    {
        var output = new float[session.Outputs[0].ElementCount];
        for (int i = 0; i < count; i++)
        {
            session.RunImage(images.Image(first + i), images.Height, images.Width, images.Channels, output);
            top[first + i] = new int[k];
            EdgeSession.TopK(output, top[first + i]);
            if (progress is not null && (i % 100 == 99 || i == count - 1)) progress("int8", i + 1, count);
        }
    }

    private static void RunFloat(ModelGraph graph, InputNormalization normalization, ImageSet images, int first, int count, int classes, int k,
        int batch, int[][] top, Action<string, int, int>? progress)
    {
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "the float batch must be at least 1");
        var executor = new ReferenceExecutor(graph, batch);
        int item = (int)executor.ShapesFor(1)[graph.Inputs[0].Name].ElementCount;
        var input = new float[item * batch];
        for (int done = 0; done < count; done += batch)
        {
            int n = Math.Min(batch, count - done);
            for (int j = 0; j < n; j++)
                normalization.ToChw(images.Image(first + done + j), images.Height, images.Width, images.Channels, input.AsSpan(j * item, item));
            var output = executor.Run(input.AsSpan(0, n * item), n);
            if (output.Length != n * classes)
                throw new DataFormatException(graph.Name, $"the float model gives {output.Length / n} scores per image; the int8 model {classes}");
            for (int j = 0; j < n; j++)
            {
                top[first + done + j] = new int[k];
                EdgeSession.TopK(output.AsSpan(j * classes, classes), top[first + done + j]);
            }
            progress?.Invoke("float", done + n, count);
        }
    }

    private static EngineResult Score(string engine, int[][] top, int[] labels, int k, double seconds, int batch, int threads)
    {
        int correct = 0, inTop = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (top[i][0] == labels[i]) correct++;
            if (Array.IndexOf(top[i], labels[i]) >= 0) inTop++;
        }
        double n = labels.Length;
        return new EngineResult(engine, 100.0 * correct / n, k > 1 ? 100.0 * inTop / n : null, correct, seconds, n / Math.Max(seconds, 1e-9), batch, threads);
    }
}
