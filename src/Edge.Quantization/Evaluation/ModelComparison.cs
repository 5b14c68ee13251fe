using System.Text.Json.Serialization;

namespace Edge.Quantization.Evaluation;

/// <summary>
/// Float and int8 activations of one model side by side, layer by layer, on the same inputs: what <c>edge compare</c>
/// prints and draws. Built by <see cref="ModelComparer"/>.
/// </summary>
/// <param name="FloatModel">The float model's file name.</param>
/// <param name="Int8Model">The int8 model's file name.</param>
/// <param name="Data">The inputs, as <c>CalibrationSource.Describe</c> gives them.</param>
/// <param name="Images">Inputs compared.</param>
/// <param name="Calibrator">The calibrator the int8 model records in its metadata (empty when it records none).</param>
/// <param name="Layers">One row per int8-model operator output, in execution order.</param>
/// <param name="Weights">One row per operator with int8 weights (Conv2d, Gemm), in execution order.</param>
/// <param name="Predictions">Top-1 figures of both paths on the inputs.</param>
public sealed record ModelComparison(
    string FloatModel, string Int8Model, string Data, int Images, string Calibrator,
    IReadOnlyList<LayerComparison> Layers, IReadOnlyList<WeightComparison> Weights, PredictionComparison Predictions)
{
    /// <summary>The int8 layer with the lowest SQNR (null when every int8 tensor equals its float twin or none is int8).</summary>
    [JsonIgnore]
    public LayerComparison? WorstLayer => Layers.Where(l => l.SqnrDb is not null && l.DataType == "int8").MinBy(l => l.SqnrDb);
}

/// <summary>
/// One operator's output tensor: the float path's values against the int8 model's (dequantized) values, summed over
/// every element of every input.
/// </summary>
/// <param name="Index">The operator's position in the int8 model's execution order.</param>
/// <param name="Operator">The operator's name (the float graph's node).</param>
/// <param name="OpType">The .edge operator type, e.g. <c>Conv2d</c>.</param>
/// <param name="Tensor">The int8 model's tensor name.</param>
/// <param name="FloatTensor">The float graph tensor it is compared with.</param>
/// <param name="DataType"><c>int8</c> or <c>float32</c> (a kept-float operator, a float Softmax output, a Dequantize).</param>
/// <param name="Scale">The int8 tensor's scale; null for float32 tensors.</param>
/// <param name="ZeroPoint">The int8 tensor's zero point; null for float32 tensors.</param>
/// <param name="SqnrDb">10·log10(Σ float² / Σ (float − int8)²); null when the two are identical (no noise).</param>
/// <param name="Cosine">Σ float·int8 / √(Σ float² · Σ int8²); 1 when both are all zero.</param>
/// <param name="MaxAbsError">The largest |float − int8| over every element.</param>
/// <param name="FloatMin">The smallest float value seen.</param>
/// <param name="FloatMax">The largest float value seen.</param>
/// <param name="ClipMin">The lowest value the int8 tensor can hold, <c>Scale·(−128 − ZeroPoint)</c>; null for float32.</param>
/// <param name="ClipMax">The highest, <c>Scale·(127 − ZeroPoint)</c>; null for float32.</param>
/// <param name="ClippedPercent">Percent of float values more than half a step outside [ClipMin, ClipMax] (0 for float32).</param>
/// <param name="Histogram">The float values' histogram.</param>
public sealed record LayerComparison(
    int Index, string Operator, string OpType, string Tensor, string FloatTensor, string DataType, float? Scale, int? ZeroPoint,
    double? SqnrDb, double Cosine, double MaxAbsError, double FloatMin, double FloatMax, double? ClipMin, double? ClipMax,
    double ClippedPercent, ValueHistogram Histogram);

/// <summary>Counts of values in equal bins over [Min, Max] (the last bin includes Max).</summary>
public sealed record ValueHistogram(double Min, double Max, long[] Counts)
{
    [JsonIgnore]
    public double BinWidth => Counts.Length == 0 ? 0 : (Max - Min) / Counts.Length;
}

/// <summary>
/// One operator's weights: the float weights (after BatchNorm folding) against the int8 weights times their
/// per-output-channel scales.
/// </summary>
/// <param name="Operator">The operator's name.</param>
/// <param name="OpType"><c>Conv2d</c> or <c>Gemm</c>.</param>
/// <param name="Channels">Output channels, each with its own scale.</param>
/// <param name="WeightMin">The smallest float weight.</param>
/// <param name="WeightMax">The largest float weight.</param>
/// <param name="ScaleMin">The smallest per-channel scale.</param>
/// <param name="ScaleMax">The largest per-channel scale.</param>
/// <param name="ScaleSpread">ScaleMax / ScaleMin: how far apart the channels' ranges are (what per-tensor scales would lose).</param>
/// <param name="SqnrDb">10·log10(Σ w² / Σ (w − scale·q)²) over the layer's weights; null when exact.</param>
public sealed record WeightComparison(
    string Operator, string OpType, int Channels, double WeightMin, double WeightMax, double ScaleMin, double ScaleMax,
    double ScaleSpread, double? SqnrDb);

/// <summary>Top-1 of both paths on the compared inputs.</summary>
/// <param name="Classes">Scores per input (the first output's length).</param>
/// <param name="ClassNames">The int8 model's labels, or the class indices.</param>
/// <param name="Agreement">Percent of inputs where the int8 and float top-1 classes are the same.</param>
/// <param name="Int8Top1">Int8 top-1 accuracy, percent; null without labels.</param>
/// <param name="FloatTop1">Float top-1 accuracy, percent; null without labels.</param>
/// <param name="Int8VsFloat"><c>[float top-1][int8 top-1]</c> input counts (needs no labels).</param>
/// <param name="Int8Confusion"><c>[label][int8 top-1]</c> counts; null without labels.</param>
/// <param name="FloatConfusion"><c>[label][float top-1]</c> counts; null without labels.</param>
public sealed record PredictionComparison(
    int Classes, IReadOnlyList<string> ClassNames, double Agreement, double? Int8Top1, double? FloatTop1,
    int[][] Int8VsFloat, int[][]? Int8Confusion, int[][]? FloatConfusion);
