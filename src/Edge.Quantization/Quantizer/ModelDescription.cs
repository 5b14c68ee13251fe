using Edge.Vision.Preprocessing;

namespace Edge.Quantization.Quantizer;

/// <summary>What the int8 model records besides its operators: the input preprocessing, class labels, provenance.</summary>
public sealed record ModelDescription(InputNormalization Normalization, IReadOnlyList<string> Labels, IReadOnlyDictionary<string, string> Metadata, string ProducerVersion)
{
    /// <summary>The producer string of this build, e.g. <c>edge 0.1.0</c>.</summary>
    public static string CurrentProducer
    {
        get
        {
            var v = typeof(ModelDescription).Assembly.GetName().Version ?? new Version(0, 0, 0);
            return $"edge {v.Major}.{v.Minor}.{Math.Max(0, v.Build)}";
        }
    }
}
