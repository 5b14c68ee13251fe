using System.Diagnostics;
using Edge.Runtime.Kernels;

namespace Edge.Conformance;

/// <summary>A case that did not hold: its family line, every parameter, and what differed (or the exception it threw).</summary>
public sealed record CaseFailure(string Family, string Parameters, string Difference)
{
    public override string ToString() => $"{Family}: {Parameters}: {Difference}";
}

/// <summary>
/// One line of the report: a family on one path (<c>Int8Gemm/Avx2</c>), how many cases ran and failed, how long they
/// took, and the first <see cref="ConformanceRunner.MaxFailuresKept"/> failures.
/// </summary>
public sealed record FamilyResult(string Family, int Cases, int Failed, double Seconds, IReadOnlyList<CaseFailure> Failures)
{
    public bool Passed => Failed == 0;
}

/// <summary>The whole run: what ran on which paths, one result per family line, and the verdict.</summary>
public sealed record ConformanceReport(string Cpu, IReadOnlyList<KernelPath> Paths, bool Quick, IReadOnlyList<FamilyResult> Families, double Seconds)
{
    public int Cases => Families.Sum(f => f.Cases);
    public int Failed => Families.Sum(f => f.Failed);

    /// <summary>True when at least one case ran and none failed.</summary>
    public bool Passed => Failed == 0 && Cases > 0;
}

/// <summary>
/// Runs case families on kernel paths: every case of every family for every path, each timed per family line, every
/// failure collected (a case that throws is a failure naming the exception, never an abort of the run).
/// </summary>
public static class ConformanceRunner
{
    /// <summary>Failures kept per family line (all are counted).</summary>
    public const int MaxFailuresKept = 10;

    /// <summary>
    /// Runs <paramref name="families"/> on <paramref name="paths"/>. Results are in the order the lines first appear
    /// (family by family, path by path); <paramref name="progress"/> sees each line as it completes.
    /// </summary>
    public static ConformanceReport Run(IReadOnlyList<ConformanceFamily> families, IReadOnlyList<KernelPath> paths, bool quick,
        Action<FamilyResult>? progress = null)
    {
        long start = Stopwatch.GetTimestamp();
        var results = new List<FamilyResult>();
        foreach (var family in families)
            foreach (var path in paths)
                foreach (var line in RunFamily(family, path, quick))
                {
                    results.Add(line);
                    progress?.Invoke(line);
                }
        return new ConformanceReport(Runtime.Session.CpuFeatures.Describe(), paths, quick, results, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    /// <summary>One family on one path: a result per family line its cases name (usually one, <c>Family/Path</c>).</summary>
    public static IReadOnlyList<FamilyResult> RunFamily(ConformanceFamily family, KernelPath path, bool quick)
    {
        var lines = new List<Line>();
        var byName = new Dictionary<string, Line>(StringComparer.Ordinal);
        Line LineOf(string name)
        {
            if (!byName.TryGetValue(name, out var line))
            {
                byName[name] = line = new Line(name);
                lines.Add(line);
            }
            return line;
        }

        IEnumerator<ConformanceCase> cases;
        try
        {
            cases = family.Cases(path, quick).GetEnumerator();
        }
        catch (Exception e)
        {
            var line = LineOf($"{family.Name}/{path}");
            line.Fail(new CaseFailure(line.Name, "making the cases", Describe(e)));
            return [line.Result()];
        }
        using (cases)
        {
            while (true)
            {
                long t0 = Stopwatch.GetTimestamp();
                ConformanceCase c;
                try
                {
                    if (!cases.MoveNext()) break;
                    c = cases.Current;
                }
                catch (Exception e)
                {
                    // Making the next case failed (e.g. a Prepare that rejects its parameters): one failure, and the
                    // family stops here, as its enumerator cannot go on.
                    var line = LineOf(lines.Count > 0 ? lines[^1].Name : $"{family.Name}/{path}");
                    line.Fail(new CaseFailure(line.Name, "making the next case", Describe(e)));
                    break;
                }
                var current = LineOf(c.Family);
                string? difference;
                try
                {
                    difference = c.Check();
                }
                catch (Exception e)
                {
                    difference = Describe(e);
                }
                current.Count(Stopwatch.GetElapsedTime(t0).TotalSeconds);
                if (difference is not null) current.Fail(new CaseFailure(c.Family, c.Parameters, difference));
            }
        }
        return [.. lines.Select(l => l.Result())];
    }

    private static string Describe(Exception e) => $"threw {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}";

    private sealed class Line(string name)
    {
        private readonly List<CaseFailure> _failures = [];
        private int _cases, _failed;
        private double _seconds;

        public string Name => name;

        public void Count(double seconds)
        {
            _cases++;
            _seconds += seconds;
        }

        public void Fail(CaseFailure failure)
        {
            _failed++;
            if (_failures.Count < MaxFailuresKept) _failures.Add(failure);
        }

        public FamilyResult Result() => new(name, _cases, _failed, _seconds, _failures);
    }
}
