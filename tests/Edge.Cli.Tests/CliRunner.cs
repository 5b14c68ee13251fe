namespace Edge.Cli.Tests;

/// <summary>Runs the <c>edge</c> command in-process and captures what it prints.</summary>
internal static class CliRunner
{
    public static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = EdgeCli.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Asserts a user error: exit code 2 and exactly one line on stderr, no stack trace.</summary>
    public static string AssertUserError((int Exit, string Out, string Err) r)
    {
        Assert.True(r.Exit == 2, $"exit {r.Exit}, stderr: {r.Err}");
        var lines = r.Err.TrimEnd().Split('\n');
        Assert.True(lines.Length == 1, $"expected one line, got:\n{r.Err}");
        Assert.DoesNotContain("   at ", r.Err);
        Assert.StartsWith("edge: ", r.Err);
        return lines[0];
    }
}

/// <summary>A temporary folder removed after the test.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("edge-cli").FullName;
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() => Directory.Delete(Path, recursive: true);
}
