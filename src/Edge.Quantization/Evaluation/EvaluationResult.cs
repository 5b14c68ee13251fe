namespace Edge.Quantization.Evaluation;

/// <summary>One engine's figures over an image set.</summary>
/// <param name="Engine"><c>int8</c> (an EdgeSession) or <c>float</c> (the float reference path).</param>
/// <param name="Top1">Top-1 accuracy, percent.</param>
/// <param name="Top5">Top-5 accuracy, percent; null when the model has 10 classes or fewer.</param>
/// <param name="Correct">Images whose top-1 class is the label.</param>
/// <param name="Seconds">Wall time of the pass (preprocessing included).</param>
/// <param name="ImagesPerSecond">Images over <paramref name="Seconds"/>.</param>
/// <param name="Batch">Images per run.</param>
/// <param name="Threads">Runs at once (each with its own session or executor).</param>
public sealed record EngineResult(string Engine, double Top1, double? Top5, int Correct, double Seconds, double ImagesPerSecond, int Batch, int Threads);

/// <summary>
/// An evaluation of an int8 model, and optionally its float original, on the same labelled images. Agreement is the
/// percent of images where the int8 and float top-1 classes are the same (null without a float pass); Confusion is the
/// int8 confusion matrix, <c>Confusion[true][predicted]</c> image counts; Int8Predictions the int8 top-1 class per image.
/// </summary>
public sealed record EvaluationResult(
    int Images, int Classes, IReadOnlyList<string> Labels, EngineResult Int8, EngineResult? Float, double? Agreement, int[][] Confusion,
    [property: System.Text.Json.Serialization.JsonIgnore] int[] Int8Predictions)
{
    /// <summary>Int8 top-1 minus float top-1, percentage points; null without a float pass.</summary>
    public double? Int8MinusFloat => Float is null ? null : Int8.Top1 - Float.Top1;
}

/// <summary>A float reference pass: its figures and each image's top classes (best first).</summary>
public sealed record FloatPass(EngineResult Result, int[][] Top);
