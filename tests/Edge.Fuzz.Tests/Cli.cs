using System.Diagnostics;
using System.Security.Cryptography;
using Edge.Cli;

namespace Edge.Fuzz.Tests;

/// <summary>Runs the <c>edge</c> command in-process, or as a child process under GNU time to read its peak memory.</summary>
internal static class Cli
{
    public static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = EdgeCli.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs the command on a worker thread; fails when it has not answered in <paramref name="seconds"/> (a hang).</summary>
    public static (int Exit, string Out, string Err) RunWithin(int seconds, params string[] args)
    {
        var task = Task.Run(() => Run(args));
        Assert.True(task.Wait(TimeSpan.FromSeconds(seconds)), $"edge {string.Join(' ', args)} did not answer within {seconds} s");
        return task.Result;
    }

    /// <summary>Exit code 2 and exactly one line on stderr starting "edge: ", no stack trace; returns the line.</summary>
    public static string AssertUserError((int Exit, string Out, string Err) r, string? contains = null)
    {
        Assert.True(r.Exit == 2, $"exit {r.Exit}, stderr: {r.Err}");
        var lines = r.Err.TrimEnd().Split('\n');
        Assert.True(lines.Length == 1, $"expected one line, got:\n{r.Err}");
        Assert.DoesNotContain("   at ", r.Err);
        Assert.StartsWith("edge: ", r.Err);
        if (contains is not null) Assert.True(r.Err.Contains(contains, StringComparison.Ordinal), $"expected '{contains}' in: {r.Err}");
        return lines[0];
    }

    public static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>What a child process did: exit code, stderr, peak resident memory (GNU time's "Maximum resident set size"), wall time.</summary>
    public sealed record Child(int Exit, string Err, long MaxRssKb, TimeSpan Elapsed);

    /// <summary>
    /// Runs the built <c>edge</c> (edge.dll beside the tests) under <c>/usr/bin/time -v</c>; kills it after
    /// <paramref name="timeoutSeconds"/>. Returns null when GNU time is not installed.
    /// </summary>
    public static Child? RunChild(int timeoutSeconds, params string[] args)
    {
        if (!File.Exists("/usr/bin/time")) return null;
        string dll = Path.Combine(AppContext.BaseDirectory, "edge.dll");
        var psi = new ProcessStartInfo("/usr/bin/time") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in (string[])["-v", "dotnet", dll, .. args]) psi.ArgumentList.Add(a);
        var watch = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(timeoutSeconds * 1000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"edge {string.Join(' ', args)} did not end within {timeoutSeconds} s");
        }
        p.WaitForExit();
        watch.Stop();
        string text = err.Result;
        long rss = 0;
        string edgeLines = "";
        foreach (var line in text.Split('\n'))
        {
            string t = line.Trim();
            if (t.StartsWith("Maximum resident set size (kbytes):", StringComparison.Ordinal)) rss = long.Parse(t[(t.IndexOf(':') + 1)..].Trim());
            else if (!line.StartsWith('\t') && t.Length > 0 && !t.StartsWith("Command exited", StringComparison.Ordinal)) edgeLines += line + "\n";
        }
        return new Child(p.ExitCode, edgeLines, rss, watch.Elapsed);
    }
}

/// <summary>A temporary folder removed after the test.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("edge-fuzz").FullName;
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() => Directory.Delete(Path, recursive: true);
}
