using System.Globalization;

namespace Edge.Runtime.CodeGen;

/// <summary>
/// Names the generated kernels for Linux <c>perf</c>: with the environment variable <c>EDGE_PERF_MAP=1</c>, every
/// placed piece of code gets a line <c>start length name</c> (hex start and length) in <c>/tmp/perf-edge-PID.map</c>, the
/// format of perf's JIT maps. The .NET runtime writes its own map to <c>/tmp/perf-PID.map</c> (with
/// <c>DOTNET_PerfMapEnabled=1</c>), and perf reads only that one, so append this file to it after the process has exited
/// and before <c>perf report</c> (bench/README.md, "Profiling"). Off by default: nothing is written.
/// </summary>
internal static class PerfMap
{
    private static readonly bool Enabled = Environment.GetEnvironmentVariable("EDGE_PERF_MAP") == "1";
    private static readonly object Gate = new();

    /// <summary>perf's map line for code at <paramref name="start"/>: hex start, hex length, the name (prefixed "edge:").</summary>
    public static string Line(nint start, int length, string name) =>
        string.Create(CultureInfo.InvariantCulture, $"{(long)start:x} {length:x} edge:{name}\n");

    public static void Add(nint start, int length, string name)
    {
        if (!Enabled) return;
        string line = Line(start, length, name);
        lock (Gate)
        {
            try
            {
                File.AppendAllText($"/tmp/perf-edge-{Environment.ProcessId}.map", line);
            }
            catch (IOException)
            {
                // A profiling aid: a map that cannot be written leaves the kernels unnamed, nothing else.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
