using System.Globalization;

namespace Edge.Quantization.Reporting;

/// <summary>How reports (the HTML page and the CLI's tables) write names and decibels.</summary>
public static class ReportText
{
    /// <summary>A name cut to <paramref name="max"/> characters, keeping its end (the distinctive part of an ONNX path).</summary>
    public static string Shorten(string name, int max = 36) => name.Length <= max ? name : "…" + name[^(max - 1)..];

    /// <summary>Decibels to one decimal; −∞ for a tensor whose float values are all zero while the int8 ones are not.</summary>
    public static string FormatDb(double db) => double.IsNegativeInfinity(db) ? "−∞" : db.ToString("0.0", CultureInfo.InvariantCulture);
}
