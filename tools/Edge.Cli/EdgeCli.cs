using System.CommandLine;
using Edge.Cli.Commands;
using Edge.Core.Errors;
using Edge.Core.Files;

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
        var maxInputMb = new Option<long?>("--max-input-mb") { Description = $"Largest input file, inflated, in MiB (default {InputLimits.DefaultMaxBytes >> 20}).", Recursive = true };
        var maxPixels = new Option<long?>("--max-pixels") { Description = $"Largest decoded image, in pixels (default {InputLimits.DefaultMaxPixels}).", Recursive = true };
        root.Options.Add(maxInputMb);
        root.Options.Add(maxPixels);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            stderr.WriteLine($"edge: {ParseError(parse, args)} (try 'edge --help')");
            return UserError;
        }
        InputLimits.Reset();
        try
        {
            if (parse.GetValue(maxInputMb) is { } mb)
            {
                if (mb is < 1 or > 1L << 30) throw new CliUsageException($"--max-input-mb {mb}: must be 1 to {1L << 30}");
                InputLimits.MaxBytes = mb << 20;
            }
            if (parse.GetValue(maxPixels) is { } px)
            {
                if (px is < 1 or > 1L << 40) throw new CliUsageException($"--max-pixels {px}: must be 1 to {1L << 40}");
                InputLimits.MaxPixels = px;
            }
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (EdgeException e)
        {
            stderr.WriteLine($"edge: {OneLine(e.Message)}");
            return UserError;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The environment, not Edge: a missing file, a full disk, a permission.
            stderr.WriteLine($"edge: {OneLine(e.Message)}");
            return UserError;
        }
        catch (OutOfMemoryException e)
        {
            stderr.WriteLine($"edge: out of memory ({OneLine(e.Message)}); the inputs are too large for this machine — lower --max-input-mb or --max-pixels");
            return UserError;
        }
        catch (Exception e)
        {
            // Not a user mistake: a bug in Edge. Say so, and keep the trace for the report.
            stderr.WriteLine($"edge: internal error ({e.GetType().Name}): {OneLine(e.Message)} — this is a bug in Edge; please report it with the trace below");
            stderr.WriteLine(e);
            return InternalError;
        }
    }

    private static string OneLine(string s) => s.ReplaceLineEndings(" ");

    /// <summary>
    /// One message for a command line the parser refuses: an unknown command or argument first (it explains the
    /// others, e.g. "Required command was not provided" after a misspelt command), then the first error in order.
    /// </summary>
    private static string ParseError(ParseResult parse, string[] args)
    {
        if (args.Length == 0) return "no command given";
        var unknown = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized command or argument", StringComparison.Ordinal));
        var first = unknown ?? parse.Errors[0];
        return OneLine(first.Message).TrimEnd('.');
    }
}
