using System.CommandLine;
using Edge.Cli.Commands;
using Edge.Core.Errors;

namespace Edge.Cli;

/// <summary>
/// The <c>edge</c> command. Exit codes: 0 success; 2 a user mistake (bad arguments, a malformed model or data file,
/// an unsupported operator), reported as one line on stderr with no stack trace; 1 an internal error (a bug).
/// </summary>
public static class EdgeCli
{
    public const int Ok = 0;
    public const int InternalError = 1;
    public const int UserError = 2;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var io = new CliIO(stdout, stderr);
        var root = new RootCommand("Edge: int8 CNN inference for .NET — convert, inspect, run and measure models.")
        {
            InspectCommand.Create(io),
            RunCommand.Create(io),
            ConvertCommand.Create(io),
            BenchCommand.Create(io),
            EvalCommand.Create(io),
            DemoCommand.Create(io),
            AccuracyCommand.Create(io),
            CompareCommand.Create(io),
            SelfTestCommand.Create(io),
            CameraCommand.Create(io),
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) stderr.WriteLine($"edge: {e.Message}");
            stderr.WriteLine("Try 'edge --help'.");
            return UserError;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (EdgeException e)
        {
            stderr.WriteLine($"edge: {OneLine(e.Message)}");
            return UserError;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"edge: {OneLine(e.Message)}");
            return UserError;
        }
        catch (Exception e)
        {
            // Not a user mistake: a bug in Edge. Say so, and keep the trace for the report.
            stderr.WriteLine($"edge: internal error ({e.GetType().Name}): {OneLine(e.Message)}");
            stderr.WriteLine("This is a bug in Edge; please report it with the trace below.");
            stderr.WriteLine(e);
            return InternalError;
        }
    }

    private static string OneLine(string s) => s.ReplaceLineEndings(" ");
}
